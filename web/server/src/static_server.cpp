#include "bleota/web/static_server.hpp"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <system_error>
#include <thread>

#include "bleota/host/error.hpp"
#include "bleota/web/http_request.hpp"
#include "bleota/web/http_response.hpp"

namespace bleota::web {
namespace {

using Clock = std::chrono::steady_clock;

int MillisecondsLeft(Clock::time_point deadline) {
  const auto left =
      std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
  return left > 0 ? static_cast<int>(left) : 0;
}

// Waits for `events` on fd until the deadline; false on timeout or error.
bool WaitFor(int fd, short events, Clock::time_point deadline) {
  for (;;) {
    pollfd p{fd, events, 0};
    const int n = ::poll(&p, 1, MillisecondsLeft(deadline));
    if (n > 0) return true;
    if (n == 0) return false;
    if (errno != EINTR) return false;
  }
}

bool SendAll(int fd, std::string_view data, Clock::time_point deadline) {
  while (!data.empty()) {
    if (!WaitFor(fd, POLLOUT, deadline)) return false;
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

// Reads until the blank line that ends the head. Returns the response to send: the file, an
// error (400/405/404), 431 when the head exceeds the limit, 408 at the deadline; empty when the
// client left.
std::string ReadAndRespond(int fd, Clock::time_point deadline) {
  std::string head;
  char buffer[2048];
  for (;;) {
    if (!WaitFor(fd, POLLIN, deadline)) {
      return ErrorResponse(408, "the request head did not arrive in time");
    }
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n == 0) return {};
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;
      return {};
    }
    // Search only where the terminator can newly appear.
    const std::size_t from = head.size() >= 3 ? head.size() - 3 : 0;
    head.append(buffer, static_cast<std::size_t>(n));
    const std::size_t end = head.find("\r\n\r\n", from);
    if (end != std::string::npos && end + 4 <= kMaxRequestHead) {
      return RespondToHead(std::string_view(head).substr(0, end + 4));
    }
    if (head.size() >= kMaxRequestHead) {
      return ErrorResponse(
          431, "the request line and headers exceed " + std::to_string(kMaxRequestHead) + " bytes");
    }
  }
}

// After the response: stop sending, then read what the client still sends (a body we did not
// want) for a moment, so that closing does not reset the connection before it reads the answer.
void CloseGracefully(int fd, Clock::time_point deadline) {
  ::shutdown(fd, SHUT_WR);
  const Clock::time_point drain_end =
      std::min(deadline, Clock::now() + std::chrono::milliseconds(200));
  char buffer[2048];
  std::size_t drained = 0;
  while (drained < 64 * 1024 && WaitFor(fd, POLLIN, drain_end)) {
    const ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n <= 0) break;
    drained += static_cast<std::size_t>(n);
  }
  ::close(fd);
}

}  // namespace

StaticServer::StaticServer(const ServerOptions& options) : options_(options) {
  const std::string host = options.host == "localhost" ? "127.0.0.1" : options.host;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_NUMERICHOST | AI_NUMERICSERV | AI_PASSIVE;
  addrinfo* found = nullptr;
  const std::string port = std::to_string(options.port);
  const int rc = ::getaddrinfo(host.c_str(), port.c_str(), &hints, &found);
  if (rc != 0) {
    host::ThrowUsage("web: --host '" + options.host +
                     "' is not a numeric IPv4/IPv6 address or 'localhost': " + gai_strerror(rc));
  }
  const int fd = ::socket(found->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    ::freeaddrinfo(found);
    host::ThrowIo(std::string("web: socket: ") + std::strerror(errno));
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (::bind(fd, found->ai_addr, found->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
    const int error = errno;
    ::freeaddrinfo(found);
    ::close(fd);
    host::ThrowIo("web: cannot listen on " + options.host + " port " + port + ": " +
                  std::strerror(error));
  }
  ::freeaddrinfo(found);
  sockaddr_storage bound{};
  socklen_t length = sizeof bound;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &length);
  port_ = bound.ss_family == AF_INET6
              ? ntohs(reinterpret_cast<const sockaddr_in6*>(&bound)->sin6_port)
              : ntohs(reinterpret_cast<const sockaddr_in*>(&bound)->sin_port);
  listen_fd_ = fd;
}

StaticServer::~StaticServer() {
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return active_ == 0; });
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

std::string StaticServer::url() const {
  const bool ipv6 = options_.host.find(':') != std::string::npos;
  return "http://" + (ipv6 ? "[" + options_.host + "]" : options_.host) + ":" +
         std::to_string(port_) + "/";
}

void StaticServer::Run(const std::atomic<bool>& stop) {
  while (!stop.load()) {
    pollfd p{listen_fd_, POLLIN, 0};
    const int n = ::poll(&p, 1, 100);
    if (n <= 0) continue;  // timeout, or EINTR from a signal that may have set `stop`
    const int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (fd < 0) continue;  // the client left already, or out of descriptors for a moment
    bool admitted = false;
    {
      std::lock_guard lock(mutex_);
      admitted = active_ < options_.max_connections;
      if (admitted) ++active_;
    }
    if (!admitted) {
      // A short answer without a thread; the brief deadline keeps the accept loop going.
      SendAll(fd, ErrorResponse(503, "too many connections; retry"),
              Clock::now() + std::chrono::milliseconds(100));
      ::close(fd);
      continue;
    }
    try {
      std::thread([this, fd] { Serve(fd); }).detach();
    } catch (const std::system_error&) {
      // No thread to be had for now: drop this client, keep serving the others.
      ::close(fd);
      std::lock_guard lock(mutex_);
      --active_;
      idle_.notify_all();
    }
  }
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [this] { return active_ == 0; });
}

void StaticServer::Serve(int fd) {
  const Clock::time_point deadline = Clock::now() + options_.connection_timeout;
  const std::string response = ReadAndRespond(fd, deadline);
  if (!response.empty() && SendAll(fd, response, deadline)) {
    CloseGracefully(fd, deadline);
  } else {
    ::close(fd);
  }
  std::lock_guard lock(mutex_);
  --active_;
  idle_.notify_all();
}

}  // namespace bleota::web
