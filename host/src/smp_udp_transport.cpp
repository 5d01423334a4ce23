#include "bleota/host/smp_udp_transport.hpp"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "bleota/host/error.hpp"
#include "bleota/host/number_parse.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;

UdpEndpoint ParseUdpEndpoint(const std::string& text) {
  UdpEndpoint endpoint;
  std::string port_text;
  if (!text.empty() && text.front() == '[') {
    const size_t close = text.find(']');
    if (close == std::string::npos) ThrowUsage("--address: '" + text + "' lacks the closing ']'");
    endpoint.host = text.substr(1, close - 1);
    const std::string rest = text.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':')
        ThrowUsage("--address: expected ':port' after ']' in '" + text + "'");
      port_text = rest.substr(1);
    }
  } else {
    const size_t colon = text.rfind(':');
    if (colon != std::string::npos && text.find(':') != colon) {
      ThrowUsage("--address: write an IPv6 address as [addr]:port, got '" + text + "'");
    }
    endpoint.host = text.substr(0, colon);
    if (colon != std::string::npos) port_text = text.substr(colon + 1);
  }
  if (endpoint.host.empty()) ThrowUsage("--address: no host in '" + text + "'");
  if (!port_text.empty() || text.back() == ':') {
    const uint64_t port = ParseUnsigned(port_text, "--address port", 65535);
    if (port == 0) ThrowUsage("--address: port 0 is not valid");
    endpoint.port = static_cast<uint16_t>(port);
  }
  return endpoint;
}

SmpUdpTransport::SmpUdpTransport(const UdpEndpoint& endpoint, size_t max_packet)
    : max_packet_(max_packet) {
  const bool v6 = endpoint.host.find(':') != std::string::npos;
  name_ = "udp " + (v6 ? "[" + endpoint.host + "]" : endpoint.host) + ":" +
          std::to_string(endpoint.port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_DGRAM;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(endpoint.port);
  const int rc = getaddrinfo(endpoint.host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    ThrowTransport("cannot resolve '" + endpoint.host + "' (--address): " + gai_strerror(rc));
  }
  std::string last_error = "no address";
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      last_error = std::strerror(errno);
      continue;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      fd_ = fd;
      break;
    }
    last_error = std::strerror(errno);
    close(fd);
  }
  freeaddrinfo(found);
  if (fd_ < 0) ThrowTransport("cannot connect a UDP socket to " + name_ + ": " + last_error);
}

SmpUdpTransport::~SmpUdpTransport() {
  if (fd_ >= 0) close(fd_);
}

void SmpUdpTransport::Send(std::span<const uint8_t> packet) {
  for (;;) {
    const ssize_t n = send(fd_, packet.data(), packet.size(), 0);
    if (n == static_cast<ssize_t>(packet.size())) return;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == ECONNREFUSED) {
      // The refusal of an earlier datagram; this one is not sent: send it again.
      refused_ = true;
      continue;
    }
    ThrowTransport("sending a " + std::to_string(packet.size()) + "-byte datagram to " + name_ +
                   " failed: " + (n < 0 ? std::strerror(errno) : "short send"));
  }
}

std::optional<std::vector<uint8_t>> SmpUdpTransport::Receive(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::vector<uint8_t> buffer(65536);
  for (;;) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, left > 0 ? static_cast<int>(left) : 0);
    if (ready < 0) {
      if (errno == EINTR) continue;
      ThrowTransport("waiting for " + name_ + " failed: " + std::strerror(errno));
    }
    if (ready == 0) return std::nullopt;
    const ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      if (errno == ECONNREFUSED) {
        // Nothing listens there (yet): keep waiting, the timeout message says so.
        refused_ = true;
        if (left <= 0) return std::nullopt;
        // The error is reported once per refused datagram; wait out the rest of the timeout.
        continue;
      }
      ThrowTransport("receiving from " + name_ + " failed: " + std::strerror(errno));
    }
    if (n == 0) {
      ++dropped_;  // an empty datagram is no SMP packet
      continue;
    }
    buffer.resize(static_cast<size_t>(n));
    return buffer;
  }
}

std::string SmpUdpTransport::diagnosis() const {
  if (!refused_) return {};
  return "the host refused the datagrams (ICMP port unreachable): nothing listens on " +
         name_.substr(4);
}

}  // namespace bleota::host
