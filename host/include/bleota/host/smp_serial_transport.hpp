// SMP over a serial port or pty (the mcumgr "SMP shell" console framing of docs/spec/smp.md):
// packets are written with the core's EncodeSerialPacket and read with its SerialFrameDecoder,
// so console text between frames is skipped. The port is put in raw mode (in a cooked tty the
// continuation mark 0x04 would be end-of-file) at the given baud rate.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "bleota/host/smp_transport.hpp"
#include "bleota/smp/serial_framing.hpp"

namespace bleota::host {

inline constexpr uint32_t kSmpSerialDefaultBaud = 115200;

class SmpSerialTransport final : public SmpTransport {
 public:
  // Opens `path` and configures it (raw, 8N1, no flow control, `baud`). Throws HostError(kUsage)
  // for a baud rate termios does not know and HostError(kTransport) when the port cannot be
  // opened or configured. A pty accepts any supported rate.
  SmpSerialTransport(std::string path, uint32_t baud, size_t max_packet = smp::kSerialMaxPacket);
  ~SmpSerialTransport() override;
  SmpSerialTransport(const SmpSerialTransport&) = delete;
  SmpSerialTransport& operator=(const SmpSerialTransport&) = delete;

  std::string name() const override;
  size_t max_packet_size() const override { return max_packet_; }
  void Send(std::span<const uint8_t> packet) override;
  std::optional<std::vector<uint8_t>> Receive(std::chrono::milliseconds timeout) override;
  // Drops a partial packet; reopens the port after a hang-up (a USB adapter re-enumerated).
  void Resync() override;
  std::string diagnosis() const override;
  size_t dropped_input() const override { return frame_errors_; }

 private:
  void Open();
  bool TryReopen();  // Open, false instead of an exception
  void Close();

  std::string path_;
  uint32_t baud_;
  size_t max_packet_;
  int fd_ = -1;
  bool hung_up_ = false;
  std::vector<uint8_t> packet_buffer_;
  std::unique_ptr<smp::SerialFrameDecoder> decoder_;
  std::vector<uint8_t> pending_;  // read but not yet fed to the decoder
  size_t frame_errors_ = 0;
  std::string last_frame_error_;
};

}  // namespace bleota::host
