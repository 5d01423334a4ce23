#include "bleota/sim/sim_watchdog.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "bleota/sim/sim_soc.hpp"

namespace bleota::sim {
namespace {

TEST(SimWatchdogTest, ExpiresAfterThePeriodWithoutKicks) {
  VirtualClock clock;
  SimWatchdog watchdog(clock);
  EXPECT_FALSE(watchdog.Expired());  // not started
  clock.Advance(10'000'000);
  EXPECT_FALSE(watchdog.Expired());
  ASSERT_TRUE(watchdog.Start(500).ok());
  EXPECT_EQ(watchdog.deadline_us(), 10'000'000u + 500'000u);
  clock.Advance(499'999);
  EXPECT_FALSE(watchdog.Expired());
  clock.Advance(1);
  EXPECT_TRUE(watchdog.Expired());
}

TEST(SimWatchdogTest, KicksKeepItAlive) {
  VirtualClock clock;
  SimWatchdog watchdog(clock);
  ASSERT_TRUE(watchdog.Start(100).ok());
  for (int i = 0; i < 50; ++i) {
    clock.Advance(99'000);
    watchdog.Kick();
    EXPECT_FALSE(watchdog.Expired()) << i;
  }
  EXPECT_EQ(watchdog.kick_count(), 50u);
  clock.Advance(100'000);
  EXPECT_TRUE(watchdog.Expired());
}

TEST(SimWatchdogTest, ALateKickDoesNotUndoTheReset) {
  VirtualClock clock;
  SimWatchdog watchdog(clock);
  ASSERT_TRUE(watchdog.Start(100).ok());
  clock.Advance(150'000);
  watchdog.Kick();
  EXPECT_TRUE(watchdog.Expired());
  EXPECT_EQ(watchdog.kick_count(), 0u);
}

TEST(SimWatchdogTest, CannotBeReconfiguredOrStartedWithZero) {
  VirtualClock clock;
  SimWatchdog watchdog(clock);
  EXPECT_EQ(watchdog.Start(0).code(), StatusCode::kInvalidArgument);
  EXPECT_FALSE(watchdog.running());
  ASSERT_TRUE(watchdog.Start(100).ok());
  EXPECT_EQ(watchdog.Start(5000).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(watchdog.period_ms(), 100u);
  clock.Advance(100'000);
  EXPECT_TRUE(watchdog.Expired());
}

TEST(SocWatchdogTest, AdvanceTimeReportsTheDueResetAndTheRunnerPerformsIt) {
  SimSoc soc;
  soc.StartWatchdog(1000);
  EXPECT_FALSE(soc.AdvanceTime(600'000));
  soc.KickWatchdog();
  EXPECT_FALSE(soc.AdvanceTime(999'999));
  EXPECT_FALSE(soc.ResetIfWatchdogDue());
  EXPECT_TRUE(soc.AdvanceTime(1));
  EXPECT_TRUE(soc.ResetIfWatchdogDue());
  EXPECT_EQ(soc.reset_cause(), boot::ResetCause::kWatchdog);
  EXPECT_FALSE(soc.watchdog().running());  // a watchdog reset resets the watchdog
  EXPECT_FALSE(soc.AdvanceTime(10'000'000));
}

TEST(SocWatchdogTest, KeepsRunningThroughASoftResetButNotAPinReset) {
  SimSoc soc;
  soc.StartWatchdog(1000);
  soc.AdvanceTime(700'000);
  soc.Reset(boot::ResetCause::kSoftware);
  EXPECT_TRUE(soc.watchdog().running());
  // The bootloader cannot choose a new period: the app's one still counts.
  soc.StartWatchdog(60'000);
  EXPECT_EQ(soc.watchdog_start_refusals(), 1u);
  EXPECT_TRUE(soc.AdvanceTime(300'000));
  soc.Reset(boot::ResetCause::kLockup);
  EXPECT_TRUE(soc.watchdog_reset_due());  // a lockup reset does not stop it either
  soc.Reset(boot::ResetCause::kPin);
  EXPECT_FALSE(soc.watchdog().running());
  soc.StartWatchdog(1000);
  soc.PowerCycle();
  EXPECT_FALSE(soc.watchdog().running());
}

TEST(SocWatchdogTest, PartsWhoseSoftResetStopsTheWatchdog) {
  SocConfig config;
  config.watchdog_survives_soft_reset = false;
  SimSoc soc(config);
  soc.StartWatchdog(1000);
  soc.Reset(boot::ResetCause::kSoftware);
  EXPECT_FALSE(soc.watchdog().running());
}

TEST(SocWatchdogTest, NothingTheCpuDoesAfterTheDeadlineReachesFlashOrOtp) {
  SimSoc soc;
  soc.StartWatchdog(10);
  soc.AdvanceTime(10'000);
  const std::vector<uint8_t> before = soc.sim_flash().raw();
  const std::vector<uint8_t> data(16, 0);
  ProtectedFlash& boot_flash = soc.flash(Requester::kBootloader);
  EXPECT_EQ(boot_flash.Program(0, data).code(), StatusCode::kFlashIo);
  EXPECT_EQ(boot_flash.Erase(0, 4096).code(), StatusCode::kFlashIo);
  std::vector<uint8_t> out(16);
  EXPECT_EQ(boot_flash.Read(0, out).code(), StatusCode::kFlashIo);
  EXPECT_EQ(soc.flash(Requester::kApplication).Program(0, data).code(), StatusCode::kFlashIo);
  EXPECT_EQ(soc.ProgramOtp(512, std::vector<uint8_t>(4, 0)).code(), StatusCode::kFlashIo);
  EXPECT_EQ(soc.ApplyProtection(boot::ProtectionConfig()).code(), StatusCode::kFlashIo);
  EXPECT_FALSE(soc.protection_applied());
  EXPECT_FALSE(soc.debug_port_locked());
  EXPECT_EQ(soc.sim_flash().raw(), before);
  EXPECT_EQ(soc.sim_otp().programmed_word_count(), 0u);
  EXPECT_TRUE(soc.faults().empty());
  // The debug port is outside the CPU reset.
  EXPECT_TRUE(soc.flash(Requester::kDebugPort).Read(0, out).ok());
  soc.Reset(boot::ResetCause::kWatchdog);
  EXPECT_TRUE(boot_flash.Program(0, data).ok());
}

TEST(SocWatchdogTest, MultiSectorEraseStopsAtTheWatchdogReset) {
  SimSoc soc;  // nRF52840: 85 ms per 4 KiB page erase
  ASSERT_TRUE(soc.ProvisionFlash(0, std::vector<uint8_t>(4 * 4096, 0x00)).ok());
  soc.StartWatchdog(200);
  EXPECT_EQ(soc.flash(Requester::kBootloader).Erase(0, 4 * 4096).code(), StatusCode::kFlashIo);
  // Pages start at 0, 85 and 170 ms; at 255 ms the device has already reset.
  const std::vector<uint32_t>& counts = soc.sim_flash().erase_counts();
  EXPECT_EQ(counts[0], 1u);
  EXPECT_EQ(counts[1], 1u);
  EXPECT_EQ(counts[2], 1u);
  EXPECT_EQ(counts[3], 0u);
  EXPECT_EQ(soc.sim_flash().raw()[3 * 4096], 0x00);
  EXPECT_EQ(soc.sim_flash().raw()[2 * 4096], 0xff);
  EXPECT_TRUE(soc.watchdog_reset_due());
}

TEST(SocWatchdogTest, KickedEraseOfManySectorsCompletes) {
  SimSoc soc;
  soc.StartWatchdog(200);
  ProtectedFlash& flash = soc.flash(Requester::kBootloader);
  for (uint32_t page = 0; page < 8; ++page) {
    ASSERT_TRUE(flash.Erase(page * 4096, 4096).ok()) << page;
    soc.KickWatchdog();
  }
  EXPECT_FALSE(soc.watchdog_reset_due());
}

}  // namespace
}  // namespace bleota::sim
