// libFuzzer target: the SMP server with the OS group, the first code a client reaches after the
// framing. Each input is one request packet (any bytes), and the same bytes as a serial console
// stream and as BLE writes through the device transports.
//
// Properties, on every input:
// 1. Handle never fails with a large enough buffer; it answers exactly the inputs with a
//    decodable request header (op read/write, or versions 2-3), and an answer is a whole packet:
//    its header decodes, its length matches, version = request's (v2 for versions 2-3), op + 1,
//    flags 0, same group/sequence/command, and the payload is one CBOR map.
// 2. Handling is deterministic (same bytes twice) and a reset is only scheduled by a reset write
//    to group 0 that was answered {}.
// 3. With the smallest allowed response buffer (29 bytes) the answer is the same when it fits,
//    else the {"rc": 7} reply (TOO_LARGE).
// 4. Through SerialSmpTransport and BleSmpTransport (MTU 23) every line is at most 127 bytes with
//    frame markers, every notification at most 20 bytes, and the replies decode to packets that
//    satisfy 1.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "bleota/smp/ble_smp_transport.hpp"
#include "bleota/smp/cbor_reader.hpp"
#include "bleota/smp/os_group.hpp"
#include "bleota/smp/serial_framing.hpp"
#include "bleota/smp/serial_smp_transport.hpp"
#include "bleota/smp/smp_header.hpp"
#include "bleota/smp/smp_server.hpp"

namespace bleota::smp {
namespace {

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, condition);
  std::abort();
}

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : CheckFailed(__FILE__, __LINE__, #condition))

using Bytes = std::vector<uint8_t>;

constexpr size_t kBufSize = 1024;

OsGroupConfig Config() {
  OsGroupConfig config;
  config.buf_size = kBufSize;
  config.buf_count = 4;
  config.info = {"bleota", "fuzz", "1.0.0", "1.0.0+0", "2026-11-25", "x86", "", "host", "bleota"};
  return config;
}

struct Device {
  ResetRequest reset;
  Result<OsGroup> os = OsGroup::Create(Config(), reset);
  SmpGroup* groups[1] = {&*os};
  SmpServer server{groups};
};

bool IsOneMap(ConstByteSpan payload) {
  CborReader reader(payload);
  CborReader peek = reader;
  const Result<CborItem> head = peek.Next();
  return head.ok() && head->type == CborType::kMap && reader.Skip().ok() && reader.ExpectEnd().ok();
}

// Property 1 for a reply to `request` (whose header is known to be answerable).
void CheckReply(ConstByteSpan request, ConstByteSpan reply) {
  const Result<SmpHeader> header = DecodeSmpPacket(reply);
  FUZZ_CHECK(header.ok());
  const uint8_t version = (request[0] >> 3) & 0x3;
  const uint8_t op = request[0] & 0x7;
  FUZZ_CHECK(static_cast<uint8_t>(header->version) == (version == 0 ? 0 : 1));
  FUZZ_CHECK(static_cast<uint8_t>(header->op) == op + 1);
  FUZZ_CHECK(header->flags == 0);
  FUZZ_CHECK(header->group == ((request[4] << 8) | request[5]));
  FUZZ_CHECK(header->sequence == request[6]);
  FUZZ_CHECK(header->command == request[7]);
  FUZZ_CHECK(IsOneMap(reply.subspan(kSmpHeaderSize)));
}

// Whether the server must answer `request`: a header whose reserved bits are clear and whose op
// is read or write (any version; 2-3 get "too new").
bool Answerable(ConstByteSpan request) {
  if (request.size() < kSmpHeaderSize) return false;
  const uint8_t first = request[0];
  const uint8_t op = first & 0x7;
  return (first & 0xE0) == 0 && (op == 0 || op == 2);
}

Bytes HandleOnce(Device& device, ConstByteSpan request, size_t buffer_size) {
  Bytes response(buffer_size);
  const Result<size_t> size = device.server.Handle(request, response);
  FUZZ_CHECK(size.ok());
  FUZZ_CHECK(*size <= buffer_size);
  response.resize(*size);
  return response;
}

void FuzzServer(ConstByteSpan input) {
  Device device;
  FUZZ_CHECK(device.os.ok());
  const Bytes reply = HandleOnce(device, input, kBufSize + 64);
  FUZZ_CHECK(reply.empty() == !Answerable(input));
  if (reply.empty()) {
    FUZZ_CHECK(!device.reset.pending());
    return;
  }
  CheckReply(input, reply);
  if (device.reset.pending()) {
    FUZZ_CHECK(input[0] == 0x02 || input[0] == 0x0A);  // a v1/v2 write
    FUZZ_CHECK(input[4] == 0 && input[5] == 0 && input[7] == 5);
    FUZZ_CHECK(reply.size() == kSmpHeaderSize + 1 && reply[kSmpHeaderSize] == 0xA0);
  }
  device.reset.Clear();
  FUZZ_CHECK(HandleOnce(device, input, kBufSize + 64) == reply);
  device.reset.Clear();

  const Bytes small = HandleOnce(device, input, kSmpMinResponseSize);
  if (reply.size() <= kSmpMinResponseSize) {
    FUZZ_CHECK(small == reply);
  } else {
    CheckReply(input, small);
    const uint8_t too_large[] = {0xA1, 0x62, 'r', 'c', 0x07};
    FUZZ_CHECK(small.size() == kSmpHeaderSize + sizeof(too_large));
    FUZZ_CHECK(Bytes(small.begin() + kSmpHeaderSize, small.end()) ==
               Bytes(too_large, too_large + sizeof(too_large)));
  }
}

class CollectingSink final : public SmpLinkSink {
 public:
  explicit CollectingSink(size_t max_send) : max_send_(max_send) {}
  Status Send(ConstByteSpan bytes) override {
    FUZZ_CHECK(!bytes.empty() && bytes.size() <= max_send_);
    sends.emplace_back(bytes.begin(), bytes.end());
    return Status::Ok();
  }
  std::vector<Bytes> sends;

 private:
  size_t max_send_;
};

// Replies out of the serial lines a transport sent.
std::vector<Bytes> DecodeLines(const std::vector<Bytes>& lines) {
  std::vector<Bytes> packets;
  Bytes buffer(kBufSize + 64);
  SerialFrameDecoder decoder(buffer);
  for (const Bytes& line : lines) {
    FUZZ_CHECK(line.size() >= 4 && line.back() == '\n');
    FUZZ_CHECK((line[0] == 0x06 && line[1] == 0x09) || (line[0] == 0x04 && line[1] == 0x14));
    ConstByteSpan rest(line);
    while (!rest.empty()) {
      const SerialDecodeStep step = decoder.Feed(rest);
      FUZZ_CHECK(step.event != SerialEvent::kError);
      if (step.event == SerialEvent::kPacket) {
        packets.emplace_back(decoder.packet().begin(), decoder.packet().end());
      }
      rest = rest.subspan(step.consumed);
    }
  }
  FUZZ_CHECK(!decoder.in_packet());
  return packets;
}

void FuzzTransports(ConstByteSpan input) {
  {
    Device device;
    CollectingSink sink(kSerialMaxLine);
    Bytes request(kBufSize);
    Bytes response(kBufSize + 64);
    SerialSmpTransport serial(device.server, sink, device.reset, request, response);
    size_t consumed = 0;
    uint16_t responses = 0;
    while (consumed < input.size()) {
      const SmpTransportResult result = serial.Feed(input.subspan(consumed));
      FUZZ_CHECK(result.consumed <= input.size() - consumed);
      FUZZ_CHECK(result.reset_requested == device.reset.pending());
      FUZZ_CHECK(result.consumed == input.size() - consumed || result.reset_requested);
      consumed += result.consumed;
      responses = static_cast<uint16_t>(responses + result.responses);
      device.reset.Clear();
    }
    const std::vector<Bytes> replies = DecodeLines(sink.sends);
    FUZZ_CHECK(replies.size() == responses);
    for (const Bytes& reply : replies) FUZZ_CHECK(DecodeSmpPacket(reply).ok());
  }
  {
    Device device;
    CollectingSink sink(kAttMinMtu - kAttOverhead);
    Bytes request(kBufSize);
    Bytes response(kBufSize + 64);
    BleSmpTransport ble(device.server, sink, device.reset, request, response);
    // Writes of up to 20 bytes, sized by the input's first byte.
    const size_t write_size = input.empty() ? 1 : input[0] % 20 + 1;
    for (size_t offset = 0; offset < input.size();) {
      const size_t size = input.size() - offset < write_size ? input.size() - offset : write_size;
      const SmpTransportResult result = ble.OnWrite(input.subspan(offset, size));
      offset += result.consumed;
      device.reset.Clear();
    }
    Bytes notified;
    for (const Bytes& send : sink.sends) notified.insert(notified.end(), send.begin(), send.end());
    // The notifications are whole reply packets, back to back.
    ConstByteSpan rest(notified);
    while (!rest.empty()) {
      const Result<SmpHeader> header = DecodeSmpHeader(rest);
      FUZZ_CHECK(header.ok());
      const size_t size = kSmpHeaderSize + header->length;
      FUZZ_CHECK(size <= rest.size());
      FUZZ_CHECK(IsOneMap(rest.subspan(kSmpHeaderSize, header->length)));
      rest = rest.subspan(size);
    }
  }
}

}  // namespace
}  // namespace bleota::smp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const bleota::ConstByteSpan input(data, size);
  bleota::smp::FuzzServer(input);
  bleota::smp::FuzzTransports(input);
  return 0;
}
