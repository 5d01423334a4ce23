#include "bleota/smp/smp_header.hpp"

#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <vector>

namespace bleota::smp {
namespace {

// v2 write, flags 0, length 0x0123, group 1, sequence 0x42, command 1 (image upload), written out
// by hand from the header table: byte 0 = version 1 << 3 | op 2 = 0x0A.
constexpr std::array<uint8_t, 8> kUploadV2 = {0x0A, 0x00, 0x01, 0x23, 0x00, 0x01, 0x42, 0x01};

TEST(SmpHeaderTest, EncodesHandWrittenBytes) {
  SmpHeader header{SmpVersion::kV2, SmpOp::kWrite, 0, 0x0123, 1, 0x42, 1};
  std::array<uint8_t, 8> out{};
  ASSERT_TRUE(EncodeSmpHeader(header, out).ok());
  EXPECT_EQ(out, kUploadV2);
}

TEST(SmpHeaderTest, DecodesHandWrittenBytes) {
  auto header = DecodeSmpHeader(kUploadV2);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->version, SmpVersion::kV2);
  EXPECT_EQ(header->op, SmpOp::kWrite);
  EXPECT_EQ(header->length, 0x0123);
  EXPECT_EQ(header->group, 1);
  EXPECT_EQ(header->sequence, 0x42);
  EXPECT_EQ(header->command, 1);
  // v1 read-rsp of OS group 0, command 6 (params), length 0x1A, group 0xFF01.
  const std::array<uint8_t, 8> v1 = {0x01, 0x00, 0x00, 0x1A, 0xFF, 0x01, 0x00, 0x06};
  auto rsp = DecodeSmpHeader(v1);
  ASSERT_TRUE(rsp.ok());
  EXPECT_EQ(rsp->version, SmpVersion::kV1);
  EXPECT_EQ(rsp->op, SmpOp::kReadRsp);
  EXPECT_EQ(rsp->length, 0x1A);
  EXPECT_EQ(rsp->group, 0xFF01);
  EXPECT_EQ(rsp->command, 6);
}

TEST(SmpHeaderTest, RoundTripsEveryVersionAndOp) {
  for (uint8_t version = 0; version < 2; ++version) {
    for (uint8_t op = 0; op < 4; ++op) {
      SmpHeader header{static_cast<SmpVersion>(version),
                       static_cast<SmpOp>(op),
                       0x5A,
                       0xBEEF,
                       0x1234,
                       0xFE,
                       0x77};
      std::array<uint8_t, 8> out{};
      ASSERT_TRUE(EncodeSmpHeader(header, out).ok());
      EXPECT_EQ(out[0], (version << 3) | op);
      auto back = DecodeSmpHeader(out);
      ASSERT_TRUE(back.ok());
      EXPECT_EQ(*back, header);
    }
  }
}

TEST(SmpHeaderTest, RejectsReservedBitsBadOpAndVersion) {
  for (int first = 0; first < 256; ++first) {
    std::array<uint8_t, 8> bytes = kUploadV2;
    bytes[0] = static_cast<uint8_t>(first);
    auto header = DecodeSmpHeader(bytes);
    const bool reserved = (first & 0xE0) != 0;
    const int version = (first >> 3) & 3;
    const int op = first & 7;
    if (reserved || op > 3) {
      EXPECT_EQ(header.status(), StatusCode::kInvalidArgument) << first;
    } else if (version > 1) {
      EXPECT_EQ(header.status(), StatusCode::kUnsupported) << first;
    } else {
      EXPECT_TRUE(header.ok()) << first;
    }
  }
}

TEST(SmpHeaderTest, EncodeRejectsBadEnumsAndShortBuffer) {
  std::array<uint8_t, 8> out{};
  std::array<uint8_t, 7> short_out{};
  SmpHeader header;
  EXPECT_EQ(EncodeSmpHeader(header, short_out), StatusCode::kResourceExhausted);
  header.op = static_cast<SmpOp>(4);
  EXPECT_EQ(EncodeSmpHeader(header, out), StatusCode::kInvalidArgument);
  header.op = SmpOp::kRead;
  header.version = static_cast<SmpVersion>(2);
  EXPECT_EQ(EncodeSmpHeader(header, out), StatusCode::kInvalidArgument);
}

TEST(SmpHeaderTest, ShortHeaderIsOutOfRange) {
  for (size_t n = 0; n < 8; ++n) {
    EXPECT_EQ(DecodeSmpHeader(ConstByteSpan(kUploadV2.data(), n)).status(),
              StatusCode::kOutOfRange);
  }
}

// UDP: one packet per datagram; the header length must equal the payload bytes exactly.
TEST(SmpHeaderTest, DatagramLengthMustMatchHeader) {
  std::vector<uint8_t> datagram(kUploadV2.begin(), kUploadV2.end());
  datagram.resize(8 + 0x0123, 0xAA);
  EXPECT_TRUE(DecodeSmpPacket(datagram).ok());
  datagram.push_back(0);
  EXPECT_EQ(DecodeSmpPacket(datagram).status(), StatusCode::kOutOfRange);
  datagram.resize(8 + 0x0122);
  EXPECT_EQ(DecodeSmpPacket(datagram).status(), StatusCode::kOutOfRange);
  EXPECT_EQ(DecodeSmpPacket(ConstByteSpan(datagram.data(), 8)).status(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace bleota::smp
