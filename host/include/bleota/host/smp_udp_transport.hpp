// SMP over UDP: one packet per datagram, a connected socket (so only the device's address and
// port are heard, and a refusal comes back as ECONNREFUSED), default port 1337.
#pragma once

#include <cstdint>
#include <string>

#include "bleota/host/smp_transport.hpp"

namespace bleota::host {

inline constexpr uint16_t kSmpUdpDefaultPort = 1337;
// 1500-byte Ethernet MTU minus IPv4 and UDP headers: one unfragmented datagram.
inline constexpr size_t kSmpUdpMaxPacket = 1472;

struct UdpEndpoint {
  std::string host;
  uint16_t port = kSmpUdpDefaultPort;
};

// "host", "host:port", "[v6addr]" or "[v6addr]:port". Throws HostError(kUsage).
UdpEndpoint ParseUdpEndpoint(const std::string& text);

class SmpUdpTransport final : public SmpTransport {
 public:
  // Resolves the host and connects a UDP socket. Throws HostError(kTransport) when the name does
  // not resolve or no socket can be connected. max_packet: the largest datagram sent.
  explicit SmpUdpTransport(const UdpEndpoint& endpoint, size_t max_packet = kSmpUdpMaxPacket);
  ~SmpUdpTransport() override;
  SmpUdpTransport(const SmpUdpTransport&) = delete;
  SmpUdpTransport& operator=(const SmpUdpTransport&) = delete;

  std::string name() const override { return name_; }
  size_t max_packet_size() const override { return max_packet_; }
  void Send(std::span<const uint8_t> packet) override;
  std::optional<std::vector<uint8_t>> Receive(std::chrono::milliseconds timeout) override;
  std::string diagnosis() const override;
  size_t dropped_input() const override { return dropped_; }

 private:
  int fd_ = -1;
  std::string name_;
  size_t max_packet_;
  bool refused_ = false;  // an ICMP port unreachable came back
  size_t dropped_ = 0;
};

}  // namespace bleota::host
