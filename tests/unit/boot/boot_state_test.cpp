#include "bleota/boot/boot_state.hpp"

#include <gtest/gtest.h>

#include "bleota/crc32.hpp"

namespace bleota::boot {
namespace {

BootState Sample() {
  BootState s;
  s.seq = 0x01020304;
  s.op = BootOp::kSwap;
  s.swap_reason = SwapReason::kRevert;
  s.step = 77;
  s.swap_sectors = 64;
  s.secondary_shifted = true;
  s.secondary_plaintext = true;
  s.primary_testing = false;
  s.pending = PendingRequest::kPermanent;
  s.test_boots = 2;
  for (uint32_t i = 0; i < kPendingHashBytes; ++i)
    s.pending_hash[i] = static_cast<uint8_t>(0xa0 + i);
  return s;
}

TEST(Crc32Test, KnownAnswer) {
  const char* text = "123456789";
  EXPECT_EQ(Crc32(ConstByteSpan(reinterpret_cast<const uint8_t*>(text), 9)), 0xCBF43926u);
  EXPECT_EQ(Crc32(ConstByteSpan()), 0u);
}

TEST(BootRecordTest, EncodesTheSpecLayout) {
  uint8_t record[kBootRecordSize];
  EncodeBootRecord(Sample(), record);
  // docs/spec/boot-state.md, "Record".
  const uint8_t expected_prefix[] = {0x7a, 0xb0, 0x01, 0x01, 0x04, 0x03, 0x02, 0x01,
                                     77,   0,    64,   0,    0x03, 2,    2,    2};
  for (size_t i = 0; i < sizeof(expected_prefix); ++i)
    EXPECT_EQ(record[i], expected_prefix[i]) << i;
  EXPECT_EQ(record[16], 0xa0);
  EXPECT_EQ(record[23], 0xa7);
  EXPECT_EQ(LoadLe32(&record[28]), Crc32(ConstByteSpan(record, 28)));
}

TEST(BootRecordTest, RoundTrips) {
  uint8_t record[kBootRecordSize];
  EncodeBootRecord(Sample(), record);
  Result<BootState> decoded = DecodeBootRecord(record);
  ASSERT_TRUE(decoded.ok());
  EXPECT_EQ(*decoded, Sample());
}

TEST(BootRecordTest, AnySingleBitFlipIsRejected) {
  uint8_t record[kBootRecordSize];
  EncodeBootRecord(Sample(), record);
  for (uint32_t bit = 0; bit < kBootRecordSize * 8; ++bit) {
    record[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    EXPECT_FALSE(DecodeBootRecord(record).ok()) << "bit " << bit;
    record[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
  }
}

TEST(BootRecordTest, AnyTornWordIsRejected) {
  uint8_t record[kBootRecordSize];
  EncodeBootRecord(Sample(), record);
  // A write cut after k words leaves the rest erased; a noisy word holds anything.
  for (uint32_t k = 0; k < kBootRecordSize / 4; ++k) {
    uint8_t torn[kBootRecordSize];
    for (uint32_t i = 0; i < kBootRecordSize; ++i) torn[i] = i < k * 4 ? record[i] : 0xff;
    EXPECT_FALSE(DecodeBootRecord(torn).ok()) << k;
    for (uint32_t i = 0; i < 4; ++i)
      torn[k * 4 + i] = static_cast<uint8_t>(record[k * 4 + i] ^ 0x5a);
    EXPECT_FALSE(DecodeBootRecord(torn).ok()) << k;
  }
  uint8_t erased[kBootRecordSize];
  std::fill(std::begin(erased), std::end(erased), 0xff);
  EXPECT_FALSE(DecodeBootRecord(erased).ok());
}

TEST(BootRecordTest, OutOfRangeEnumsAreRejectedEvenWithAValidCrc) {
  uint8_t record[kBootRecordSize];
  EncodeBootRecord(Sample(), record);
  record[3] = 9;  // op
  StoreLe32(&record[28], Crc32(ConstByteSpan(record, 28)));
  EXPECT_FALSE(DecodeBootRecord(record).ok());
}

}  // namespace
}  // namespace bleota::boot
