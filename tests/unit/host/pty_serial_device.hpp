// Test double: the device end of a pseudo-terminal speaking the SMP console framing. A thread
// reads the client's lines, decodes them with the core's serial decoder, gives each request
// packet to `handler` and writes back what `before_reply` returns (console text, a corrupted
// frame...) followed by the framed reply. Shared by the serial transport and CLI tests.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace bleota::host::test {

class PtySerialDevice {
 public:
  using Bytes = std::vector<uint8_t>;
  // The reply packet for a request packet; std::nullopt: no reply.
  using Handler = std::function<std::optional<Bytes>(const Bytes& request)>;
  // Raw bytes written before the reply's frame (may be empty); gets the reply packet.
  using BeforeReply = std::function<Bytes(const Bytes& reply)>;

  explicit PtySerialDevice(Handler handler, BeforeReply before_reply = {});
  ~PtySerialDevice();
  PtySerialDevice(const PtySerialDevice&) = delete;
  PtySerialDevice& operator=(const PtySerialDevice&) = delete;

  // The client's end (/dev/pts/N).
  const std::string& path() const { return path_; }
  int packets() const { return packets_; }

 private:
  void Serve();
  void Write(const uint8_t* data, size_t size);

  Handler handler_;
  BeforeReply before_reply_;
  int master_ = -1;
  std::string path_;
  std::atomic<bool> stop_{false};
  std::atomic<int> packets_{0};
  std::thread thread_;
};

// The framed bytes of `packet` (base64 lines with CRC) as the device sends them.
std::vector<uint8_t> EncodeSerialFrame(const std::vector<uint8_t>& packet);

}  // namespace bleota::host::test
