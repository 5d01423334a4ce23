#include "bleota/host/smp_serial_transport.hpp"

#include <fcntl.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "bleota/host/error.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;

namespace {

speed_t BaudConstant(uint32_t baud) {
  switch (baud) {
    case 1200:
      return B1200;
    case 2400:
      return B2400;
    case 4800:
      return B4800;
    case 9600:
      return B9600;
    case 19200:
      return B19200;
    case 38400:
      return B38400;
    case 57600:
      return B57600;
    case 115200:
      return B115200;
    case 230400:
      return B230400;
    case 460800:
      return B460800;
    case 500000:
      return B500000;
    case 576000:
      return B576000;
    case 921600:
      return B921600;
    case 1000000:
      return B1000000;
    case 1500000:
      return B1500000;
    case 2000000:
      return B2000000;
    case 3000000:
      return B3000000;
    case 4000000:
      return B4000000;
    default:
      break;
  }
  ThrowUsage("--baud: " + std::to_string(baud) +
             " is not a supported rate (1200 ... 115200, 230400, 460800, 921600, 1000000, "
             "2000000, 3000000, 4000000)");
}

}  // namespace

SmpSerialTransport::SmpSerialTransport(std::string path, uint32_t baud, size_t max_packet)
    : path_(std::move(path)),
      baud_(baud),
      max_packet_(max_packet < smp::kSerialMaxPacket ? max_packet : smp::kSerialMaxPacket),
      packet_buffer_(smp::kSerialMaxPacket) {
  BaudConstant(baud_);  // usage errors before touching the port
  decoder_ = std::make_unique<smp::SerialFrameDecoder>(
      ByteSpan(packet_buffer_.data(), packet_buffer_.size()));
  Open();
}

SmpSerialTransport::~SmpSerialTransport() { Close(); }

std::string SmpSerialTransport::name() const {
  return "serial " + path_ + " " + std::to_string(baud_);
}

void SmpSerialTransport::Open() {
  const int fd = open(path_.c_str(), O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
  if (fd < 0) ThrowTransport("cannot open " + path_ + " (--device): " + std::strerror(errno));
  termios tio{};
  if (tcgetattr(fd, &tio) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    ThrowTransport(path_ + " is not a serial port or pty (--device): " + why);
  }
  cfmakeraw(&tio);
  tio.c_cflag |= CLOCAL | CREAD;
  tio.c_cflag &= ~static_cast<tcflag_t>(CSTOPB | CRTSCTS);
  tio.c_iflag &= ~static_cast<tcflag_t>(IXON | IXOFF | IXANY);
  tio.c_cc[VMIN] = 0;
  tio.c_cc[VTIME] = 0;
  const speed_t speed = BaudConstant(baud_);
  if (cfsetispeed(&tio, speed) != 0 || cfsetospeed(&tio, speed) != 0 ||
      tcsetattr(fd, TCSANOW, &tio) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    ThrowTransport("cannot configure " + path_ + " (raw, " + std::to_string(baud_) +
                   " baud): " + why);
  }
  fd_ = fd;
  hung_up_ = false;
}

void SmpSerialTransport::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
}

void SmpSerialTransport::Send(std::span<const uint8_t> packet) {
  std::vector<uint8_t> lines(smp::SerialEncodedSize(packet.size()));
  const Result<size_t> size =
      smp::EncodeSerialPacket(ConstByteSpan(packet), ByteSpan(lines.data(), lines.size()));
  if (!size.ok()) {
    ThrowUsage("an SMP packet of " + std::to_string(packet.size()) +
               " bytes cannot be framed for serial (8.." + std::to_string(smp::kSerialMaxPacket) +
               " bytes)");
  }
  if (fd_ < 0 && !TryReopen()) ThrowTransport(path_ + " hung up and is not back");
  bool reopened = false;
  size_t done = 0;
  while (done < *size) {
    const ssize_t n = write(fd_, lines.data() + done, *size - done);
    if (n > 0) {
      done += static_cast<size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) {
      pollfd p{fd_, POLLOUT, 0};
      const int ready = poll(&p, 1, 5000);
      if (ready == 0) ThrowTransport("writing to " + path_ + " stalled: nothing reads the port");
      if (ready < 0 && errno != EINTR) {
        ThrowTransport("waiting to write to " + path_ + " failed: " + std::strerror(errno));
      }
      continue;
    }
    if (n < 0 && errno == EIO && !reopened) {
      // The other end hung up (a USB adapter re-enumerated, a pty was recreated behind the same
      // path): reopen once and send the whole packet on the new link.
      hung_up_ = true;
      Close();
      reopened = true;
      if (TryReopen()) {
        done = 0;
        continue;
      }
      ThrowTransport(path_ + " hung up and is not back");
    }
    ThrowTransport("writing to " + path_ +
                   " failed: " + (n < 0 ? std::strerror(errno) : "nothing written"));
  }
}

std::optional<std::vector<uint8_t>> SmpSerialTransport::Receive(std::chrono::milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  uint8_t chunk[512];
  for (;;) {
    // Feed what is already read first: one read may hold the end of a packet and more.
    while (!pending_.empty()) {
      const smp::SerialDecodeStep step =
          decoder_->Feed(ConstByteSpan(pending_.data(), pending_.size()));
      pending_.erase(pending_.begin(), pending_.begin() + static_cast<ptrdiff_t>(step.consumed));
      if (step.event == smp::SerialEvent::kPacket) {
        const ConstByteSpan packet = decoder_->packet();
        return std::vector<uint8_t>(packet.begin(), packet.end());
      }
      if (step.event == smp::SerialEvent::kError) {
        ++frame_errors_;
        last_frame_error_ = smp::SerialFrameErrorName(step.error);
      }
      if (step.consumed == 0 && step.event == smp::SerialEvent::kNeedMore) break;
    }
    if (fd_ < 0 && !TryReopen()) {
      // Still gone: poll for it again until the timeout passes.
      if (Clock::now() >= deadline) return std::nullopt;
      usleep(50 * 1000);
      continue;
    }
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) return std::nullopt;
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(left));
    if (ready < 0) {
      if (errno == EINTR) continue;
      ThrowTransport("waiting for " + path_ + " failed: " + std::strerror(errno));
    }
    if (ready == 0) return std::nullopt;
    const ssize_t n = read(fd_, chunk, sizeof(chunk));
    if (n > 0) {
      pending_.insert(pending_.end(), chunk, chunk + n);
      continue;
    }
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
    // EOF or EIO: the other end hung up (pty closed, USB adapter gone). Reopen when it comes
    // back within the timeout rather than failing at once.
    hung_up_ = true;
    Close();
  }
}

bool SmpSerialTransport::TryReopen() {
  try {
    Open();
    decoder_->Reset();
    pending_.clear();
    return true;
  } catch (const HostError&) {
    return false;
  }
}

void SmpSerialTransport::Resync() {
  decoder_->Reset();
  pending_.clear();
  if (fd_ < 0 || hung_up_) {
    Close();
    Open();
  }
}

std::string SmpSerialTransport::diagnosis() const {
  std::string text;
  if (hung_up_) text = path_ + " hung up";
  if (frame_errors_ > 0) {
    if (!text.empty()) text += "; ";
    text += std::to_string(frame_errors_) +
            " malformed frame(s) were dropped (last: " + last_frame_error_ + "), check --baud";
  }
  return text;
}

}  // namespace bleota::host
