#include "bleota/boot/boot_state_store.hpp"

#include <gtest/gtest.h>

#include "bleota/sim/sim_flash.hpp"

namespace bleota::boot {
namespace {

using sim::CutMode;
using sim::SimFlash;
using sim::VirtualClock;

BootState StateNumber(uint32_t n) {
  BootState s;
  s.op = n % 3 == 0 ? BootOp::kNone : BootOp::kSwap;
  s.step = static_cast<uint16_t>(n);
  s.swap_sectors = static_cast<uint16_t>(n * 3);
  s.primary_testing = (n & 1) != 0;
  return s;
}

TEST(BootStateStoreTest, EmptyAreaLoadsTheDefaultState) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf51Profile(), clock);
  FlashArea area(AreaId::kBootState, flash, 4096, 2048);
  BootStateStore store(area);
  Result<BootState> state = store.Load();
  ASSERT_TRUE(state.ok());
  EXPECT_EQ(*state, BootState());
}

TEST(BootStateStoreTest, NeedsTwoSectors) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf51Profile(), clock);
  FlashArea area(AreaId::kBootState, flash, 4096, 1024);
  BootStateStore store(area);
  EXPECT_EQ(store.Load().status().code(), StatusCode::kFailedPrecondition);
}

TEST(BootStateStoreTest, NewestRecordWinsAcrossRingWraps) {
  for (uint32_t align : {4u, 8u, 16u}) {
    VirtualClock clock;
    SimFlash flash(sim::Nrf51Profile().WithWriteAlign(align), clock);
    FlashArea area(AreaId::kBootState, flash, 4096, 2048);
    BootStateStore writer(area);
    for (uint32_t n = 1; n <= 200; ++n) {
      BootState s = StateNumber(n);
      ASSERT_TRUE(writer.Save(s).ok()) << n;
      EXPECT_EQ(s.seq, n);
      BootStateStore reader(area);
      Result<BootState> loaded = reader.Load();
      ASSERT_TRUE(loaded.ok());
      EXPECT_EQ(loaded->step, n);
      EXPECT_EQ(loaded->seq, n);
    }
    // 200 records of 32 bytes in 1 KiB sectors: each sector erased about 200 / 32 / 2 times.
    EXPECT_LE(flash.erase_counts()[4], 4u);
    EXPECT_LE(flash.erase_counts()[5], 4u);
  }
}

TEST(BootStateStoreTest, StartsOverGarbageInAFreshArea) {
  VirtualClock clock;
  SimFlash flash(sim::Nrf51Profile(), clock);
  for (uint32_t i = 4096; i < 6144; ++i) flash.raw()[i] = static_cast<uint8_t>(i * 13);
  flash.MarkProgrammed(4096, 2048, true);
  FlashArea area(AreaId::kBootState, flash, 4096, 2048);
  BootStateStore store(area);
  BootState s = StateNumber(5);
  ASSERT_TRUE(store.Save(s).ok());
  BootStateStore reader(area);
  EXPECT_EQ(reader.Load()->step, 5u);
}

// Cut power at every flash operation of a run of saves, in every mode: the store always loads
// either the last acknowledged state or the one being written, and keeps working afterwards.
TEST(BootStateStoreTest, PowerCutAtEveryOperationInEveryMode) {
  const CutMode modes[] = {CutMode::kBefore, CutMode::kProgramPartial, CutMode::kProgramWordNoise,
                           CutMode::kEraseNoise, CutMode::kAfter};
  constexpr uint32_t kSaves = 80;
  uint32_t cuts = 0;
  for (CutMode mode : modes) {
    for (uint64_t cut_at = 0; cut_at < kSaves + 8; ++cut_at) {
      VirtualClock clock;
      SimFlash flash(sim::Nrf51Profile(), clock);
      FlashArea area(AreaId::kBootState, flash, 4096, 2048);
      flash.ArmPowerCut(cut_at, mode, cut_at * 31 + static_cast<uint64_t>(mode));
      uint32_t acknowledged = 0;
      {
        BootStateStore store(area);
        for (uint32_t n = 1; n <= kSaves; ++n) {
          BootState s = StateNumber(n);
          if (!store.Save(s).ok()) break;
          acknowledged = n;
        }
      }
      if (!flash.cut_happened()) continue;
      ++cuts;
      flash.PowerOn();
      BootStateStore after(area);
      Result<BootState> loaded = after.Load();
      ASSERT_TRUE(loaded.ok());
      const uint32_t step = loaded->step;
      EXPECT_TRUE(step == acknowledged || step == acknowledged + 1)
          << CutModeName(mode) << " cut at " << cut_at << ": loaded " << step << ", acked "
          << acknowledged;
      if (step > 0) {
        BootState expected = StateNumber(step);
        expected.seq = loaded->seq;
        EXPECT_EQ(*loaded, expected);
      }
      // The store keeps working: more saves after the cut are all readable.
      for (uint32_t n = 1; n <= 40; ++n) {
        BootState s = StateNumber(1000 + n);
        ASSERT_TRUE(after.Save(s).ok()) << CutModeName(mode) << " " << cut_at;
      }
      BootStateStore final_reader(area);
      EXPECT_EQ(final_reader.Load()->step, 1040u);
    }
  }
  std::printf("boot state store: %u power cuts covered\n", cuts);
  EXPECT_GT(cuts, 300u);
}

}  // namespace
}  // namespace bleota::boot
