#include "bleota/simdev/pty_endpoint.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bleota/host/error.hpp"

namespace bleota::sim {
namespace {

// How long a response may wait for a client that does not read before it is dropped.
constexpr int kWriteTimeoutMs = 2000;

}  // namespace

PtyEndpoint::PtyEndpoint() {
  master_ = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) {
    host::ThrowIo(std::string("cannot create a pty: ") + std::strerror(errno));
  }
  const char* name = ptsname(master_);
  if (name == nullptr) host::ThrowIo(std::string("ptsname failed: ") + std::strerror(errno));
  slave_path_ = name;
  slave_ = open(slave_path_.c_str(), O_RDWR | O_NOCTTY | O_CLOEXEC);
  if (slave_ < 0) host::ThrowIo("cannot open " + slave_path_ + ": " + std::strerror(errno));
  termios tio{};
  if (tcgetattr(slave_, &tio) != 0) host::ThrowIo("tcgetattr failed: " + slave_path_);
  cfmakeraw(&tio);
  if (tcsetattr(slave_, TCSANOW, &tio) != 0) host::ThrowIo("tcsetattr failed: " + slave_path_);
  const int flags = fcntl(master_, F_GETFL);
  fcntl(master_, F_SETFL, flags | O_NONBLOCK);
}

PtyEndpoint::~PtyEndpoint() {
  if (slave_ >= 0) close(slave_);
  if (master_ >= 0) close(master_);
}

Status PtyEndpoint::Send(ConstByteSpan bytes) {
  size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = write(master_, bytes.data() + done, bytes.size() - done);
    if (wrote > 0) {
      done += static_cast<size_t>(wrote);
      continue;
    }
    if (wrote < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      return StatusCode::kFlashIo;  // the line is gone
    }
    pollfd waiting{master_, POLLOUT, 0};
    if (poll(&waiting, 1, kWriteTimeoutMs) <= 0) return StatusCode::kFlashIo;  // nobody reads
  }
  return Status::Ok();
}

void PtyEndpoint::Service(SimDevice& device) {
  uint8_t input[512];
  for (;;) {
    const ssize_t got = read(master_, input, sizeof(input));
    if (got <= 0) {
      // EAGAIN: all read. EIO: no client has the slave open (not while slave_ is open).
      if (got < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != EIO) {
        host::ThrowIo("pty read failed: " + std::string(std::strerror(errno)));
      }
      return;
    }
    ConstByteSpan rest(input, static_cast<size_t>(got));
    while (!rest.empty()) {
      const smp::SmpTransportResult result = device.OnSerialBytes(rest);
      rest = rest.subspan(std::min(result.consumed, rest.size()));
      if (result.reset_requested) {
        device.RunRequestedReset();
      } else if (result.consumed == 0) {
        break;  // nothing taken and no reset: do not spin
      }
    }
  }
}

}  // namespace bleota::sim
