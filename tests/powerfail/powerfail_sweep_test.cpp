// Exhaustive power-cut sweeps: every scenario on every geometry, a cut at every flash (and OTP)
// operation in every torn mode, then reboots until the bootloader decides; the invariants of
// powerfail_harness.hpp must hold after each. Prints the cut points covered.
#include <gtest/gtest.h>

#include <cstdio>

#include "powerfail_harness.hpp"

namespace bleota::boot::powerfail {
namespace {

class PowerfailSweep : public ::testing::TestWithParam<LayoutSpec> {};

void SweepScenario(ScenarioKind kind, const LayoutSpec& spec, bool with_otp,
                   sim::ReprogramRule rule = sim::ReprogramRule::kError) {
  for (const SizeSet& sizes : SizeSets(spec)) {
    ScenarioRunner runner(kind, spec, sizes, rule);
    SweepCounts flash = Sweep(runner, CutDomain::kFlash);
    if (::testing::Test::HasFailure()) return;
    EXPECT_GT(flash.cut_points, 0u);
    std::printf("powerfail %-40s flash ops %3llu x 5 modes: %4llu cut points (ended with %s)\n",
                runner.Name().c_str(), static_cast<unsigned long long>(flash.flash_ops),
                static_cast<unsigned long long>(flash.cut_points), FormatOutcomes(flash).c_str());
    if (!with_otp) continue;
    SweepCounts otp = Sweep(runner, CutDomain::kOtp);
    if (::testing::Test::HasFailure()) return;
    EXPECT_GT(otp.cut_points, 0u);
    std::printf(
        "powerfail %-40s otp ops   %3llu x 5 modes x 4 seeds: %4llu cut points (ended with %s)\n",
        runner.Name().c_str(), static_cast<unsigned long long>(otp.otp_ops),
        static_cast<unsigned long long>(otp.cut_points), FormatOutcomes(otp).c_str());
  }
}

TEST_P(PowerfailSweep, Install) { SweepScenario(ScenarioKind::kInstall, GetParam(), false); }
TEST_P(PowerfailSweep, Revert) { SweepScenario(ScenarioKind::kRevert, GetParam(), false); }
TEST_P(PowerfailSweep, GoldenRestore) {
  SweepScenario(ScenarioKind::kGoldenRestore, GetParam(), false);
}
TEST_P(PowerfailSweep, Confirm) { SweepScenario(ScenarioKind::kConfirm, GetParam(), false); }
TEST_P(PowerfailSweep, ConfirmIntoAFullJournalSector) {
  SweepScenario(ScenarioKind::kConfirmJournalFull, GetParam(), false);
}
TEST_P(PowerfailSweep, RecoverFromSecondary) {
  SweepScenario(ScenarioKind::kRecover, GetParam(), false);
}
TEST_P(PowerfailSweep, UploadAndRequest) {
  SweepScenario(ScenarioKind::kUpload, GetParam(), false);
}
TEST_P(PowerfailSweep, CounterRaiseAfterPermanentInstall) {
  SweepScenario(ScenarioKind::kCounterPermanent, GetParam(), true);
}
TEST_P(PowerfailSweep, CounterRaiseAfterConfirm) {
  SweepScenario(ScenarioKind::kCounterConfirm, GetParam(), true);
}

INSTANTIATE_TEST_SUITE_P(Geometries, PowerfailSweep, ::testing::ValuesIn(PowerfailLayouts()),
                         [](const ::testing::TestParamInfo<LayoutSpec>& info) {
                           std::string name = info.param.name;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

// Classic NOR (reprogramming ANDs the bits): a program into a slot a torn write left behind
// succeeds instead of being refused, so the journal must never rely on the refusal.
TEST(PowerfailSweepClassicNor, InstallNrf52840) {
  SweepScenario(ScenarioKind::kInstall, testing::SmallLayouts()[0], false,
                sim::ReprogramRule::kAndBits);
}
TEST(PowerfailSweepClassicNor, ConfirmIntoAFullJournalSectorNrf52840) {
  SweepScenario(ScenarioKind::kConfirmJournalFull, testing::SmallLayouts()[0], false,
                sim::ReprogramRule::kAndBits);
}

TEST(PowerfailSweepEncrypted, EncryptedInstallNrf52840) {
  SweepScenario(ScenarioKind::kEncryptedInstall, testing::SmallLayouts()[0], false);
}
TEST(PowerfailSweepEncrypted, EncryptedRevertNrf52840) {
  SweepScenario(ScenarioKind::kEncryptedRevert, testing::SmallLayouts()[0], false);
}

}  // namespace
}  // namespace bleota::boot::powerfail
