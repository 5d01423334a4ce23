#include "bleota/simdev/udp_endpoint.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <cstring>

#include <string>
#include <vector>

#include "bleota/host/error.hpp"
#include "bleota/host/number_parse.hpp"

namespace bleota::sim {

void ParseHostPort(const std::string& text, std::string& host, uint16_t& port) {
  const size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) {
    host::ThrowUsage("expected HOST:PORT, got '" + text + "'");
  }
  host = text.substr(0, colon);
  port = static_cast<uint16_t>(host::ParseUnsigned(text.substr(colon + 1), "port", 65535));
}

UdpEndpoint::UdpEndpoint(const std::string& host, uint16_t port, size_t max_datagram)
    : host_(host == "localhost" ? "127.0.0.1" : host), max_datagram_(max_datagram) {
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  if (inet_pton(AF_INET, host_.c_str(), &address.sin_addr) != 1) {
    host::ThrowUsage("not an IPv4 address: '" + host + "'");
  }
  fd_ = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (fd_ < 0) host::ThrowIo(std::string("cannot create a UDP socket: ") + std::strerror(errno));
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&address), sizeof(address)) != 0) {
    const std::string reason = std::strerror(errno);
    close(fd_);
    host::ThrowIo("cannot bind UDP " + host_ + ":" + std::to_string(port) + ": " + reason);
  }
  socklen_t length = sizeof(address);
  getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &length);
  port_ = ntohs(address.sin_port);
}

UdpEndpoint::~UdpEndpoint() {
  if (fd_ >= 0) close(fd_);
}

std::string UdpEndpoint::description() const {
  return "udp " + host_ + ":" + std::to_string(port_);
}

namespace {

// The reply path of one datagram: back to its sender, from the socket that received it.
class DatagramReply final : public smp::SmpLinkSink {
 public:
  DatagramReply(int fd, const sockaddr_storage& to, socklen_t to_length)
      : fd_(fd), to_(to), to_length_(to_length) {}
  Status Send(ConstByteSpan bytes) override {
    const ssize_t sent = sendto(fd_, bytes.data(), bytes.size(), 0,
                                reinterpret_cast<const sockaddr*>(&to_), to_length_);
    // A lost reply is what UDP allows; the client resends.
    return sent == static_cast<ssize_t>(bytes.size()) ? Status::Ok() : Status(StatusCode::kFlashIo);
  }

 private:
  int fd_;
  sockaddr_storage to_;
  socklen_t to_length_;
};

}  // namespace

void UdpEndpoint::Service(SimDevice& device) {
  // One byte more than accepted, so that an oversized datagram is recognised.
  std::vector<uint8_t> datagram(max_datagram_ + 1);
  for (;;) {
    sockaddr_storage sender{};
    socklen_t sender_length = sizeof(sender);
    const ssize_t got = recvfrom(fd_, datagram.data(), datagram.size(), 0,
                                 reinterpret_cast<sockaddr*>(&sender), &sender_length);
    if (got < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return;
      // ICMP errors of earlier replies (a client that went away) surface here; keep serving.
      if (errno == ECONNREFUSED) continue;
      host::ThrowIo(std::string("UDP receive failed: ") + std::strerror(errno));
    }
    if (static_cast<size_t>(got) > max_datagram_) {
      ++oversized_;  // larger than the device's buffer: a real device drops it too
      continue;
    }
    DatagramReply reply(fd_, sender, sender_length);
    const smp::SmpTransportResult result =
        device.OnUdpDatagram(ConstByteSpan(datagram.data(), static_cast<size_t>(got)), reply);
    if (result.reset_requested) device.RunRequestedReset();
  }
}

}  // namespace bleota::sim
