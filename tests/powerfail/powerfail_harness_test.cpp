// The harness's checks can fail: a device that settled into a bad state is reported.
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include "powerfail_harness.hpp"

namespace bleota::boot::powerfail {
namespace {

ScenarioRunner InstallRunner() {
  const LayoutSpec spec = testing::SmallLayouts()[0];
  return ScenarioRunner(ScenarioKind::kInstall, spec, SizeSets(spec)[0]);
}

TEST(PowerfailHarnessTest, CleanRunPassesAndCountsItsOperations) {
  ScenarioRunner runner = InstallRunner();
  RunResult r = runner.Run({});
  EXPECT_TRUE(r.ok);
  EXPECT_EQ(r.ran, "B");
  EXPECT_EQ(r.cuts_happened, 0u);
  EXPECT_GT(r.flash_ops, 10u);
}

TEST(PowerfailHarnessTest, ReportsAMixedPrimary) {
  ScenarioRunner runner = InstallRunner();
  runner.set_tamper([](TestDevice& device) {
    // A flipped bit inside the new image.
    auto& raw = device.soc().sim_flash().raw();
    raw[device.spec().primary_offset + 0x1000] ^= 0x01;
  });
  EXPECT_NONFATAL_FAILURE(runner.Run({}), "none of the allowed images");
}

TEST(PowerfailHarnessTest, ReportsAnUnsettledJournal) {
  ScenarioRunner runner = InstallRunner();
  runner.set_tamper([](TestDevice& device) {
    FlashArea& area = *device.Areas().boot_state;
    BootStateStore store(area);
    Result<BootState> state = store.Load();
    ASSERT_TRUE(state.ok());
    state->op = BootOp::kSwap;
    ASSERT_TRUE(store.Save(*state).ok());
  });
  EXPECT_NONFATAL_FAILURE(runner.Run({}), "journal differs");
}

TEST(PowerfailHarnessTest, ReportsAWrongSecondary) {
  ScenarioRunner runner = InstallRunner();
  runner.set_tamper([](TestDevice& device) {
    auto& raw = device.soc().sim_flash().raw();
    const uint32_t sector = SlotSectorSize(device.spec());
    raw[device.spec().secondary_offset + sector + 0x300] ^= 0x80;  // A starts at sector 1
  });
  EXPECT_NONFATAL_FAILURE(runner.Run({}), "secondary does not hold image A");
}

TEST(PowerfailHarnessTest, ACutThatFiresIsCountedAndRecovered) {
  ScenarioRunner runner = InstallRunner();
  RunResult r = runner.Run({{CutDomain::kFlash, 3, sim::CutMode::kEraseNoise, 1},
                            {CutDomain::kFlash, 2, sim::CutMode::kProgramWordNoise, 2}});
  EXPECT_TRUE(r.ok);
  EXPECT_TRUE(r.first_cut_fired);
  EXPECT_EQ(r.cuts_happened, 2u);
}

}  // namespace
}  // namespace bleota::boot::powerfail
