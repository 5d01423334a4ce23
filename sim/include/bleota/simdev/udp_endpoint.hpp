// SMP over UDP for the simulated device: one request per datagram, the response sent from the
// same socket to the datagram's sender (clients with a connected socket, such as smpclient, need
// that), as docs/spec/smp.md ("UDP") says.
#pragma once

#include <cstdint>
#include <string>

#include "bleota/simdev/smp_endpoint.hpp"

namespace bleota::sim {

class UdpEndpoint final : public SmpEndpoint {
 public:
  // Binds HOST:PORT (IPv4 dotted or "localhost"; port 0 picks a free port). Throws
  // host::HostError(kIo) when the address cannot be bound.
  UdpEndpoint(const std::string& host, uint16_t port, size_t max_datagram);
  ~UdpEndpoint() override;
  UdpEndpoint(const UdpEndpoint&) = delete;
  UdpEndpoint& operator=(const UdpEndpoint&) = delete;

  int fd() const override { return fd_; }
  std::string description() const override;
  void Service(SimDevice& device) override;

  uint16_t port() const { return port_; }
  // Datagrams dropped because they were larger than max_datagram.
  size_t oversized() const { return oversized_; }

 private:
  int fd_ = -1;
  std::string host_;
  uint16_t port_ = 0;
  size_t max_datagram_;
  size_t oversized_ = 0;
};

// Parses "HOST:PORT" (port 0..65535). Throws host::HostError(kUsage).
void ParseHostPort(const std::string& text, std::string& host, uint16_t& port);

}  // namespace bleota::sim
