// SerialFrameDecoder and "\r\n" line endings (some consoles send them): a '\r' directly before
// the '\n' ends the line's text and is not counted in the 127-byte line limit; a '\r' anywhere
// else in a line is refused (docs/spec/smp.md, "Serial").
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bleota/smp/serial_framing.hpp"

namespace bleota::smp {
namespace {

using Bytes = std::vector<uint8_t>;

// Echo {"d": "hi"} (v2, sequence 7) framed by hand (docs/spec/smp.md), with "\r\n".
const std::string kEchoHiCrLf =
    "\x06\x09"
    "ABAKAAAGAAAHAKFhZGJoaSVk\r\n";
const Bytes kEchoHi = {0x0A, 0x00, 0x00, 0x06, 0x00, 0x00, 0x07,
                       0x00, 0xA1, 0x61, 'd',  0x62, 'h',  'i'};

struct Outcome {
  std::vector<Bytes> packets;
  std::vector<SerialFrameError> errors;
};

Outcome DecodeAll(const Bytes& input) {
  Outcome outcome;
  uint8_t buffer[512];
  SerialFrameDecoder decoder(buffer);
  ConstByteSpan rest(input);
  while (!rest.empty()) {
    const SerialDecodeStep step = decoder.Feed(rest);
    if (step.event == SerialEvent::kPacket) {
      outcome.packets.emplace_back(decoder.packet().begin(), decoder.packet().end());
    } else if (step.event == SerialEvent::kError) {
      outcome.errors.push_back(step.error);
    }
    rest = rest.subspan(step.consumed);
  }
  return outcome;
}

Bytes FromString(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes WithCrLf(const Bytes& lines) {
  Bytes out;
  for (const uint8_t byte : lines) {
    if (byte == '\n') out.push_back('\r');
    out.push_back(byte);
  }
  return out;
}

TEST(SerialCrLfTest, HandMadeCrLfFrameDecodes) {
  const Outcome outcome = DecodeAll(FromString(kEchoHiCrLf));
  EXPECT_TRUE(outcome.errors.empty());
  EXPECT_EQ(outcome.packets, std::vector<Bytes>{kEchoHi});
}

TEST(SerialCrLfTest, FullLinesWithCrLfDecode) {
  // A 300-byte packet: four lines, the first three 127 bytes long before the '\r'.
  Bytes packet = {0x0A, 0x00, 0x01, 0x24, 0x00, 0x00, 0x01, 0x00};
  packet.resize(300, 0x5A);
  Bytes lines(SerialEncodedSize(packet.size()));
  ASSERT_TRUE(EncodeSerialPacket(packet, lines).ok());
  const Outcome outcome = DecodeAll(WithCrLf(lines));
  EXPECT_TRUE(outcome.errors.empty());
  EXPECT_EQ(outcome.packets, std::vector<Bytes>{packet});
}

TEST(SerialCrLfTest, CrNotBeforeLfIsBadBase64) {
  std::string lone_cr = kEchoHiCrLf;
  lone_cr.insert(6, "\r");  // inside the text
  std::string double_cr = kEchoHiCrLf;
  double_cr.insert(double_cr.size() - 2, "\r");  // "\r\r\n"
  for (const std::string& input : {lone_cr, double_cr}) {
    const Outcome outcome = DecodeAll(FromString(input));
    EXPECT_TRUE(outcome.packets.empty());
    EXPECT_EQ(outcome.errors, std::vector<SerialFrameError>{SerialFrameError::kBadBase64});
  }
}

TEST(SerialCrLfTest, LineLimitStillCountsTheLf) {
  // Start bytes + 125 characters + "\r\n": 128 bytes without the '\r', one too many.
  // The text starts with a valid length field (0x0100), so only the line length is wrong.
  std::string line = std::string("\x06\x09") + "AQAA" + std::string(121, 'A') + "\r\n";
  const Outcome outcome = DecodeAll(FromString(line));
  EXPECT_EQ(outcome.errors, std::vector<SerialFrameError>{SerialFrameError::kLineTooLong});
}

TEST(SerialCrLfTest, ErrorAfterCrDoesNotLeakIntoNextPacket) {
  // "\r" then a new first-frame marker: the cut packet is truncated, the next one decodes.
  const std::string input =
      "\x06\x09"
      "ABAK\r" +
      kEchoHiCrLf;
  const Outcome outcome = DecodeAll(FromString(input));
  EXPECT_EQ(outcome.errors, std::vector<SerialFrameError>{SerialFrameError::kTruncated});
  EXPECT_EQ(outcome.packets, std::vector<Bytes>{kEchoHi});
}

}  // namespace
}  // namespace bleota::smp
