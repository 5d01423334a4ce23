// A small HTTP/1.1 server for the embedded web files: GET and HEAD, one request per connection,
// a thread per connection up to a limit, and a deadline on every connection so that a slow or
// silent client cannot hold the server.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <mutex>
#include <string>

namespace bleota::web {

struct ServerOptions {
  std::string host = "127.0.0.1";  // numeric IPv4/IPv6 address, or "localhost"
  std::uint16_t port = 0;          // 0: the kernel picks one (see StaticServer::port)
  // Whole time a client has to send its request head, and to take the response.
  std::chrono::milliseconds connection_timeout{5000};
  std::size_t max_connections = 32;  // beyond this, new clients get 503
};

class StaticServer {
 public:
  // Binds and listens; throws HostError (kIo) when it cannot.
  explicit StaticServer(const ServerOptions& options);
  ~StaticServer();
  StaticServer(const StaticServer&) = delete;
  StaticServer& operator=(const StaticServer&) = delete;

  std::uint16_t port() const { return port_; }
  std::string url() const;  // http://host:port/

  // Accepts until `stop` is set (checked at least every 100 ms), then waits for the open
  // connections, whose deadlines bound that wait.
  void Run(const std::atomic<bool>& stop);

 private:
  void Serve(int fd);

  ServerOptions options_;
  int listen_fd_ = -1;
  std::uint16_t port_ = 0;
  std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t active_ = 0;
};

}  // namespace bleota::web
