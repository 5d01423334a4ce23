#include "bleota/simdev/control_socket.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>

#include "bleota/host/error.hpp"
#include "bleota/simdev/control_command.hpp"

namespace bleota::sim {
namespace {

// Longest reply the client reads (the device's replies are one short line).
constexpr size_t kMaxReplyBytes = 4096;

std::string Errno(const std::string& what) { return what + ": " + std::strerror(errno); }

int NewStreamSocket() {
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) host::ThrowIo(Errno("cannot create a Unix socket"));
  return fd;
}

void SendAll(int fd, std::string_view bytes) {
  while (!bytes.empty()) {
    const ssize_t sent = send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return;  // the peer went away; its connection is closed by the caller
    bytes.remove_prefix(static_cast<size_t>(sent));
  }
}

}  // namespace

std::filesystem::path ControlSocketPath(const std::filesystem::path& state_dir) {
  return state_dir / "control.sock";
}

ControlServer::ControlServer(std::filesystem::path path) : path_(std::move(path)) {
  const UnixSocketAddress address(path_);
  std::error_code error;
  if (std::filesystem::is_socket(path_, error)) {
    // Left by a device that was killed, or the socket of one that still runs.
    const int probe = NewStreamSocket();
    const bool live = connect(probe, address.get(), address.size()) == 0;
    close(probe);
    if (live) host::ThrowIo("a device already runs in " + path_.parent_path().string());
    std::filesystem::remove(path_, error);
  }
  listen_fd_ = NewStreamSocket();
  if (bind(listen_fd_, address.get(), address.size()) != 0 ||
      listen(listen_fd_, static_cast<int>(kMaxConnections)) != 0) {
    const std::string message = Errno("cannot listen on " + path_.string());
    close(listen_fd_);
    listen_fd_ = -1;
    host::ThrowIo(message);
  }
  fcntl(listen_fd_, F_SETFL, fcntl(listen_fd_, F_GETFL) | O_NONBLOCK);
}

ControlServer::~ControlServer() {
  for (const Connection& connection : connections_) close(connection.fd);
  if (listen_fd_ >= 0) {
    close(listen_fd_);
    std::error_code error;
    std::filesystem::remove(path_, error);
  }
}

std::vector<int> ControlServer::fds() const {
  std::vector<int> fds{listen_fd_};
  for (const Connection& connection : connections_) fds.push_back(connection.fd);
  return fds;
}

void ControlServer::OnReadable(int fd, const LineHandler& handler) {
  if (fd == listen_fd_) {
    Accept();
    return;
  }
  const auto it = std::find_if(connections_.begin(), connections_.end(),
                               [fd](const Connection& c) { return c.fd == fd; });
  if (it == connections_.end()) return;
  if (!Read(*it, handler)) {
    close(it->fd);
    connections_.erase(it);
  }
}

void ControlServer::Accept() {
  const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
  if (fd < 0) return;  // the client gave up already, or a transient error
  if (connections_.size() == kMaxConnections) {
    SendAll(fd, "error too many control connections\n");
    close(fd);
    return;
  }
  connections_.push_back({fd, {}});
}

bool ControlServer::Read(Connection& connection, const LineHandler& handler) {
  char buffer[512];
  const ssize_t got = recv(connection.fd, buffer, sizeof(buffer), 0);
  if (got < 0) return errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR;
  if (got == 0) return false;  // the client closed its side
  connection.pending.append(buffer, static_cast<size_t>(got));
  size_t newline;
  while ((newline = connection.pending.find('\n')) != std::string::npos) {
    const std::string line = connection.pending.substr(0, newline);
    connection.pending.erase(0, newline + 1);
    SendAll(connection.fd, handler(line) + "\n");
  }
  if (connection.pending.size() > kMaxControlLineBytes + 1) {  // + 1: a '\r' before the '\n'
    SendAll(connection.fd,
            "error the line is longer than " + std::to_string(kMaxControlLineBytes) + " bytes\n");
    return false;
  }
  return true;
}

std::string SendControlLine(const std::filesystem::path& state_dir, const std::string& line,
                            int timeout_ms) {
  const std::filesystem::path path = ControlSocketPath(state_dir);
  std::error_code error;
  if (!std::filesystem::exists(path, error)) {
    host::ThrowTransport("no device runs in " + state_dir.string() + " (no " + path.string() +
                         "; start one with bleota sim run --state-dir " + state_dir.string() + ")");
  }
  const UnixSocketAddress address(path);
  const int fd = NewStreamSocket();
  if (connect(fd, address.get(), address.size()) != 0) {
    const std::string message =
        Errno("no device runs in " + state_dir.string() + " (cannot connect to " + path.string());
    close(fd);
    host::ThrowTransport(message + ")");
  }
  SendAll(fd, line + "\n");
  std::string reply;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
  while (reply.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    pollfd pfd{fd, POLLIN, 0};
    const int ready = left.count() > 0 ? poll(&pfd, 1, static_cast<int>(left.count())) : 0;
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) {
      close(fd);
      host::ThrowTransport("the device in " + state_dir.string() + " did not answer in " +
                           std::to_string(timeout_ms) + " ms");
    }
    char buffer[512];
    const ssize_t got = recv(fd, buffer, sizeof(buffer), 0);
    if (got <= 0 || reply.size() + static_cast<size_t>(got) > kMaxReplyBytes) {
      close(fd);
      host::ThrowTransport("the device in " + state_dir.string() +
                           " closed the control connection without a complete answer");
    }
    reply.append(buffer, static_cast<size_t>(got));
  }
  close(fd);
  reply.resize(reply.find('\n'));
  return reply;
}

}  // namespace bleota::sim
