#include "bleota/smp/ble_reassembly.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <vector>

#include "bleota/smp/smp_header.hpp"

namespace bleota::smp {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes MakePacket(size_t payload, uint8_t sequence, std::mt19937& rng) {
  Bytes p(kSmpHeaderSize + payload);
  SmpHeader header{
      SmpVersion::kV2, SmpOp::kWrite, 0, static_cast<uint16_t>(payload), 1, sequence, 1};
  EXPECT_TRUE(EncodeSmpHeader(header, p).ok());
  for (size_t i = kSmpHeaderSize; i < p.size(); ++i) p[i] = static_cast<uint8_t>(rng());
  return p;
}

struct Received {
  std::vector<Bytes> packets;
  std::vector<BleReassemblyError> errors;
};

// Feeds each write whole, looping while a write holds more than one packet.
Received Reassemble(const std::vector<Bytes>& writes, size_t capacity) {
  Bytes buffer(capacity);
  BleReassembler reassembler(buffer);
  Received r;
  for (const Bytes& write : writes) {
    ConstByteSpan rest(write);
    do {
      const BleReassemblyStep step = reassembler.Feed(rest);
      EXPECT_LE(step.consumed, rest.size());
      if (step.event == BleEvent::kPacket) {
        r.packets.emplace_back(reassembler.packet().begin(), reassembler.packet().end());
      } else if (step.event == BleEvent::kError) {
        r.errors.push_back(step.error);
      } else {
        EXPECT_EQ(step.consumed, rest.size());
      }
      rest = rest.subspan(step.consumed);
    } while (!rest.empty());
  }
  return r;
}

std::vector<Bytes> Fragment(const Bytes& packet, uint16_t mtu) {
  auto fragmenter = BleFragmenter::Create(packet, mtu);
  EXPECT_TRUE(fragmenter.ok());
  std::vector<Bytes> pieces;
  while (!fragmenter->done()) {
    ConstByteSpan piece = fragmenter->Next();
    EXPECT_LE(piece.size(), mtu - 3u);
    EXPECT_FALSE(piece.empty());
    pieces.emplace_back(piece.begin(), piece.end());
  }
  EXPECT_EQ(pieces.size(), fragmenter->piece_count());
  EXPECT_TRUE(fragmenter->Next().empty());
  return pieces;
}

TEST(BleFragmenterTest, PiecesAreMtuMinusThree) {
  std::mt19937 rng(1);
  const Bytes packet = MakePacket(92, 0, rng);  // 100 bytes
  auto pieces = Fragment(packet, 23);
  ASSERT_EQ(pieces.size(), 5u);  // 20 + 20 + 20 + 20 + 20
  for (const Bytes& p : pieces) EXPECT_EQ(p.size(), 20u);
  pieces = Fragment(packet, 100);
  ASSERT_EQ(pieces.size(), 2u);
  EXPECT_EQ(pieces[0].size(), 97u);
  EXPECT_EQ(pieces[1].size(), 3u);
}

TEST(BleFragmenterTest, RejectsBadMtuAndEmptyPacket) {
  Bytes packet(10);
  EXPECT_EQ(BleFragmenter::Create(packet, 22).status(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BleFragmenter::Create(packet, 518).status(), StatusCode::kInvalidArgument);
  EXPECT_EQ(BleFragmenter::Create({}, 23).status(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(BleFragmenter::Create(packet, 517).ok());
}

// A piece is at most an attribute value (512 bytes) even where ATT_MTU - 3 is more.
TEST(BleFragmenterTest, PiecesNeverExceedTheLongestAttributeValue) {
  EXPECT_EQ(AttPayloadSize(23), 20u);
  EXPECT_EQ(AttPayloadSize(247), 244u);
  EXPECT_EQ(AttPayloadSize(515), 512u);
  EXPECT_EQ(AttPayloadSize(516), 512u);
  EXPECT_EQ(AttPayloadSize(517), 512u);
  Bytes packet(1100);
  auto fragmenter = BleFragmenter::Create(packet, 517);
  ASSERT_TRUE(fragmenter.ok());
  EXPECT_EQ(fragmenter->piece_size(), 512u);
  std::vector<size_t> sizes;
  while (!fragmenter->done()) sizes.push_back(fragmenter->Next().size());
  EXPECT_EQ(sizes, (std::vector<size_t>{512, 512, 76}));
}

TEST(BleReassemblerTest, RoundTripsManySizesAndMtus) {
  std::mt19937 rng(2);
  for (uint16_t mtu : {23, 185, 247, 517}) {
    for (size_t size = 8; size <= 2100; size += (size < 600 ? 1 : 29)) {
      const Bytes packet = MakePacket(size - 8, static_cast<uint8_t>(size), rng);
      Received r = Reassemble(Fragment(packet, mtu), 2100);
      ASSERT_EQ(r.packets.size(), 1u) << mtu << " " << size;
      EXPECT_TRUE(r.errors.empty());
      EXPECT_EQ(r.packets[0], packet);
    }
  }
}

// Pipelined requests: a byte stream of back-to-back packets cut into writes at arbitrary places,
// so writes end inside a header, inside a payload, exactly at a packet end, or span packets.
TEST(BleReassemblerTest, BackToBackPacketsWithArbitraryWriteBoundaries) {
  std::mt19937 rng(3);
  for (int round = 0; round < 200; ++round) {
    std::vector<Bytes> packets;
    Bytes stream;
    for (int i = 0; i < 6; ++i) {
      packets.push_back(MakePacket(rng() % 600, static_cast<uint8_t>(i), rng));
      stream.insert(stream.end(), packets.back().begin(), packets.back().end());
    }
    std::vector<Bytes> writes;
    for (size_t pos = 0; pos < stream.size();) {
      size_t n = 1 + rng() % 514;
      if (n > stream.size() - pos) n = stream.size() - pos;
      writes.emplace_back(stream.begin() + pos, stream.begin() + pos + n);
      pos += n;
    }
    Received r = Reassemble(writes, 1024);
    EXPECT_TRUE(r.errors.empty());
    EXPECT_EQ(r.packets, packets);
  }
}

TEST(BleReassemblerTest, WriteEndingExactlyAtPacketBoundary) {
  std::mt19937 rng(4);
  const Bytes a = MakePacket(12, 1, rng);
  const Bytes b = MakePacket(0, 2, rng);  // header only
  Received r = Reassemble({a, b, a}, 64);
  ASSERT_EQ(r.packets.size(), 3u);
  EXPECT_EQ(r.packets[0], a);
  EXPECT_EQ(r.packets[1], b);
  EXPECT_EQ(r.packets[2], a);
}

TEST(BleReassemblerTest, OversizedPacketIsSkippedAndNextOneDecodes) {
  std::mt19937 rng(5);
  const Bytes big = MakePacket(200, 1, rng);
  const Bytes small = MakePacket(10, 2, rng);
  Bytes stream = big;
  stream.insert(stream.end(), small.begin(), small.end());
  for (size_t piece : {1u, 20u, 100u, 244u}) {
    std::vector<Bytes> writes;
    for (size_t pos = 0; pos < stream.size(); pos += piece) {
      writes.emplace_back(stream.begin() + pos,
                          stream.begin() + std::min(stream.size(), pos + piece));
    }
    Received r = Reassemble(writes, 100);
    ASSERT_EQ(r.errors.size(), 1u) << piece;
    EXPECT_EQ(r.errors[0], BleReassemblyError::kOversized);
    ASSERT_EQ(r.packets.size(), 1u) << piece;
    EXPECT_EQ(r.packets[0], small);
  }
}

TEST(BleReassemblerTest, BadHeaderDropsTheWrite) {
  std::mt19937 rng(6);
  const Bytes good = MakePacket(4, 1, rng);
  Bytes bad = good;
  bad[0] |= 0x80;  // reserved bit
  Received r = Reassemble({bad, good}, 64);
  ASSERT_EQ(r.errors.size(), 1u);
  EXPECT_EQ(r.errors[0], BleReassemblyError::kBadHeader);
  ASSERT_EQ(r.packets.size(), 1u);
  EXPECT_EQ(r.packets[0], good);
  EXPECT_STREQ(BleReassemblyErrorName(BleReassemblyError::kBadHeader), "bad_header");
}

TEST(BleReassemblerTest, ResetDropsPartialPacket) {
  std::mt19937 rng(7);
  const Bytes packet = MakePacket(30, 1, rng);
  Bytes buffer(64);
  BleReassembler reassembler(buffer);
  EXPECT_EQ(reassembler.Feed(ConstByteSpan(packet.data(), 12)).event, BleEvent::kNeedMore);
  EXPECT_TRUE(reassembler.in_packet());
  reassembler.Reset();
  EXPECT_FALSE(reassembler.in_packet());
  const BleReassemblyStep step = reassembler.Feed(packet);
  EXPECT_EQ(step.event, BleEvent::kPacket);
  EXPECT_EQ(step.consumed, packet.size());
}

}  // namespace
}  // namespace bleota::smp
