// The address of a Unix-domain socket given by a filesystem path of any length.
#pragma once

#include <sys/socket.h>
#include <sys/un.h>

#include <filesystem>

namespace bleota::host {

// A sockaddr_un for a path. sun_path holds 107 bytes; a longer path (a deep build or state
// directory) is reached through /proc/self/fd/N/NAME, N being an O_PATH descriptor of its
// directory that this object keeps open for as long as the address is used.
class UnixSocketAddress {
 public:
  // Throws HostError(kIo) when the directory cannot be opened or the file name alone does not
  // fit, HostError(kUsage) for an empty path.
  explicit UnixSocketAddress(const std::filesystem::path& path);
  ~UnixSocketAddress();
  UnixSocketAddress(const UnixSocketAddress&) = delete;
  UnixSocketAddress& operator=(const UnixSocketAddress&) = delete;

  const sockaddr* get() const { return reinterpret_cast<const sockaddr*>(&address_); }
  socklen_t size() const { return sizeof(address_); }

 private:
  sockaddr_un address_{};
  int directory_fd_ = -1;
};

}  // namespace bleota::host
