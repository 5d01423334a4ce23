// Resets, power cycles, retained RAM, the button and the Platform interface of the simulated SoC.
#include "bleota/sim/sim_soc.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace bleota::sim {
namespace {

using boot::ResetCause;

std::vector<uint8_t> Copy(ConstByteSpan bytes) { return {bytes.begin(), bytes.end()}; }

TEST(SimSocTest, StartsAsAfterPowerOn) {
  SimSoc soc;
  EXPECT_EQ(soc.reset_cause(), ResetCause::kPowerOn);
  EXPECT_EQ(soc.reset_count(), 0u);
  EXPECT_EQ(soc.retained_ram().size(), 64u);
  EXPECT_FALSE(soc.protection_applied());
  EXPECT_FALSE(soc.watchdog().running());
  const std::vector<uint8_t>& flash = soc.sim_flash().raw();
  EXPECT_EQ(flash.size(), 1024u * 1024u);
  EXPECT_TRUE(std::all_of(flash.begin(), flash.end(), [](uint8_t b) { return b == 0xff; }));
}

TEST(SimSocTest, ReportsEveryResetCause) {
  SimSoc soc;
  for (ResetCause cause : {ResetCause::kPin, ResetCause::kWatchdog, ResetCause::kSoftware,
                           ResetCause::kLockup, ResetCause::kPowerOn}) {
    soc.Reset(cause);
    EXPECT_EQ(soc.reset_cause(), cause) << boot::ResetCauseName(cause);
  }
  soc.PowerCycle();
  EXPECT_EQ(soc.reset_cause(), ResetCause::kPowerOn);
  EXPECT_EQ(soc.reset_count(), 6u);
}

TEST(SimSocTest, RetainedRamSurvivesResetsButNotPowerLoss) {
  SimSoc soc;
  ByteSpan ram = soc.retained_ram();
  for (size_t i = 0; i < ram.size(); ++i) ram[i] = static_cast<uint8_t>(i * 3 + 1);
  const std::vector<uint8_t> written = Copy(ram);
  for (ResetCause cause :
       {ResetCause::kSoftware, ResetCause::kPin, ResetCause::kWatchdog, ResetCause::kLockup}) {
    soc.Reset(cause);
    EXPECT_EQ(Copy(soc.retained_ram()), written) << boot::ResetCauseName(cause);
  }
  soc.PowerCycle();
  EXPECT_NE(Copy(soc.retained_ram()), written);
  soc.retained_ram()[0] = 0x42;
  soc.Reset(ResetCause::kPowerOn);  // same as a power cycle
  EXPECT_EQ(soc.reset_cause(), ResetCause::kPowerOn);
  EXPECT_NE(Copy(soc.retained_ram()), written);
}

TEST(SimSocTest, RetainedRamNoiseIsDeterministicPerSeed) {
  SocConfig a_config;
  a_config.seed = 7;
  a_config.retained_ram_size = 32;
  SocConfig c_config = a_config;
  c_config.seed = 8;
  SimSoc a(a_config);
  SimSoc b(a_config);
  SimSoc c(c_config);
  EXPECT_EQ(a.retained_ram().size(), 32u);
  EXPECT_EQ(Copy(a.retained_ram()), Copy(b.retained_ram()));
  EXPECT_NE(Copy(a.retained_ram()), Copy(c.retained_ram()));
  const std::vector<uint8_t> first = Copy(a.retained_ram());
  a.PowerCycle();
  b.PowerCycle();
  EXPECT_EQ(Copy(a.retained_ram()), Copy(b.retained_ram()));
  EXPECT_NE(Copy(a.retained_ram()), first);  // each power loss gives new content
}

TEST(SimSocTest, FlashAndOtpPersistAcrossResetsAndPowerCycles) {
  SimSoc soc;
  const std::vector<uint8_t> data(64, 0x3c);
  ProtectedFlash& flash = soc.flash(Requester::kBootloader);
  ASSERT_TRUE(flash.Program(0x20000, data).ok());
  ASSERT_TRUE(soc.ProgramOtp(512, std::vector<uint8_t>(4, 0x11)).ok());
  soc.Reset(ResetCause::kPin);
  soc.PowerCycle();
  std::vector<uint8_t> out(64);
  ASSERT_TRUE(flash.Read(0x20000, out).ok());
  EXPECT_EQ(out, data);
  uint8_t word[4];
  ASSERT_TRUE(soc.ReadOtp(512, word).ok());
  EXPECT_EQ(word[0], 0x11);
}

TEST(SimSocTest, PowerCycleRestoresPowerAfterACut) {
  SimSoc soc;
  ProtectedFlash& flash = soc.flash(Requester::kBootloader);
  soc.sim_flash().ArmPowerCut(soc.sim_flash().mutating_ops(), CutMode::kBefore, 1);
  EXPECT_EQ(flash.Erase(0, 4096).code(), StatusCode::kFlashIo);
  soc.Reset(ResetCause::kPin);  // a reset does not bring power back
  EXPECT_EQ(flash.Erase(0, 4096).code(), StatusCode::kFlashIo);
  soc.PowerCycle();
  EXPECT_TRUE(flash.Erase(0, 4096).ok());
}

TEST(SimSocTest, ButtonIsSampledAtItsCurrentLevel) {
  SimSoc soc;
  boot::Platform& platform = soc;
  EXPECT_FALSE(platform.update_button_pressed());
  soc.button().Press();
  EXPECT_TRUE(platform.update_button_pressed());
  soc.Reset(ResetCause::kPin);  // a physical button stays pressed across a reset
  EXPECT_TRUE(platform.update_button_pressed());
  soc.button().Release();
  EXPECT_FALSE(platform.update_button_pressed());
  EXPECT_EQ(soc.button().sample_count(), 4u);
}

TEST(SimSocTest, ProvisionFlashWritesBytesWithoutTimeOrLog) {
  SimSoc soc;
  const std::vector<uint8_t> image(100, 0x00);
  ASSERT_TRUE(soc.ProvisionFlash(0x1002, image).ok());
  EXPECT_EQ(soc.clock().now_us(), 0u);
  EXPECT_TRUE(soc.sim_flash().log().empty());
  EXPECT_EQ(soc.sim_flash().raw()[0x1002], 0x00);
  EXPECT_EQ(soc.sim_flash().raw()[0x1001], 0xff);
  // Programmed cells behave as programmed: a strict part refuses to program them again.
  EXPECT_EQ(soc.flash(Requester::kBootloader).Program(0x1004, std::vector<uint8_t>(4, 0)).code(),
            StatusCode::kFlashNotErased);
  EXPECT_EQ(soc.ProvisionFlash(0xfffff, image).code(), StatusCode::kOutOfRange);
}

TEST(SimSocTest, OtherFlashProfiles) {
  SocConfig config;
  config.flash_profile = Stm32F4Profile();
  SimSoc soc(config);
  EXPECT_EQ(soc.flash(Requester::kBootloader).geometry().sector_count(), 12u);
  boot::ProtectionConfig protection;
  protection.no_access[0] = {0, 16 * 1024};
  protection.no_access_count = 1;
  protection.read_only[0] = {64 * 1024, 64 * 1024};  // the 64 KiB sector
  protection.read_only_count = 1;
  ASSERT_TRUE(soc.ApplyProtection(protection).ok());
  EXPECT_EQ(soc.flash(Requester::kApplication).Erase(64 * 1024, 64 * 1024).code(),
            StatusCode::kPermissionDenied);
  EXPECT_TRUE(soc.flash(Requester::kApplication).Erase(16 * 1024, 16 * 1024).ok());
}

}  // namespace
}  // namespace bleota::sim
