#include "bleota/boot/upload_state_store.hpp"

#include <gtest/gtest.h>

#include <cstring>

#include "bleota/boot/boot_state_store.hpp"
#include "bleota/bytes.hpp"
#include "bleota/crc32.hpp"
#include "bleota/sim/sim_flash.hpp"

namespace bleota::boot {
namespace {

using sim::CutMode;
using sim::SimFlash;
using sim::VirtualClock;

// An upload of `size` bytes with `committed` of them durable; the sha is derived from `n`.
UploadRecord RecordNumber(uint32_t n, uint32_t size = 0x40000) {
  UploadRecord r;
  r.image = static_cast<uint8_t>(n % 2);
  r.image_size = size;
  r.committed = (n * 0x1000) % (size + 1);
  for (uint32_t i = 0; i < kUploadShaBytes; ++i) r.sha[i] = static_cast<uint8_t>(n * 7 + i);
  return r;
}

TEST(UploadRecordTest, ByteLayout) {
  UploadRecord r;
  r.seq = 0x01020304;
  r.image = 1;
  r.image_size = 0x00040000;
  r.committed = 0x00013000;
  for (uint32_t i = 0; i < kUploadShaBytes; ++i) r.sha[i] = static_cast<uint8_t>(0xA0 + i);
  uint8_t out[kUploadRecordSize];
  EncodeUploadRecord(r, out);
  const uint8_t head[16] = {0x55, 0x50, 0x01, 0x01, 0x04, 0x03, 0x02, 0x01,
                            0x00, 0x00, 0x04, 0x00, 0x00, 0x30, 0x01, 0x00};
  EXPECT_EQ(0, std::memcmp(out, head, sizeof(head)));
  for (uint32_t i = 0; i < kUploadShaBytes; ++i) EXPECT_EQ(out[16 + i], 0xA0 + i);
  for (uint32_t i = 48; i < 60; ++i) EXPECT_EQ(out[i], 0u) << i;
  EXPECT_EQ(LoadLe32(&out[60]), Crc32(ConstByteSpan(out, 60)));
  Result<UploadRecord> back = DecodeUploadRecord(out);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(*back, r);
}

// Re-seals a record after an edit, so only the field checks can refuse it.
void Reseal(uint8_t (&record)[kUploadRecordSize]) {
  StoreLe32(&record[60], Crc32(ConstByteSpan(record, 60)));
}

TEST(UploadRecordTest, RefusesTornAndForeignRecords) {
  UploadRecord r = RecordNumber(5);
  r.seq = 9;
  uint8_t good[kUploadRecordSize];
  EncodeUploadRecord(r, good);
  ASSERT_TRUE(DecodeUploadRecord(good).ok());
  for (uint32_t i = 0; i < kUploadRecordSize; ++i) {
    uint8_t bad[kUploadRecordSize];
    std::memcpy(bad, good, sizeof(bad));
    bad[i] ^= 0x10;  // any single flipped bit breaks the CRC (or the CRC itself)
    EXPECT_EQ(DecodeUploadRecord(bad).status().code(), StatusCode::kDataLoss) << i;
  }
  uint8_t erased[kUploadRecordSize];
  std::memset(erased, 0xff, sizeof(erased));
  EXPECT_FALSE(DecodeUploadRecord(erased).ok());

  uint8_t edited[kUploadRecordSize];
  std::memcpy(edited, good, sizeof(edited));
  edited[2] = 2;  // unknown version
  Reseal(edited);
  EXPECT_FALSE(DecodeUploadRecord(edited).ok());
  std::memcpy(edited, good, sizeof(edited));
  edited[50] = 1;  // reserved byte
  Reseal(edited);
  EXPECT_FALSE(DecodeUploadRecord(edited).ok());
  std::memcpy(edited, good, sizeof(edited));
  StoreLe32(&edited[12], r.image_size + 1);  // committed beyond the upload
  Reseal(edited);
  EXPECT_FALSE(DecodeUploadRecord(edited).ok());
  std::memcpy(edited, good, sizeof(edited));
  StoreLe32(&edited[4], 0);  // seq 0 is never written
  Reseal(edited);
  EXPECT_FALSE(DecodeUploadRecord(edited).ok());
}

TEST(UploadStateStoreTest, EmptyAreaLoadsNoUpload) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf51Profile(), clock);
  FlashArea area(AreaId::kUploadState, flash, 4096, 2048);
  UploadStateStore store(area);
  Result<UploadRecord> loaded = store.Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, UploadRecord());
}

TEST(UploadStateStoreTest, RoundTrip) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf52840Profile(), clock);
  FlashArea area(AreaId::kUploadState, flash, 0x8000, 0x2000);
  UploadStateStore store(area);
  UploadRecord saved = RecordNumber(3);
  ASSERT_TRUE(store.Save(saved).ok());
  EXPECT_EQ(saved.seq, 1u);
  UploadStateStore reader(area);
  Result<UploadRecord> loaded = reader.Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, saved);
}

TEST(UploadStateStoreTest, RefusesCommittedBeyondTheUpload) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf52840Profile(), clock);
  FlashArea area(AreaId::kUploadState, flash, 0x8000, 0x2000);
  UploadStateStore store(area);
  UploadRecord r = RecordNumber(1, 100);
  r.committed = 101;
  EXPECT_EQ(store.Save(r).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store.records_written(), 0u);
  EXPECT_EQ(store.Load()->seq, 0u);
}

TEST(UploadStateStoreTest, NeedsTwoSectors) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf52840Profile(), clock);
  FlashArea area(AreaId::kUploadState, flash, 0x8000, 0x1000);
  UploadStateStore store(area);
  EXPECT_EQ(store.Load().status().code(), StatusCode::kFailedPrecondition);
  UploadRecord r = RecordNumber(1);
  EXPECT_EQ(store.Save(r).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(flash.mutating_ops(), 0u);
}

TEST(UploadStateStoreTest, NewestRecordWinsAcrossRingWraps) {
  for (uint32_t align : {4u, 8u, 16u}) {
    VirtualClock clock;
    SimFlash flash(sim::Nrf51Profile().WithWriteAlign(align), clock);
    FlashArea area(AreaId::kUploadState, flash, 4096, 3072);  // three 1 KiB sectors
    UploadStateStore writer(area);
    for (uint32_t n = 1; n <= 200; ++n) {
      UploadRecord r = RecordNumber(n);
      ASSERT_TRUE(writer.Save(r).ok()) << n;
      EXPECT_EQ(r.seq, n);
      UploadStateStore reader(area);
      Result<UploadRecord> loaded = reader.Load();
      ASSERT_TRUE(loaded.ok());
      EXPECT_EQ(*loaded, r) << n;
    }
    // 200 records of 64 bytes, 16 per 1 KiB sector: 13 sectors filled over a ring of three.
    EXPECT_EQ(flash.erase_counts()[4] + flash.erase_counts()[5] + flash.erase_counts()[6], 10u);
    EXPECT_LE(flash.erase_counts()[4], 4u);
  }
}

TEST(UploadStateStoreTest, OneUploadOfOneRecordPerSectorFillsOneSector) {
  // A 256 KiB upload into 4 KiB sectors: 64 records of 64 bytes = one 4 KiB journal sector.
  VirtualClock clock;
  SimFlash flash(sim::Nrf52840Profile(), clock);
  FlashArea area(AreaId::kUploadState, flash, 0x8000, 0x2000);
  UploadStateStore store(area);
  for (uint32_t sector = 1; sector <= 64; ++sector) {
    UploadRecord r = RecordNumber(0);
    r.committed = sector * 0x1000;
    ASSERT_TRUE(store.Save(r).ok());
  }
  ASSERT_TRUE(store.Clear().ok());
  EXPECT_EQ(store.records_written(), 65u);
  // The second sector was still erased: no erase at all so far.
  EXPECT_EQ(flash.erase_counts()[8] + flash.erase_counts()[9], 0u);
  // The next upload fills the second sector and erases the first when it runs out.
  for (uint32_t sector = 1; sector <= 64; ++sector) {
    UploadRecord r = RecordNumber(0);
    r.committed = sector * 0x1000;
    ASSERT_TRUE(store.Save(r).ok());
  }
  EXPECT_EQ(flash.erase_counts()[8], 1u);
  EXPECT_EQ(flash.erase_counts()[9], 0u);
}

TEST(UploadStateStoreTest, CorruptedNewestRecordFallsBackToThePrevious) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf52840Profile(), clock);
  FlashArea area(AreaId::kUploadState, flash, 0x8000, 0x2000);
  UploadStateStore store(area);
  UploadRecord first = RecordNumber(1);
  UploadRecord second = RecordNumber(2);
  ASSERT_TRUE(store.Save(first).ok());
  ASSERT_TRUE(store.Save(second).ok());
  flash.raw()[0x8000 + 64 + 60] ^= 0x01;  // the second record's CRC
  UploadStateStore reader(area);
  EXPECT_EQ(*reader.Load(), first);
  // The next save skips the spoiled slot and wins.
  UploadRecord third = RecordNumber(3);
  ASSERT_TRUE(reader.Save(third).ok());
  EXPECT_EQ(third.seq, 2u);
  UploadStateStore again(area);
  EXPECT_EQ(*again.Load(), third);
}

TEST(UploadStateStoreTest, TornRecordIsSkipped) {
  for (CutMode mode : {CutMode::kProgramPartial, CutMode::kProgramWordNoise}) {
    VirtualClock clock;
    SimFlash flash(sim::Nrf52840Profile(), clock);
    FlashArea area(AreaId::kUploadState, flash, 0x8000, 0x2000);
    UploadStateStore store(area);
    UploadRecord first = RecordNumber(1);
    ASSERT_TRUE(store.Save(first).ok());
    flash.ArmPowerCut(flash.mutating_ops(), mode, 7);
    UploadRecord torn = RecordNumber(2);
    EXPECT_FALSE(store.Save(torn).ok());
    ASSERT_TRUE(flash.cut_happened());
    flash.PowerOn();
    UploadStateStore after(area);
    Result<UploadRecord> loaded = after.Load();
    ASSERT_TRUE(loaded.ok());
    // kProgramPartial may write nothing (the old record stays), never a garbled record.
    EXPECT_EQ(*loaded, first) << CutModeName(mode);
    UploadRecord next = RecordNumber(3);
    ASSERT_TRUE(after.Save(next).ok());
    EXPECT_EQ(*UploadStateStore(area).Load(), next);
  }
}

TEST(UploadStateStoreTest, ClearRecordsNoUploadOnce) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf52840Profile(), clock);
  FlashArea area(AreaId::kUploadState, flash, 0x8000, 0x2000);
  UploadStateStore store(area);
  ASSERT_TRUE(store.Clear().ok());  // nothing to clear: nothing written
  EXPECT_EQ(store.records_written(), 0u);
  UploadRecord r = RecordNumber(4);
  ASSERT_TRUE(store.Save(r).ok());
  ASSERT_TRUE(store.Clear().ok());
  Result<UploadRecord> loaded = UploadStateStore(area).Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->seq, 2u);
  EXPECT_EQ(loaded->image_size, 0u);
  EXPECT_EQ(loaded->committed, 0u);
  ASSERT_TRUE(store.Clear().ok());  // already cleared
  EXPECT_EQ(store.records_written(), 2u);
}

TEST(UploadStateStoreTest, IgnoresBootStateRecords) {
  // Areas mixed up by a bad layout: boot records never read as upload records.
  VirtualClock clock;
  SimFlash flash(sim::Nrf52840Profile(), clock);
  FlashArea area(AreaId::kUploadState, flash, 0x8000, 0x2000);
  BootStateStore boot(area);
  for (int i = 0; i < 10; ++i) {
    BootState s;
    s.step = static_cast<uint16_t>(i);
    ASSERT_TRUE(boot.Save(s).ok());
  }
  EXPECT_EQ(UploadStateStore(area).Load()->seq, 0u);
}

}  // namespace
}  // namespace bleota::boot
