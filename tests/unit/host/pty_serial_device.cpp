#include "pty_serial_device.hpp"

#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include <cstdlib>
#include <stdexcept>

#include "bleota/bytes.hpp"
#include "bleota/smp/serial_framing.hpp"

namespace bleota::host::test {

std::vector<uint8_t> EncodeSerialFrame(const std::vector<uint8_t>& packet) {
  std::vector<uint8_t> lines(smp::SerialEncodedSize(packet.size()));
  const Result<size_t> size =
      smp::EncodeSerialPacket(ConstByteSpan(packet), ByteSpan(lines.data(), lines.size()));
  if (!size.ok()) throw std::runtime_error("test: reply too large for a serial frame");
  lines.resize(*size);
  return lines;
}

PtySerialDevice::PtySerialDevice(Handler handler, BeforeReply before_reply)
    : handler_(std::move(handler)), before_reply_(std::move(before_reply)) {
  master_ = posix_openpt(O_RDWR | O_NOCTTY);
  if (master_ < 0 || grantpt(master_) != 0 || unlockpt(master_) != 0) {
    if (master_ >= 0) close(master_);
    throw std::runtime_error("test: no pseudo-terminal");
  }
  path_ = ptsname(master_);
  thread_ = std::thread([this] { Serve(); });
}

PtySerialDevice::~PtySerialDevice() {
  stop_ = true;
  thread_.join();
  close(master_);
}

void PtySerialDevice::Write(const uint8_t* data, size_t size) {
  while (size > 0) {
    const ssize_t n = write(master_, data, size);
    if (n <= 0) return;
    data += n;
    size -= static_cast<size_t>(n);
  }
}

void PtySerialDevice::Serve() {
  Bytes packet_buffer(4096);
  smp::SerialFrameDecoder decoder(ByteSpan(packet_buffer.data(), packet_buffer.size()));
  uint8_t chunk[256];
  while (!stop_) {
    pollfd p{master_, POLLIN, 0};
    if (poll(&p, 1, 20) <= 0) continue;
    const ssize_t n = read(master_, chunk, sizeof(chunk));
    if (n <= 0) continue;
    ConstByteSpan input(chunk, static_cast<size_t>(n));
    while (!input.empty()) {
      const smp::SerialDecodeStep step = decoder.Feed(input);
      input = input.subspan(step.consumed);
      if (step.event != smp::SerialEvent::kPacket) continue;
      ++packets_;
      const ConstByteSpan request = decoder.packet();
      const std::optional<Bytes> reply = handler_(Bytes(request.begin(), request.end()));
      if (!reply) continue;
      if (before_reply_) {
        const Bytes before = before_reply_(*reply);
        Write(before.data(), before.size());
      }
      const Bytes frame = EncodeSerialFrame(*reply);
      Write(frame.data(), frame.size());
    }
  }
}

}  // namespace bleota::host::test
