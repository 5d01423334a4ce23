// Randomized power-fail runs: each seed picks a scenario and geometry (the seeds are spread over
// all of them), then up to 5 cuts at random operations in random torn modes, one armed after
// each power cycle. The invariants of powerfail_harness.hpp must hold at the end. 1000 seeds in
// CI (4 shards), 10000 with BLEOTA_POWERFAIL_LONG=1.
#include <gtest/gtest.h>

#include <cstdio>
#include <random>

#include "powerfail_harness.hpp"

namespace bleota::boot::powerfail {
namespace {

struct Combo {
  ScenarioKind kind;
  LayoutSpec spec;
  SizeSet sizes;
  sim::ReprogramRule rule;
  RunResult baseline;  // operation counts of the run without cuts
};

std::vector<Combo>& Combos() {
  static std::vector<Combo> combos = [] {
    std::vector<Combo> all;
    const ScenarioKind kinds[] = {ScenarioKind::kInstall,
                                  ScenarioKind::kRevert,
                                  ScenarioKind::kGoldenRestore,
                                  ScenarioKind::kConfirm,
                                  ScenarioKind::kConfirmJournalFull,
                                  ScenarioKind::kUpload,
                                  ScenarioKind::kRecover,
                                  ScenarioKind::kCounterPermanent,
                                  ScenarioKind::kCounterConfirm};
    for (const LayoutSpec& spec : PowerfailLayouts()) {
      for (const SizeSet& sizes : SizeSets(spec)) {
        for (ScenarioKind kind : kinds) {
          all.push_back({kind, spec, sizes, sim::ReprogramRule::kError, {}});
        }
        if (spec.name == "nrf52840") {
          // Plus the encrypted scenarios, and every scenario on classic NOR.
          all.push_back(
              {ScenarioKind::kEncryptedInstall, spec, sizes, sim::ReprogramRule::kError, {}});
          all.push_back(
              {ScenarioKind::kEncryptedRevert, spec, sizes, sim::ReprogramRule::kError, {}});
          for (ScenarioKind kind : kinds) {
            all.push_back({kind, spec, sizes, sim::ReprogramRule::kAndBits, {}});
          }
        }
      }
    }
    return all;
  }();
  return combos;
}

constexpr uint32_t kShards = 4;

uint32_t SeedsPerShard() { return (LongMode() ? 10000u : 1000u) / kShards; }

class PowerfailRandom : public ::testing::TestWithParam<uint32_t> {};

TEST_P(PowerfailRandom, UpToFiveCutsPerSeed) {
  const uint32_t shard = GetParam();
  std::vector<Combo>& combos = Combos();
  uint64_t runs = 0, cuts_fired = 0;
  uint64_t runs_by_cuts[6] = {};
  for (uint32_t k = 0; k < SeedsPerShard(); ++k) {
    const uint64_t seed = static_cast<uint64_t>(shard) * SeedsPerShard() + k;
    Combo& combo = combos[seed % combos.size()];
    ScenarioRunner runner(combo.kind, combo.spec, combo.sizes, combo.rule);
    if (!combo.baseline.ok) {
      combo.baseline = runner.Run({});
      ASSERT_TRUE(combo.baseline.ok) << runner.Name();
    }
    std::mt19937_64 rng(seed * 0x9E3779B97F4A7C15ull + 1);
    std::vector<Cut> cuts(1 + rng() % 5);
    for (size_t i = 0; i < cuts.size(); ++i) {
      Cut& cut = cuts[i];
      const bool otp = UsesCounter(combo.kind) && combo.baseline.otp_ops > 0 && rng() % 4 == 0;
      cut.domain = otp ? CutDomain::kOtp : CutDomain::kFlash;
      const uint64_t ops = otp ? combo.baseline.otp_ops : combo.baseline.flash_ops;
      // The first cut always fires; later ones may land past the end of a shorter recovery boot.
      cut.op_index = rng() % (i == 0 ? ops : ops + 1);
      cut.mode = kAllModes[rng() % 5];
      cut.seed = rng();
    }
    SCOPED_TRACE(::testing::Message() << "seed " << seed);
    RunResult r = runner.Run(cuts);
    ASSERT_TRUE(r.ok);
    ++runs;
    cuts_fired += r.cuts_happened;
    ++runs_by_cuts[r.cuts_happened < 5 ? r.cuts_happened : 5];
  }
  std::printf(
      "powerfail random shard %u: %llu seeds over %zu scenario/geometry combos, %llu cuts fired "
      "(runs with 0/1/2/3/4/5 cuts: %llu/%llu/%llu/%llu/%llu/%llu)\n",
      shard, static_cast<unsigned long long>(runs), combos.size(),
      static_cast<unsigned long long>(cuts_fired), static_cast<unsigned long long>(runs_by_cuts[0]),
      static_cast<unsigned long long>(runs_by_cuts[1]),
      static_cast<unsigned long long>(runs_by_cuts[2]),
      static_cast<unsigned long long>(runs_by_cuts[3]),
      static_cast<unsigned long long>(runs_by_cuts[4]),
      static_cast<unsigned long long>(runs_by_cuts[5]));
  EXPECT_EQ(runs_by_cuts[0], 0u);  // the first cut of every run fires
  EXPECT_GT(cuts_fired, runs);     // and many runs see further cuts while recovering
}

INSTANTIATE_TEST_SUITE_P(Shards, PowerfailRandom, ::testing::Range(0u, kShards));

}  // namespace
}  // namespace bleota::boot::powerfail
