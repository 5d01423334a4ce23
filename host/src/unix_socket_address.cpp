#include "bleota/host/unix_socket_address.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>

#include "bleota/host/error.hpp"

namespace bleota::host {

UnixSocketAddress::UnixSocketAddress(const std::filesystem::path& path) {
  address_.sun_family = AF_UNIX;
  std::string text = path.string();
  if (text.empty()) ThrowUsage("a Unix socket needs a path");
  if (text.size() >= sizeof(address_.sun_path)) {
    const std::filesystem::path directory =
        path.has_parent_path() ? path.parent_path() : std::filesystem::path(".");
    directory_fd_ = open(directory.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (directory_fd_ < 0) {
      ThrowIo("cannot open " + directory.string() + ": " + std::strerror(errno));
    }
    text = "/proc/self/fd/" + std::to_string(directory_fd_) + "/" + path.filename().string();
    if (text.size() >= sizeof(address_.sun_path)) {
      close(directory_fd_);
      directory_fd_ = -1;
      ThrowIo("the socket name " + path.filename().string() + " is too long");
    }
  }
  std::memcpy(address_.sun_path, text.c_str(), text.size() + 1);
}

UnixSocketAddress::~UnixSocketAddress() {
  if (directory_fd_ >= 0) close(directory_fd_);
}

}  // namespace bleota::host
