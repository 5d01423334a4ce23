#include "bleota/smp/serial_framing.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include "bleota/smp/crc16.hpp"

namespace bleota::smp {
namespace {

using Bytes = std::vector<uint8_t>;
// One decoder outcome: a packet or an error.
using Outcome = std::variant<Bytes, SerialFrameError>;

Bytes FromString(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes Line(bool first, const std::string& base64) {
  Bytes line = first ? Bytes{0x06, 0x09} : Bytes{0x04, 0x14};
  line.insert(line.end(), base64.begin(), base64.end());
  line.push_back('\n');
  return line;
}

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Encode(const Bytes& packet) {
  Bytes out(SerialEncodedSize(packet.size()));
  auto n = EncodeSerialPacket(packet, out);
  EXPECT_TRUE(n.ok());
  EXPECT_EQ(n.ok() ? *n : 0, out.size());
  return out;
}

// Feeds `stream` in chunks whose sizes come from `rng` (1 byte each when rng is null).
std::vector<Outcome> DecodeAll(const Bytes& stream, size_t capacity, std::mt19937* rng = nullptr) {
  Bytes buffer(capacity);
  SerialFrameDecoder decoder(buffer);
  std::vector<Outcome> outcomes;
  size_t pos = 0;
  while (pos < stream.size()) {
    size_t chunk = rng ? 1 + (*rng)() % 300 : 1;
    if (chunk > stream.size() - pos) chunk = stream.size() - pos;
    ConstByteSpan input(stream.data() + pos, chunk);
    while (!input.empty()) {
      const SerialDecodeStep step = decoder.Feed(input);
      EXPECT_GE(step.consumed, 1u);
      EXPECT_LE(step.consumed, input.size());
      if (step.event == SerialEvent::kPacket) {
        outcomes.emplace_back(Bytes(decoder.packet().begin(), decoder.packet().end()));
      } else if (step.event == SerialEvent::kError) {
        EXPECT_NE(step.error, SerialFrameError::kNone);
        outcomes.emplace_back(step.error);
      } else {
        EXPECT_EQ(step.consumed, input.size());
      }
      input = input.subspan(step.consumed);
    }
    pos += chunk;
  }
  return outcomes;
}

// SMP echo request, v1: header {op write, len 6, group 0, seq 0, id 0} + CBOR {"d": "hi"}.
const Bytes kEchoPacket = {0x02, 0x00, 0x00, 0x06, 0x00, 0x00, 0x00,
                           0x00, 0xA1, 0x61, 0x64, 0x62, 0x68, 0x69};
// Length 0x0010, the packet, CRC16-XMODEM 0x0917, as base64 (computed outside this code).
const Bytes kEchoFrame = Line(true, "ABACAAAGAAAAAKFhZGJoaQkX");

// A 100-byte v2 packet (write, group 1, seq 7, id 1, payload 0..91): 104 raw bytes, two lines.
Bytes TwoLinePacket() {
  Bytes p = {0x0A, 0x00, 0x00, 92, 0x00, 0x01, 0x07, 0x01};
  for (int i = 0; i < 92; ++i) p.push_back(static_cast<uint8_t>(i));
  return p;
}
const Bytes kTwoLineFrames = Concat(
    {Line(true,
          "AGYKAABcAAEHAQABAgMEBQYHCAkKCwwNDg8QERITFBUWFxgZGhscHR4fICEiIyQlJicoKSorLC0uLzAxMjM0"
          "NTY3ODk6Ozw9Pj9AQUJDREVGR0hJSktMTU5PUFFS"),
     Line(false, "U1RVVldYWVpbtYc=")});

TEST(SerialFramingTest, EncodesHandWrittenFrames) {
  EXPECT_EQ(Crc16Xmodem(kEchoPacket), 0x0917);
  EXPECT_EQ(Encode(kEchoPacket), kEchoFrame);
  EXPECT_EQ(Encode(TwoLinePacket()), kTwoLineFrames);
  EXPECT_EQ(kTwoLineFrames.size() - 19, kSerialMaxLine);  // first line is exactly 127 bytes
}

TEST(SerialFramingTest, DecodesHandWrittenFrames) {
  auto out = DecodeAll(Concat({kEchoFrame, kTwoLineFrames}), 512);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<Bytes>(out[0]), kEchoPacket);
  EXPECT_EQ(std::get<Bytes>(out[1]), TwoLinePacket());
}

TEST(SerialFramingTest, SkipsConsoleTextBetweenPackets) {
  const Bytes stream = Concat(
      {FromString("uart:~$ log line\r\n"), kEchoFrame, FromString("other text\n"), kEchoFrame});
  auto out = DecodeAll(stream, 64);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<Bytes>(out[0]), kEchoPacket);
  EXPECT_EQ(std::get<Bytes>(out[1]), kEchoPacket);
}

TEST(SerialFramingTest, AcceptsLinesEncodedOnTheirOwn) {
  // The same raw bytes split after 3 bytes (4 characters) and each part padded separately is
  // still accepted: lines are decoded one by one, as some clients do.
  auto out = DecodeAll(Concat({Line(true, "ABAC"), Line(false, "AAAGAAAAAKFhZGJoaQkX")}), 64);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<Bytes>(out[0]), kEchoPacket);
  out = DecodeAll(Concat({
                      Line(true, "ABA="),
                      Line(false, "AgAAB"),
                  }),
                  64);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<SerialFrameError>(out[0]), SerialFrameError::kBadBase64);
}

TEST(SerialFramingTest, EncoderLinesAreBoundedAndMultiplesOfFour) {
  for (size_t size : {8u, 88u, 89u, 90u, 91u, 180u, 500u, 2100u}) {
    Bytes packet(size, 0x5A);
    const Bytes stream = Encode(packet);
    size_t start = 0;
    int lines = 0;
    for (size_t i = 0; i < stream.size(); ++i) {
      if (stream[i] != '\n') continue;
      const size_t length = i + 1 - start;
      EXPECT_LE(length, kSerialMaxLine);
      EXPECT_EQ((length - 3) % 4, 0u);
      EXPECT_EQ(stream[start], lines == 0 ? 0x06 : 0x04);
      EXPECT_EQ(stream[start + 1], lines == 0 ? 0x09 : 0x14);
      if (i + 1 < stream.size()) {
        EXPECT_EQ(length, kSerialMaxLine);
      }
      start = i + 1;
      ++lines;
    }
    EXPECT_EQ(start, stream.size());
  }
}

TEST(SerialFramingTest, EncoderChecksArguments) {
  Bytes out(16);
  EXPECT_EQ(EncodeSerialPacket({}, out).status(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeSerialPacket(ConstByteSpan(kEchoPacket.data(), 7), out).status(),
            StatusCode::kInvalidArgument);
  Bytes huge(kSerialMaxPacket + 1);
  Bytes big_out(SerialEncodedSize(huge.size()));
  EXPECT_EQ(EncodeSerialPacket(huge, big_out).status(), StatusCode::kInvalidArgument);
  EXPECT_EQ(EncodeSerialPacket(kEchoPacket, ByteSpan(out.data(), kEchoFrame.size() - 1)).status(),
            StatusCode::kResourceExhausted);
}

TEST(SerialFramingTest, RoundTripsManySizesWithRandomChunking) {
  std::mt19937 rng(1234);
  // Payloads of 1..2100 bytes after the 8-byte header.
  for (size_t size = 1; size <= 2100; size += (size < 300 ? 1 : 37)) {
    Bytes packet(8 + size);
    for (uint8_t& b : packet) b = static_cast<uint8_t>(rng());
    const Bytes stream = Concat({Encode(packet), Encode(kEchoPacket)});
    auto out = DecodeAll(stream, 2108, &rng);
    ASSERT_EQ(out.size(), 2u) << size;
    EXPECT_EQ(std::get<Bytes>(out[0]), packet) << size;
    EXPECT_EQ(std::get<Bytes>(out[1]), kEchoPacket);
  }
}

TEST(SerialFramingTest, LargestPacketFitsExactly) {
  Bytes packet(300, 0x11);
  auto out = DecodeAll(Encode(packet), 300);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<Bytes>(out[0]), packet);
  out = DecodeAll(Concat({Encode(packet), kEchoFrame}), 299);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<SerialFrameError>(out[0]), SerialFrameError::kOversized);
  EXPECT_EQ(std::get<Bytes>(out[1]), kEchoPacket);  // resynchronized
}

// Every proper prefix of a packet's frames, followed by a whole packet: the cut packet is an
// error (once it has its start marker), the next one decodes.
TEST(SerialFramingTest, EveryTruncationIsReported) {
  for (const Bytes& frames : {kEchoFrame, kTwoLineFrames, Encode(Bytes(400, 0x33))}) {
    for (size_t cut = 0; cut < frames.size(); ++cut) {
      const Bytes stream = Concat({Bytes(frames.begin(), frames.begin() + cut), kEchoFrame});
      auto out = DecodeAll(stream, 512);
      if (cut < 2) {  // nothing but console noise before the real start
        ASSERT_EQ(out.size(), 1u) << cut;
      } else {
        ASSERT_EQ(out.size(), 2u) << cut;
        EXPECT_EQ(std::get<SerialFrameError>(out[0]), SerialFrameError::kTruncated) << cut;
      }
      EXPECT_EQ(std::get<Bytes>(out.back()), kEchoPacket) << cut;
    }
  }
}

// Every single-byte change of a frame (each position, every other value) is an error, never a
// packet; the decoder then resynchronizes on the following packet.
TEST(SerialFramingTest, EverySingleByteCorruptionIsReported) {
  for (const Bytes& frames : {kEchoFrame, kTwoLineFrames}) {
    for (size_t pos = 0; pos < frames.size(); ++pos) {
      for (int delta = 1; delta < 256; ++delta) {
        Bytes corrupt = frames;
        corrupt[pos] = static_cast<uint8_t>(corrupt[pos] + delta);
        auto out = DecodeAll(Concat({corrupt, kEchoFrame}), 512);
        ASSERT_GE(out.size(), 1u);
        EXPECT_EQ(std::get<Bytes>(out.back()), kEchoPacket) << pos << " " << delta;
        size_t packets = 0;
        for (const Outcome& o : out) packets += std::holds_alternative<Bytes>(o);
        EXPECT_EQ(packets, 1u) << pos << " " << delta;
        // A corrupted start byte turns the frame into noise; everything else is an error.
        if (pos >= 2) {
          EXPECT_GE(out.size(), 2u) << pos << " " << delta;
        }
      }
    }
  }
}

TEST(SerialFramingTest, SpecificErrors) {
  // Continuation with no packet.
  auto out = DecodeAll(Concat({Line(false, "AAAA"), kEchoFrame}), 64);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<SerialFrameError>(out[0]), SerialFrameError::kFrameWithoutStart);
  // Wrong CRC: the last character of the CRC changed.
  out = DecodeAll(Line(true, "ABACAAAGAAAAAKFhZGJoaQkY"), 64);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<SerialFrameError>(out[0]), SerialFrameError::kCrcMismatch);
  out = DecodeAll(Line(true, "ABACAAAGAAAAAKFhZGJoaQkA"), 64);
  ASSERT_EQ(out.size(), 1u);
  EXPECT_EQ(std::get<SerialFrameError>(out[0]), SerialFrameError::kCrcMismatch);
  // Length field 9 (below header + CRC).
  out = DecodeAll(Line(true, "AAkA"), 64);
  EXPECT_EQ(std::get<SerialFrameError>(out.at(0)), SerialFrameError::kBadLength);
  // More data than the length field says.
  out = DecodeAll(Line(true, "ABACAAAGAAAAAKFhZGJoaQkXAAAA"), 64);
  EXPECT_EQ(std::get<SerialFrameError>(out.at(0)), SerialFrameError::kLengthMismatch);
  // A 128-byte line.
  out = DecodeAll(Line(true, std::string(124, 'A') + "AAAA"), 64);
  EXPECT_FALSE(out.empty());
  for (const Outcome& o : out) EXPECT_TRUE(std::holds_alternative<SerialFrameError>(o));
  out = DecodeAll(Concat({Line(true, "AAD"), kEchoFrame}), 64);  // partial group
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<SerialFrameError>(out[0]), SerialFrameError::kBadBase64);
  EXPECT_EQ(std::get<Bytes>(out[1]), kEchoPacket);
}

TEST(SerialFramingTest, LineTooLongIsReported) {
  Bytes line = {0x06, 0x09, 'A', 'f', 'A', 'A'};  // length field 496, then zeros
  line.insert(line.end(), 200, 'A');
  auto out = DecodeAll(Concat({line, kEchoFrame}), 64 * 1024);
  ASSERT_EQ(out.size(), 2u);
  EXPECT_EQ(std::get<SerialFrameError>(out[0]), SerialFrameError::kLineTooLong);
  EXPECT_EQ(std::get<Bytes>(out[1]), kEchoPacket);
}

TEST(SerialFramingTest, ErrorNamesAreDistinct) {
  EXPECT_STREQ(SerialFrameErrorName(SerialFrameError::kCrcMismatch), "crc_mismatch");
  EXPECT_STRNE(SerialFrameErrorName(SerialFrameError::kTruncated),
               SerialFrameErrorName(SerialFrameError::kOversized));
}

TEST(SerialFramingTest, ResetDropsPartialPacket) {
  Bytes buffer(64);
  SerialFrameDecoder decoder(buffer);
  EXPECT_EQ(decoder.Feed(ConstByteSpan(kEchoFrame.data(), 10)).event, SerialEvent::kNeedMore);
  EXPECT_TRUE(decoder.in_packet());
  decoder.Reset();
  EXPECT_FALSE(decoder.in_packet());
  const SerialDecodeStep step = decoder.Feed(kEchoFrame);
  EXPECT_EQ(step.event, SerialEvent::kPacket);
}

}  // namespace
}  // namespace bleota::smp
