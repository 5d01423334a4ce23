// libFuzzer target: the SMP serial framing decoder (console bytes straight from a UART, the first
// code an attacker on the serial line reaches) and the BLE reassembler.
//
// Properties, on every input:
// 1. The input as a console stream: the decoder never reads or writes out of bounds, always makes
//    progress, and reports the same packets and errors whether it is fed all at once, one byte at
//    a time, or in chunks sized by the input; every packet has a valid size and its re-encoding
//    decodes to itself.
// 2. The input (clipped to the buffer) as an SMP packet: encode -> decode in chunks gives it back.
// 3. The input as BLE writes: the reassembler yields only packets whose header length matches.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bleota/bytes.hpp"
#include "bleota/smp/ble_reassembly.hpp"
#include "bleota/smp/serial_framing.hpp"
#include "bleota/smp/smp_header.hpp"

namespace bleota::smp {
namespace {

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, condition);
  std::abort();
}

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : CheckFailed(__FILE__, __LINE__, #condition))

constexpr size_t kCapacity = 1024;

struct Outcome {
  SerialEvent event;
  SerialFrameError error;
  std::vector<uint8_t> packet;
  bool operator==(const Outcome&) const = default;
};

// Decodes `stream` with chunk sizes cycling through `chunks` (0 = the whole rest).
std::vector<Outcome> Decode(ConstByteSpan stream, ConstByteSpan chunks) {
  std::vector<uint8_t> buffer(kCapacity);
  SerialFrameDecoder decoder(buffer);
  std::vector<Outcome> outcomes;
  size_t pos = 0;
  size_t turn = 0;
  while (pos < stream.size()) {
    size_t chunk = chunks.empty() ? 0 : chunks[turn++ % chunks.size()];
    if (chunk == 0 || chunk > stream.size() - pos) chunk = stream.size() - pos;
    ConstByteSpan input = stream.subspan(pos, chunk);
    while (!input.empty()) {
      const SerialDecodeStep step = decoder.Feed(input);
      FUZZ_CHECK(step.consumed >= 1 && step.consumed <= input.size());
      if (step.event == SerialEvent::kPacket) {
        const ConstByteSpan packet = decoder.packet();
        FUZZ_CHECK(packet.size() >= kSmpHeaderSize && packet.size() <= kCapacity);
        FUZZ_CHECK(step.error == SerialFrameError::kNone);
        outcomes.push_back({step.event, step.error, {packet.begin(), packet.end()}});
      } else if (step.event == SerialEvent::kError) {
        FUZZ_CHECK(step.error != SerialFrameError::kNone);
        outcomes.push_back({step.event, step.error, {}});
      } else {
        FUZZ_CHECK(step.consumed == input.size());
      }
      input = input.subspan(step.consumed);
    }
    pos += chunk;
  }
  return outcomes;
}

std::vector<uint8_t> Encode(ConstByteSpan packet) {
  std::vector<uint8_t> out(SerialEncodedSize(packet.size()));
  auto written = EncodeSerialPacket(packet, out);
  FUZZ_CHECK(written.ok() && *written == out.size());
  return out;
}

void CheckConsoleStream(ConstByteSpan data) {
  const uint8_t one[] = {1};
  const std::vector<Outcome> whole = Decode(data, {});
  FUZZ_CHECK(Decode(data, one) == whole);
  FUZZ_CHECK(Decode(data, data.first(data.size() < 8 ? data.size() : 8)) == whole);
  for (const Outcome& outcome : whole) {
    if (outcome.event != SerialEvent::kPacket) continue;
    const std::vector<Outcome> again = Decode(Encode(outcome.packet), {});
    FUZZ_CHECK(again.size() == 1 && again[0] == outcome);
  }
}

void CheckRoundTrip(ConstByteSpan data) {
  if (data.size() < kSmpHeaderSize) return;
  const ConstByteSpan packet = data.first(data.size() < kCapacity ? data.size() : kCapacity);
  const std::vector<uint8_t> stream = Encode(packet);
  const std::vector<Outcome> outcomes = Decode(stream, data.first(4));
  FUZZ_CHECK(outcomes.size() == 1);
  FUZZ_CHECK(outcomes[0].event == SerialEvent::kPacket);
  FUZZ_CHECK(outcomes[0].packet == std::vector<uint8_t>(packet.begin(), packet.end()));
}

void CheckBleWrites(ConstByteSpan data) {
  std::vector<uint8_t> buffer(256);
  BleReassembler reassembler(buffer);
  // Write sizes come from the first byte: 1..32 bytes each.
  const size_t write_size = data.empty() ? 1 : 1 + data[0] % 32;
  for (size_t pos = 0; pos < data.size(); pos += write_size) {
    ConstByteSpan write =
        data.subspan(pos, data.size() - pos < write_size ? data.size() - pos : write_size);
    while (!write.empty()) {
      const BleReassemblyStep step = reassembler.Feed(write);
      FUZZ_CHECK(step.consumed <= write.size());
      if (step.event == BleEvent::kPacket) {
        FUZZ_CHECK(DecodeSmpPacket(reassembler.packet()).ok());
        FUZZ_CHECK(reassembler.packet().size() <= buffer.size());
      } else if (step.event == BleEvent::kNeedMore) {
        FUZZ_CHECK(step.consumed == write.size());
      } else {
        FUZZ_CHECK(step.error != BleReassemblyError::kNone);
      }
      FUZZ_CHECK(step.consumed > 0);
      write = write.subspan(step.consumed);
    }
  }
}

}  // namespace
}  // namespace bleota::smp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bleota::ConstByteSpan input(data, size);
  bleota::smp::CheckConsoleStream(input);
  bleota::smp::CheckRoundTrip(input);
  bleota::smp::CheckBleWrites(input);
  return 0;
}
