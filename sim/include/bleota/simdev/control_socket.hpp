// The control socket of a running simulated device: DIR/control.sock, a Unix stream socket that
// takes one command line at a time and answers each with one line (docs/simulator.md,
// "Controls"). The server side runs in the device's poll loop; the client is `bleota sim ctl`.
#pragma once

#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "bleota/host/unix_socket_address.hpp"

namespace bleota::sim {

// DIR/control.sock.
std::filesystem::path ControlSocketPath(const std::filesystem::path& state_dir);

using host::UnixSocketAddress;

// The device side: accepts connections and reads their lines (each at most
// kMaxControlLineBytes; a longer one is answered with an error and the connection closed).
class ControlServer {
 public:
  using LineHandler = std::function<std::string(std::string_view line)>;

  // Binds `path`. A socket file nobody listens on (left by a killed device) is replaced; one a
  // device still listens on is an error. Throws host::HostError(kIo).
  explicit ControlServer(std::filesystem::path path);
  // Closes every connection and removes the socket file.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;

  // The descriptors to poll for input: the listening socket, then each connection.
  std::vector<int> fds() const;
  // `fd` (one of fds()) is readable: accepts, or reads and answers each complete line with
  // handler(line) + "\n". Never throws for client behaviour.
  void OnReadable(int fd, const LineHandler& handler);

  const std::filesystem::path& path() const { return path_; }
  // Connections open now (bounded by kMaxConnections).
  size_t connections() const { return connections_.size(); }

  static constexpr size_t kMaxConnections = 8;

 private:
  struct Connection {
    int fd;
    std::string pending;  // bytes of a line not ended yet
  };
  void Accept();
  // false: the connection is to be closed.
  bool Read(Connection& connection, const LineHandler& handler);

  std::filesystem::path path_;
  int listen_fd_ = -1;
  std::vector<Connection> connections_;
};

// The client side: sends one line and returns the device's reply line (without its newline).
// Throws host::HostError(kTransport) when no device runs in `state_dir` (no socket file, or a
// stale one) or it does not answer within `timeout_ms`.
std::string SendControlLine(const std::filesystem::path& state_dir, const std::string& line,
                            int timeout_ms);

}  // namespace bleota::sim
