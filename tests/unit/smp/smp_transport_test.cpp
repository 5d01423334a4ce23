// The device-side transports (serial, BLE GATT, UDP) over the SmpServer and the OS group:
// framing in, one reply per request in order, framing out, and the reset hand-off.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bleota/smp/ble_smp_transport.hpp"
#include "bleota/smp/os_group.hpp"
#include "bleota/smp/serial_framing.hpp"
#include "bleota/smp/serial_smp_transport.hpp"
#include "bleota/smp/smp_server.hpp"
#include "bleota/smp/udp_smp_transport.hpp"

namespace bleota::smp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes FromString(const std::string& s) { return Bytes(s.begin(), s.end()); }

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& part : parts) out.insert(out.end(), part.begin(), part.end());
  return out;
}

// v2 echo write {"d": text} with `sequence`, and its reply {"r": text} (text < 256 bytes).
Bytes EchoPayload(char key, const std::string& text) {
  Bytes payload = {0xA1, 0x61, static_cast<uint8_t>(key)};
  if (text.size() < 24) {
    payload.push_back(static_cast<uint8_t>(0x60 + text.size()));
  } else {
    payload.push_back(0x78);
    payload.push_back(static_cast<uint8_t>(text.size()));
  }
  payload.insert(payload.end(), text.begin(), text.end());
  return payload;
}
Bytes Packet(uint8_t version_op, uint8_t command, uint8_t sequence, const Bytes& payload) {
  return Concat({{version_op, 0x00, static_cast<uint8_t>(payload.size() >> 8),
                  static_cast<uint8_t>(payload.size()), 0x00, 0x00, sequence, command},
                 payload});
}
Bytes Echo(const std::string& text, uint8_t sequence = 7) {
  return Packet(0x0A, 0, sequence, EchoPayload('d', text));
}
Bytes EchoReply(const std::string& text, uint8_t sequence = 7) {
  return Packet(0x0B, 0, sequence, EchoPayload('r', text));
}
const Bytes kReset = {0x0A, 0x00, 0x00, 0x01, 0x00, 0x00, 0x09, 0x05, 0xA0};
const Bytes kResetReply = {0x0B, 0x00, 0x00, 0x01, 0x00, 0x00, 0x09, 0x05, 0xA0};

class RecordingSink final : public SmpLinkSink {
 public:
  Status Send(ConstByteSpan bytes) override {
    if (fail) return StatusCode::kResourceExhausted;
    sends.emplace_back(bytes.begin(), bytes.end());
    return Status::Ok();
  }
  Bytes All() const {
    Bytes out;
    for (const Bytes& send : sends) out.insert(out.end(), send.begin(), send.end());
    return out;
  }
  std::vector<Bytes> sends;
  bool fail = false;
};

// Server with the OS group, shared by the transports under test.
class TransportTest : public ::testing::Test {
 protected:
  TransportTest() : os_(OsGroup::Create(Config(), reset_)) {}

  static OsGroupConfig Config() {
    OsGroupConfig config;
    config.buf_size = 512;
    config.buf_count = 4;
    config.info.kernel_name = "bleota";
    return config;
  }

  ResetRequest reset_;
  Result<OsGroup> os_;
  SmpGroup* groups_[1] = {&*os_};
  SmpServer server_{groups_};
  uint8_t request_buffer_[512];
  uint8_t response_buffer_[512];
  RecordingSink sink_;
};

// ---- Serial ----

// Hand-made frames: echo {"d": "hi"} (v2, sequence 7) and its reply. Raw bytes: length 0x0010,
// the packet, CRC16-XMODEM big-endian; base64; first-frame marker; '\n'.
const Bytes kEchoHiLine = Concat({{0x06, 0x09}, FromString("ABAKAAAGAAAHAKFhZGJoaSVk\n")});
const Bytes kEchoHiReplyLine = Concat({{0x06, 0x09}, FromString("ABALAAAGAAAHAKFhcmJoaWI7\n")});

Bytes SerialFrame(const Bytes& packet) {
  Bytes out(SerialEncodedSize(packet.size()));
  const Result<size_t> size = EncodeSerialPacket(packet, out);
  EXPECT_TRUE(size.ok());
  out.resize(size.ok() ? *size : 0);
  return out;
}

// Decodes the serial lines a transport sent back into packets.
std::vector<Bytes> SerialPackets(const Bytes& lines) {
  std::vector<Bytes> packets;
  uint8_t buffer[1024];
  SerialFrameDecoder decoder(buffer);
  ConstByteSpan rest(lines);
  while (!rest.empty()) {
    const SerialDecodeStep step = decoder.Feed(rest);
    EXPECT_NE(step.event, SerialEvent::kError) << SerialFrameErrorName(step.error);
    if (step.event == SerialEvent::kPacket) {
      packets.emplace_back(decoder.packet().begin(), decoder.packet().end());
    }
    rest = rest.subspan(step.consumed);
  }
  EXPECT_FALSE(decoder.in_packet());
  return packets;
}

class SerialTransportTest : public TransportTest {
 protected:
  SerialSmpTransport transport_{server_, sink_, reset_, request_buffer_, response_buffer_};
};

TEST_F(SerialTransportTest, AnswersHandMadeFrameWithHandMadeLine) {
  ASSERT_EQ(SerialFrame(Echo("hi")), kEchoHiLine);  // the vector matches the spec's encoding
  const SmpTransportResult result = transport_.Feed(kEchoHiLine);
  EXPECT_EQ(result.consumed, kEchoHiLine.size());
  EXPECT_EQ(result.responses, 1);
  EXPECT_EQ(result.dropped, 0);
  EXPECT_FALSE(result.reset_requested);
  EXPECT_TRUE(result.send_status.ok());
  ASSERT_EQ(sink_.sends.size(), 1u);
  EXPECT_EQ(sink_.sends[0], kEchoHiReplyLine);
}

TEST_F(SerialTransportTest, FrameSplitAtEveryByteBoundary) {
  for (size_t split = 0; split <= kEchoHiLine.size(); ++split) {
    sink_.sends.clear();
    const ConstByteSpan line(kEchoHiLine);
    const SmpTransportResult first = transport_.Feed(line.first(split));
    EXPECT_EQ(first.consumed, split);
    const SmpTransportResult second = transport_.Feed(line.subspan(split));
    EXPECT_EQ(first.responses + second.responses, 1) << split;
    ASSERT_EQ(sink_.sends.size(), 1u) << split;
    EXPECT_EQ(sink_.sends[0], kEchoHiReplyLine);
    EXPECT_FALSE(transport_.in_packet());
  }
}

TEST_F(SerialTransportTest, ByteAtATime) {
  const Bytes input = SerialFrame(Echo(std::string(150, 'q')));  // two lines
  for (const uint8_t byte : input) EXPECT_EQ(transport_.Feed(ConstByteSpan(&byte, 1)).consumed, 1u);
  const std::vector<Bytes> replies = SerialPackets(sink_.All());
  ASSERT_EQ(replies.size(), 1u);
  EXPECT_EQ(replies[0], EchoReply(std::string(150, 'q')));
}

TEST_F(SerialTransportTest, SeveralPacketsInOneFeedAnsweredInOrder) {
  const Bytes input =
      Concat({FromString("uart:~$ "), SerialFrame(Echo("one", 1)), FromString("log text\r\n"),
              SerialFrame(Echo("two", 2)), SerialFrame(Echo(std::string(200, 't'), 3))});
  const SmpTransportResult result = transport_.Feed(input);
  EXPECT_EQ(result.consumed, input.size());
  EXPECT_EQ(result.responses, 3);
  const std::vector<Bytes> replies = SerialPackets(sink_.All());
  ASSERT_EQ(replies.size(), 3u);
  EXPECT_EQ(replies[0], EchoReply("one", 1));
  EXPECT_EQ(replies[1], EchoReply("two", 2));
  EXPECT_EQ(replies[2], EchoReply(std::string(200, 't'), 3));
}

TEST_F(SerialTransportTest, LongReplyIsOneSendPerLine) {
  transport_.Feed(SerialFrame(Echo(std::string(200, 'x'))));
  // 216-byte reply + 4 framing bytes = 220 raw bytes: lines of 93, 93, 34.
  ASSERT_EQ(sink_.sends.size(), 3u);
  for (size_t i = 0; i < sink_.sends.size(); ++i) {
    const Bytes& line = sink_.sends[i];
    ASSERT_LE(line.size(), kSerialMaxLine);
    EXPECT_EQ(line[0], i == 0 ? 0x06 : 0x04);
    EXPECT_EQ(line[1], i == 0 ? 0x09 : 0x14);
    EXPECT_EQ(line.back(), '\n');
  }
  EXPECT_EQ(sink_.sends[0].size(), kSerialMaxLine);
  EXPECT_EQ(SerialPackets(sink_.All()), std::vector<Bytes>{EchoReply(std::string(200, 'x'))});
}

TEST_F(SerialTransportTest, CrLfLineEndingsAreAccepted) {
  // The client's lines end in "\r\n" (one line, and a two-line packet whose first line is full).
  for (const std::string& text : {std::string("hi"), std::string(150, 'c')}) {
    sink_.sends.clear();
    Bytes crlf;
    for (const uint8_t byte : SerialFrame(Echo(text))) {
      if (byte == '\n') crlf.push_back('\r');
      crlf.push_back(byte);
    }
    const SmpTransportResult result = transport_.Feed(crlf);
    EXPECT_EQ(result.responses, 1) << text.size();
    EXPECT_EQ(result.dropped, 0);
    EXPECT_EQ(SerialPackets(sink_.All()), std::vector<Bytes>{EchoReply(text)});
  }
}

TEST_F(SerialTransportTest, ResetStopsAfterItsReply) {
  const Bytes reset_frame = SerialFrame(kReset);
  const Bytes input = Concat({reset_frame, SerialFrame(Echo("later"))});
  const SmpTransportResult result = transport_.Feed(input);
  EXPECT_TRUE(result.reset_requested);
  EXPECT_EQ(result.consumed, reset_frame.size());
  EXPECT_EQ(result.responses, 1);
  EXPECT_EQ(SerialPackets(sink_.All()), std::vector<Bytes>{kResetReply});
  // The loop declines the reset: the rest is answered.
  reset_.Clear();
  sink_.sends.clear();
  const SmpTransportResult rest = transport_.Feed(ConstByteSpan(input).subspan(result.consumed));
  EXPECT_FALSE(rest.reset_requested);
  EXPECT_EQ(SerialPackets(sink_.All()), std::vector<Bytes>{EchoReply("later")});
}

TEST_F(SerialTransportTest, BadFramesAndResponsesAreDroppedWithoutReply) {
  Bytes bad_crc = kEchoHiLine;
  bad_crc[bad_crc.size() - 2] = 'l';  // last base64 character: the CRC's low bits
  const Bytes response_op = SerialFrame(EchoReply("hi"));
  const SmpTransportResult result = transport_.Feed(Concat({bad_crc, response_op, kEchoHiLine}));
  EXPECT_EQ(result.dropped, 2);
  EXPECT_EQ(result.responses, 1);
  EXPECT_EQ(transport_.last_error(), SerialFrameError::kCrcMismatch);
  EXPECT_EQ(sink_.sends, std::vector<Bytes>{kEchoHiReplyLine});
}

TEST_F(SerialTransportTest, OversizedRequestIsDroppedAndLengthMismatchAnswered) {
  // A request larger than the 512-byte request buffer, then a packet whose SMP length is wrong.
  Bytes mismatch = Echo("hi");
  mismatch[3] = 0x05;
  const SmpTransportResult result =
      transport_.Feed(Concat({SerialFrame(Packet(0x0A, 0, 1, Bytes(600, 0xA0))),
                              SerialFrame(Echo(std::string(255, 'o'))), SerialFrame(mismatch)}));
  EXPECT_EQ(result.dropped, 1);
  EXPECT_EQ(transport_.last_error(), SerialFrameError::kOversized);
  const std::vector<Bytes> replies = SerialPackets(sink_.All());
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0], EchoReply(std::string(255, 'o')));
  // CORRUPT (9).
  EXPECT_EQ(replies[1], Packet(0x0B, 0, 7, {0xA1, 0x62, 'r', 'c', 0x09}));
}

TEST_F(SerialTransportTest, SendFailureIsReported) {
  sink_.fail = true;
  const SmpTransportResult result = transport_.Feed(kEchoHiLine);
  EXPECT_EQ(result.responses, 0);
  EXPECT_EQ(result.send_status.code(), StatusCode::kResourceExhausted);
}

TEST_F(SerialTransportTest, ResetDropsPartialPacket) {
  transport_.Feed(ConstByteSpan(kEchoHiLine).first(10));
  EXPECT_TRUE(transport_.in_packet());
  transport_.Reset();
  EXPECT_FALSE(transport_.in_packet());
  transport_.Feed(ConstByteSpan(kEchoHiLine).subspan(10));
  EXPECT_TRUE(sink_.sends.empty());
  transport_.Feed(kEchoHiLine);
  EXPECT_EQ(sink_.sends, std::vector<Bytes>{kEchoHiReplyLine});
}

// ---- BLE ----

class BleTransportTest : public TransportTest {
 protected:
  BleSmpTransport transport_{server_, sink_, reset_, request_buffer_, response_buffer_};
};

TEST_F(BleTransportTest, SmallReplyIsOneNotification) {
  EXPECT_EQ(transport_.att_mtu(), kAttMinMtu);
  const SmpTransportResult result = transport_.OnWrite(Echo("hi"));
  EXPECT_EQ(result.consumed, Echo("hi").size());
  EXPECT_EQ(result.responses, 1);
  EXPECT_EQ(sink_.sends, std::vector<Bytes>{EchoReply("hi")});
}

TEST_F(BleTransportTest, Mtu23NotificationsAre20Bytes) {
  const std::string text(100, 'm');
  transport_.OnWrite(Echo(text));
  const Bytes reply = EchoReply(text);  // 113 bytes: 5 x 20 + 13
  ASSERT_EQ(reply.size(), 113u);
  ASSERT_EQ(sink_.sends.size(), 6u);
  for (size_t i = 0; i < 5; ++i) EXPECT_EQ(sink_.sends[i].size(), 20u);
  EXPECT_EQ(sink_.sends[5].size(), 13u);
  EXPECT_EQ(sink_.All(), reply);
}

TEST_F(BleTransportTest, Mtu247NotificationsAre244Bytes) {
  ASSERT_TRUE(transport_.OnMtuChanged(247).ok());
  const std::string text(250, 'w');
  transport_.OnWrite(Echo(text));
  const Bytes reply = EchoReply(text);  // 263 bytes: 244 + 19
  ASSERT_EQ(sink_.sends.size(), 2u);
  EXPECT_EQ(sink_.sends[0].size(), 244u);
  EXPECT_EQ(sink_.sends[1].size(), 19u);
  EXPECT_EQ(sink_.All(), reply);
}

TEST_F(BleTransportTest, MtuOutOfRangeIsRefusedAndDisconnectRestoresMinimum) {
  EXPECT_EQ(transport_.OnMtuChanged(22).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_.OnMtuChanged(518).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(transport_.att_mtu(), kAttMinMtu);
  ASSERT_TRUE(transport_.OnMtuChanged(517).ok());
  EXPECT_EQ(transport_.att_mtu(), 517);
  transport_.OnDisconnect();
  EXPECT_EQ(transport_.att_mtu(), kAttMinMtu);
}

TEST_F(BleTransportTest, WriteSplitAtEveryByteBoundary) {
  const Bytes request = Echo("split me");
  for (size_t split = 0; split <= request.size(); ++split) {
    sink_.sends.clear();
    const ConstByteSpan bytes(request);
    const SmpTransportResult first = transport_.OnWrite(bytes.first(split));
    const SmpTransportResult second = transport_.OnWrite(bytes.subspan(split));
    EXPECT_EQ(first.responses + second.responses, 1) << split;
    EXPECT_EQ(sink_.All(), EchoReply("split me")) << split;
    EXPECT_FALSE(transport_.in_packet());
  }
}

TEST_F(BleTransportTest, TwoPacketsInOneWrite) {
  const SmpTransportResult result = transport_.OnWrite(Concat({Echo("a", 1), Echo("b", 2)}));
  EXPECT_EQ(result.responses, 2);
  EXPECT_EQ(sink_.sends, (std::vector<Bytes>{EchoReply("a", 1), EchoReply("b", 2)}));
}

TEST_F(BleTransportTest, PipelinedRequestsAcrossWritesAnsweredInOrder) {
  // Eight requests in flight, sent as 20-byte writes (ATT_MTU 23) that straddle packets.
  Bytes stream;
  for (uint8_t seq = 0; seq < 8; ++seq) {
    stream = Concat({stream, Echo(std::string(seq * 5u, static_cast<char>('a' + seq)), seq)});
  }
  for (size_t offset = 0; offset < stream.size(); offset += 20) {
    const size_t size = stream.size() - offset < 20 ? stream.size() - offset : 20;
    transport_.OnWrite(ConstByteSpan(stream).subspan(offset, size));
  }
  Bytes expected;
  for (uint8_t seq = 0; seq < 8; ++seq) {
    expected =
        Concat({expected, EchoReply(std::string(seq * 5u, static_cast<char>('a' + seq)), seq)});
  }
  EXPECT_EQ(sink_.All(), expected);
}

TEST_F(BleTransportTest, DisconnectDropsPartialRequest) {
  transport_.OnWrite(ConstByteSpan(Echo("half")).first(10));
  EXPECT_TRUE(transport_.in_packet());
  transport_.OnDisconnect();
  EXPECT_FALSE(transport_.in_packet());
  transport_.OnWrite(Echo("whole"));
  EXPECT_EQ(sink_.All(), EchoReply("whole"));
}

TEST_F(BleTransportTest, BadHeaderWriteIsDropped) {
  Bytes bad = Echo("x");
  bad[0] = 0x8A;  // reserved bit
  const SmpTransportResult result = transport_.OnWrite(Concat({bad, Echo("y")}));
  EXPECT_EQ(result.dropped, 1);
  EXPECT_EQ(result.consumed, bad.size() + Echo("y").size());  // the rest of the write is lost
  EXPECT_EQ(transport_.last_error(), BleReassemblyError::kBadHeader);
  EXPECT_TRUE(sink_.sends.empty());
  transport_.OnWrite(Echo("y"));
  EXPECT_EQ(sink_.All(), EchoReply("y"));
}

TEST_F(BleTransportTest, OversizedRequestIsSkippedAndNextAnswered) {
  const Bytes big = Packet(0x0A, 0, 1, Bytes(600, 0xA0));
  const SmpTransportResult result = transport_.OnWrite(Concat({big, Echo("next")}));
  EXPECT_EQ(result.dropped, 1);
  EXPECT_EQ(transport_.last_error(), BleReassemblyError::kOversized);
  EXPECT_EQ(sink_.All(), EchoReply("next"));
}

TEST_F(BleTransportTest, ResetStopsAfterItsReply) {
  const Bytes input = Concat({kReset, Echo("after")});
  const SmpTransportResult result = transport_.OnWrite(input);
  EXPECT_TRUE(result.reset_requested);
  EXPECT_EQ(result.consumed, kReset.size());
  EXPECT_EQ(sink_.All(), kResetReply);
}

TEST_F(BleTransportTest, SendFailureIsReported) {
  sink_.fail = true;
  const SmpTransportResult result = transport_.OnWrite(Echo("hi"));
  EXPECT_EQ(result.responses, 0);
  EXPECT_FALSE(result.send_status.ok());
}

// ---- UDP ----

class UdpTransportTest : public TransportTest {
 protected:
  UdpSmpTransport transport_{server_, reset_, response_buffer_};
};

TEST_F(UdpTransportTest, OneReplyDatagram) {
  const SmpTransportResult result = transport_.OnDatagram(Echo("udp"), sink_);
  EXPECT_EQ(result.responses, 1);
  EXPECT_FALSE(result.reset_requested);
  EXPECT_EQ(sink_.sends, std::vector<Bytes>{EchoReply("udp")});
}

TEST_F(UdpTransportTest, ResponseOrNoHeaderGetsNothing) {
  EXPECT_EQ(transport_.OnDatagram(EchoReply("x"), sink_).dropped, 1);
  EXPECT_EQ(transport_.OnDatagram(Bytes{0x0A, 0x00}, sink_).dropped, 1);
  EXPECT_TRUE(sink_.sends.empty());
}

TEST_F(UdpTransportTest, LengthMismatchIsCorrupt) {
  Bytes datagram = Echo("x");
  datagram.push_back(0x00);
  transport_.OnDatagram(datagram, sink_);
  EXPECT_EQ(sink_.sends, std::vector<Bytes>{Packet(0x0B, 0, 7, {0xA1, 0x62, 'r', 'c', 0x09})});
}

TEST_F(UdpTransportTest, ResetIsReported) {
  const SmpTransportResult result = transport_.OnDatagram(kReset, sink_);
  EXPECT_TRUE(result.reset_requested);
  EXPECT_EQ(sink_.sends, std::vector<Bytes>{kResetReply});
}

}  // namespace
}  // namespace bleota::smp
