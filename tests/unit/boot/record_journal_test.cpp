#include "bleota/boot/record_journal.hpp"

#include <gtest/gtest.h>

#include "bleota/bytes.hpp"
#include "bleota/sim/sim_flash.hpp"

namespace bleota::boot {
namespace {

// A minimal record kind: 16 bytes, seq in bytes 0..3, valid when bytes 4..15 repeat byte 4
// and byte 4 is not the erase value.
constexpr uint32_t kTestRecordSize = 16;

bool ValidTestRecord(ConstByteSpan record, uint32_t& seq) {
  if (record.size() != kTestRecordSize || record[4] == 0xff) return false;
  for (uint32_t i = 5; i < kTestRecordSize; ++i) {
    if (record[i] != record[4]) return false;
  }
  seq = LoadLe32(record.data());
  return true;
}

void MakeTestRecord(uint32_t seq, uint8_t fill, uint8_t (&out)[kTestRecordSize]) {
  StoreLe32(out, seq);
  for (uint32_t i = 4; i < kTestRecordSize; ++i) out[i] = fill;
}

TEST(RecordJournalTest, AppendsInOrderAndLoadsTheNewest) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf51Profile(), clock);
  FlashArea area(AreaId::kUser, flash, 4096, 2048);
  RecordJournal journal(area, kTestRecordSize, &ValidTestRecord);
  for (uint32_t n = 1; n <= 150; ++n) {  // 64 records per sector: wraps the ring
    ASSERT_EQ(*journal.NextSeq(), n);
    uint8_t record[kTestRecordSize];
    MakeTestRecord(n, static_cast<uint8_t>(n), record);
    ASSERT_TRUE(journal.Append(record).ok());
  }
  RecordJournal reader(area, kTestRecordSize, &ValidTestRecord);
  uint8_t newest[kTestRecordSize];
  ASSERT_TRUE(*reader.Load(newest));
  EXPECT_EQ(LoadLe32(newest), 150u);
  EXPECT_EQ(newest[9], 150u);
  EXPECT_EQ(journal.records_written(), 150u);
}

TEST(RecordJournalTest, RefusesRecordsOutOfSequenceOrInvalid) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf51Profile(), clock);
  FlashArea area(AreaId::kUser, flash, 4096, 2048);
  RecordJournal journal(area, kTestRecordSize, &ValidTestRecord);
  uint8_t record[kTestRecordSize];
  MakeTestRecord(2, 1, record);  // NextSeq is 1
  EXPECT_EQ(journal.Append(record).code(), StatusCode::kInvalidArgument);
  MakeTestRecord(1, 1, record);
  record[7] = 2;
  EXPECT_EQ(journal.Append(record).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(journal.Append(ConstByteSpan(record, 8)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(flash.mutating_ops(), 0u);
  uint8_t newest[kTestRecordSize];
  EXPECT_FALSE(*journal.Load(newest));
  EXPECT_EQ(journal.Load(ByteSpan(newest, 4)).status().code(), StatusCode::kInvalidArgument);
}

TEST(RecordJournalTest, RefusesUnusableRecordSizes) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf51Profile(), clock);
  FlashArea area(AreaId::kUser, flash, 4096, 2048);
  uint8_t big[RecordJournal::kMaxRecordSize + 4];
  RecordJournal too_big(area, sizeof(big), &ValidTestRecord);
  EXPECT_EQ(too_big.Load(big).status().code(), StatusCode::kInvalidArgument);
  RecordJournal empty(area, 0, &ValidTestRecord);
  EXPECT_EQ(empty.NextSeq().status().code(), StatusCode::kInvalidArgument);
  uint8_t odd[48];  // does not divide a 1 KiB sector
  RecordJournal uneven(area, sizeof(odd), &ValidTestRecord);
  EXPECT_EQ(uneven.Load(odd).status().code(), StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace bleota::boot
