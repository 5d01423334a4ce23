// Exhaustive power-cut sweep of the upload state journal (UploadStateStore on RecordJournal):
// a sequence of saves and clears that wraps the ring, cut at every flash operation in every torn
// mode of SimFlash. After each cut a fresh store must load exactly the last acknowledged record
// or the one being written (never garbage, never an older one), and the journal must keep
// working. BLEOTA_POWERFAIL_LONG=1 runs more noise seeds.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "bleota/boot/upload_state_store.hpp"
#include "bleota/sim/sim_flash.hpp"

namespace bleota::boot {
namespace {

using sim::CutMode;
using sim::SimFlash;
using sim::VirtualClock;

struct JournalGeometry {
  std::string name;
  sim::FlashProfile profile;
  uint32_t offset, size;  // the upload state area
  sim::ReprogramRule rule;
  uint32_t ops;  // operations in the sequence: enough to wrap the ring at least once
};

std::vector<JournalGeometry> Geometries() {
  return {
      // 1 KiB sectors, 16 records each: 70 ops fill 4+ sectors of a 2-sector ring.
      {"nrf51", sim::Nrf51Profile(), 0x4000, 0x800, sim::ReprogramRule::kError, 70},
      {"nrf51-3sectors", sim::Nrf51Profile(), 0x4000, 0xC00, sim::ReprogramRule::kError, 70},
      {"nrf51-align16", sim::Nrf51Profile().WithWriteAlign(16), 0x4000, 0x800,
       sim::ReprogramRule::kError, 70},
      // Classic NOR: a program over a torn slot is not refused, it ANDs the bits.
      {"nrf51-classic-nor", sim::Nrf51Profile(), 0x4000, 0x800, sim::ReprogramRule::kAndBits, 70},
      // 4 KiB sectors, 64 records each: one upload of 256 KiB fills a sector.
      {"nrf52840", sim::Nrf52840Profile(), 0x8000, 0x2000, sim::ReprogramRule::kError, 140},
  };
}

const CutMode kModes[] = {CutMode::kBefore, CutMode::kProgramPartial, CutMode::kProgramWordNoise,
                          CutMode::kEraseNoise, CutMode::kAfter};

// Operation n (1-based) of the sequence: every 10th clears, the others save a record of an
// upload in progress.
bool IsClear(uint32_t n) { return n % 10 == 0; }

UploadRecord RecordNumber(uint32_t n) {
  UploadRecord r;
  r.image = static_cast<uint8_t>(n % 3);
  r.image_size = 0x40000 + n;
  r.committed = n * 0x100;
  for (uint32_t i = 0; i < kUploadShaBytes; ++i) r.sha[i] = static_cast<uint8_t>(n * 31 + i);
  return r;
}

// The state after operation n (seq left 0: compared apart).
UploadRecord StateAfter(uint32_t n) {
  if (n == 0 || IsClear(n)) return UploadRecord();
  return RecordNumber(n);
}

bool SameContent(UploadRecord a, UploadRecord b) {
  a.seq = 0;
  b.seq = 0;
  return a == b;
}

Status RunOp(UploadStateStore& store, uint32_t n) {
  if (IsClear(n)) return store.Clear();
  UploadRecord r = RecordNumber(n);
  return store.Save(r);
}

struct SweepCount {
  uint32_t cut_points = 0;
  uint32_t loaded_new = 0;  // cuts after which the record being written had become durable
};

void SweepGeometry(const JournalGeometry& g, SweepCount& count) {
  // The number of flash operations of the uncut sequence.
  uint64_t total_ops = 0;
  {
    VirtualClock clock;
    SimFlash flash(g.profile, clock, g.rule);
    FlashArea area(AreaId::kUploadState, flash, g.offset, g.size);
    UploadStateStore store(area);
    for (uint32_t n = 1; n <= g.ops; ++n) ASSERT_TRUE(RunOp(store, n).ok()) << g.name << " " << n;
    total_ops = flash.mutating_ops();
    // The sequence must wrap the ring, so that erases are cut too.
    uint32_t erases = 0;
    for (uint32_t e : flash.erase_counts()) erases += e;
    ASSERT_GT(erases, 0u) << g.name;
  }
  const char* long_env = std::getenv("BLEOTA_POWERFAIL_LONG");
  const uint64_t seeds = long_env != nullptr && std::string(long_env) == "1" ? 16 : 3;
  for (CutMode mode : kModes) {
    for (uint64_t cut_at = 0; cut_at < total_ops; ++cut_at) {
      for (uint64_t seed = 0; seed < seeds; ++seed) {
        VirtualClock clock;
        SimFlash flash(g.profile, clock, g.rule);
        FlashArea area(AreaId::kUploadState, flash, g.offset, g.size);
        flash.ArmPowerCut(cut_at, mode,
                          cut_at * 1000003 + seed * 7919 + static_cast<uint64_t>(mode));
        uint32_t acknowledged = 0;
        {
          UploadStateStore store(area);
          for (uint32_t n = 1; n <= g.ops; ++n) {
            if (!RunOp(store, n).ok()) break;
            acknowledged = n;
          }
        }
        ASSERT_TRUE(flash.cut_happened()) << g.name << " cut at " << cut_at;
        ++count.cut_points;
        flash.PowerOn();
        UploadStateStore after(area);
        Result<UploadRecord> loaded = after.Load();
        ASSERT_TRUE(loaded.ok()) << g.name << " " << CutModeName(mode) << " cut at " << cut_at;
        const bool is_old = SameContent(*loaded, StateAfter(acknowledged));
        const bool is_new = SameContent(*loaded, StateAfter(acknowledged + 1));
        ASSERT_TRUE(is_old || is_new)
            << g.name << " " << CutModeName(mode) << " cut at " << cut_at << " seed " << seed
            << ": loaded committed " << loaded->committed << " size " << loaded->image_size
            << " seq " << loaded->seq << ", acknowledged op " << acknowledged;
        if (is_new && !is_old) ++count.loaded_new;
        // The journal keeps working: the rest of the sequence (redoing the cut operation) loads
        // after each of its first operations and at its end, with a seq that never goes back.
        uint32_t last_seq = loaded->seq;
        for (uint32_t n = acknowledged + 1; n <= g.ops; ++n) {
          ASSERT_TRUE(RunOp(after, n).ok()) << g.name << " " << CutModeName(mode) << " " << cut_at;
          if (n > acknowledged + 3 && n < g.ops) continue;
          Result<UploadRecord> now = UploadStateStore(area).Load();
          ASSERT_TRUE(now.ok());
          ASSERT_TRUE(SameContent(*now, StateAfter(n)))
              << g.name << " " << CutModeName(mode) << " cut at " << cut_at << " op " << n;
          ASSERT_GE(now->seq, last_seq);
          last_seq = now->seq;
        }
      }
    }
  }
}

TEST(UploadStatePowerfail, EveryCutInEveryModeLoadsTheOldOrTheNewRecord) {
  for (const JournalGeometry& g : Geometries()) {
    SweepCount count;
    SweepGeometry(g, count);
    if (::testing::Test::HasFatalFailure()) return;
    std::printf("powerfail upload state %-18s %4u cut points, new record durable after %u\n",
                g.name.c_str(), count.cut_points, count.loaded_new);
    EXPECT_GT(count.cut_points, 500u);
    EXPECT_GT(count.loaded_new, 0u);
  }
}

}  // namespace
}  // namespace bleota::boot
