// Flash protection through the per-requester views of the simulated SoC.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "bleota/sim/sim_soc.hpp"
#include "soc_test_layout.hpp"

namespace bleota::sim {
namespace {

using testing::HandoverConfig;
using testing::kBootloaderArea;
using testing::kBootStateArea;
using testing::kGoldenSlot;
using testing::kPrimarySlot;
using testing::kSecondarySlot;

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 13);
  return v;
}

class ProtectionTest : public ::testing::Test {
 protected:
  ProtectionTest() {
    // Something recognisable in every area.
    EXPECT_TRUE(soc_.ProvisionFlash(kBootloaderArea.offset, Pattern(4096, 1)).ok());
    EXPECT_TRUE(soc_.ProvisionFlash(kBootStateArea.offset, Pattern(4096, 2)).ok());
    EXPECT_TRUE(soc_.ProvisionFlash(kPrimarySlot.offset, Pattern(4096, 3)).ok());
    EXPECT_TRUE(soc_.ProvisionFlash(kGoldenSlot.offset, Pattern(4096, 4)).ok());
  }

  ProtectedFlash& app() { return soc_.flash(Requester::kApplication); }
  ProtectedFlash& bootloader() { return soc_.flash(Requester::kBootloader); }

  SimSoc soc_;
};

TEST_F(ProtectionTest, BeforeHandoverEverythingIsAccessible) {
  std::vector<uint8_t> out(4096);
  ASSERT_TRUE(bootloader().Read(kBootloaderArea.offset, out).ok());
  EXPECT_EQ(out, Pattern(4096, 1));
  ASSERT_TRUE(bootloader().Erase(kBootStateArea.offset, 4096).ok());
  ASSERT_TRUE(bootloader().Program(kBootStateArea.offset, Pattern(16, 9)).ok());
  // Code running without a handover (a bootloader that forgot ApplyProtection) is unrestricted:
  // tests of the bootloader must check protection_applied().
  ASSERT_TRUE(app().Read(kGoldenSlot.offset, out).ok());
  EXPECT_FALSE(soc_.protection_applied());
  EXPECT_TRUE(soc_.faults().empty());
}

TEST_F(ProtectionTest, AppWriteIntoBootloaderFaultsAndLeavesFlashUnchanged) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  const std::vector<uint8_t> before = soc_.sim_flash().raw();
  const size_t log_before = soc_.sim_flash().log().size();
  const uint64_t ops_before = soc_.sim_flash().mutating_ops();
  const uint64_t time_before = soc_.clock().now_us();

  const std::vector<uint8_t> zeros(256, 0);
  EXPECT_EQ(app().Program(0x1000, zeros).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(app().Erase(0x0000, 4096).code(), StatusCode::kPermissionDenied);

  EXPECT_EQ(soc_.sim_flash().raw(), before);
  EXPECT_EQ(soc_.sim_flash().log().size(), log_before);
  EXPECT_EQ(soc_.sim_flash().mutating_ops(), ops_before);
  EXPECT_EQ(soc_.clock().now_us(), time_before);
  ASSERT_EQ(soc_.faults().size(), 2u);
  EXPECT_EQ(soc_.faults()[0],
            (Fault{Requester::kApplication, AccessKind::kProgram, 0x1000, 256, time_before}));
  EXPECT_EQ(soc_.faults()[1],
            (Fault{Requester::kApplication, AccessKind::kErase, 0x0000, 4096, time_before}));
}

TEST_F(ProtectionTest, AppCannotTouchBootStateOrGolden) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  std::vector<uint8_t> out(64, 0x5a);
  EXPECT_EQ(app().Read(kGoldenSlot.offset + 128, out).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(out, std::vector<uint8_t>(64, 0x5a));  // nothing leaked into the buffer
  EXPECT_EQ(app().Read(kBootStateArea.offset, out).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(app().Erase(kBootStateArea.offset, 4096).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(app().Erase(kGoldenSlot.offset, kGoldenSlot.size).code(),
            StatusCode::kPermissionDenied);
  ASSERT_EQ(soc_.faults().size(), 4u);
  EXPECT_EQ(soc_.faults()[0].kind, AccessKind::kRead);
  EXPECT_EQ(soc_.faults()[0].offset, kGoldenSlot.offset + 128);
  EXPECT_EQ(soc_.faults()[0].size, 64u);
  std::vector<uint8_t> golden(4096);
  ASSERT_TRUE(soc_.sim_flash().Read(kGoldenSlot.offset, golden).ok());
  EXPECT_EQ(golden, Pattern(4096, 4));
}

TEST_F(ProtectionTest, AccessStraddlingIntoAProtectedRangeFaults) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  std::vector<uint8_t> out(8);
  // The last 4 bytes of the primary slot and the first 4 of golden.
  EXPECT_EQ(app().Read(kGoldenSlot.offset - 4, out).code(), StatusCode::kPermissionDenied);
  // Ending exactly at a protected range does not touch it.
  EXPECT_TRUE(app().Read(kGoldenSlot.offset - 8, out).ok());
  EXPECT_TRUE(app().Read(kGoldenSlot.offset + kGoldenSlot.size, out).ok());
  // An empty access touches nothing.
  EXPECT_TRUE(app().Read(kGoldenSlot.offset + 16, ByteSpan()).ok());
  EXPECT_EQ(soc_.faults().size(), 1u);
}

TEST_F(ProtectionTest, AppReadsPrimaryButCannotWriteIt) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  std::vector<uint8_t> out(4096);
  ASSERT_TRUE(app().Read(kPrimarySlot.offset, out).ok());
  EXPECT_EQ(out, Pattern(4096, 3));
  EXPECT_EQ(app().Program(kPrimarySlot.offset + 4096, Pattern(16, 0)).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(app().Erase(kPrimarySlot.offset, 4096).code(), StatusCode::kPermissionDenied);
  ASSERT_EQ(soc_.faults().size(), 2u);
  EXPECT_TRUE(soc_.faults()[0].kind == AccessKind::kProgram);
  EXPECT_TRUE(soc_.faults()[1].kind == AccessKind::kErase);
}

TEST_F(ProtectionTest, AppWritesTheDownloadSlot) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  ASSERT_TRUE(app().Erase(kSecondarySlot.offset, 8192).ok());
  ASSERT_TRUE(app().Program(kSecondarySlot.offset, Pattern(64, 7)).ok());
  std::vector<uint8_t> out(64);
  ASSERT_TRUE(app().Read(kSecondarySlot.offset, out).ok());
  EXPECT_EQ(out, Pattern(64, 7));
  EXPECT_TRUE(soc_.faults().empty());
}

TEST_F(ProtectionTest, LocksHoldForTheBootloaderRequesterToo) {
  // One CPU: after the handover the locks apply whatever code runs, so a bootloader that writes
  // its boot state after ApplyProtection is caught.
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  EXPECT_EQ(bootloader().Program(kBootStateArea.offset + 4096, Pattern(16, 1)).code(),
            StatusCode::kPermissionDenied);
  ASSERT_EQ(soc_.faults().size(), 1u);
  EXPECT_EQ(soc_.faults()[0].requester, Requester::kBootloader);
}

TEST_F(ProtectionTest, ResetClearsTheVolatileLocks) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  std::vector<uint8_t> out(16);
  EXPECT_EQ(app().Read(kGoldenSlot.offset, out).code(), StatusCode::kPermissionDenied);
  soc_.Reset(boot::ResetCause::kSoftware);
  EXPECT_FALSE(soc_.protection_applied());
  EXPECT_TRUE(soc_.protection().no_access_ranges().empty());
  EXPECT_TRUE(bootloader().Program(kBootStateArea.offset + 4096, Pattern(16, 1)).ok());
  // The next boot applies them again.
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  EXPECT_EQ(app().Read(kGoldenSlot.offset, out).code(), StatusCode::kPermissionDenied);
  soc_.PowerCycle();
  EXPECT_FALSE(soc_.protection_applied());
}

TEST_F(ProtectionTest, LockRegistersAreWriteOncePerBoot) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  boot::ProtectionConfig looser;
  looser.lock_key_otp = false;
  looser.debug_port_locked = false;
  EXPECT_EQ(soc_.ApplyProtection(looser).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(soc_.protection().no_access_ranges().size(), 3u);
  EXPECT_TRUE(soc_.key_otp_locked());
}

TEST_F(ProtectionTest, InvalidConfigsAreRejectedAndApplyNothing) {
  auto expect_rejected = [&](const boot::ProtectionConfig& config, const char* what) {
    EXPECT_EQ(soc_.ApplyProtection(config).code(), StatusCode::kInvalidArgument) << what;
    EXPECT_FALSE(soc_.protection_applied()) << what;
    EXPECT_FALSE(soc_.key_otp_locked()) << what;
    EXPECT_FALSE(soc_.debug_port_locked()) << what;
  };
  boot::ProtectionConfig config = HandoverConfig(true);
  config.no_access[1] = {kBootStateArea.offset + 0x100, 4096};
  expect_rejected(config, "offset not on a page boundary");
  config = HandoverConfig(true);
  config.read_only[0] = {kPrimarySlot.offset, 4000};
  expect_rejected(config, "end not on a page boundary");
  config = HandoverConfig(true);
  config.no_access[0] = {0, 0};
  expect_rejected(config, "empty range");
  config = HandoverConfig(true);
  config.no_access[2] = {0xff000, 0x2000};
  expect_rejected(config, "past the end of flash");
  config = HandoverConfig(true);
  config.no_access[2] = {0xfffff000, 0x2000};
  expect_rejected(config, "offset + size overflows");
  config = HandoverConfig(true);
  config.no_access_count = boot::ProtectionConfig::kMaxRanges + 1;
  expect_rejected(config, "too many ranges");
  config = HandoverConfig(true);
  config.read_only_count = -1;
  expect_rejected(config, "negative count");
  EXPECT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
}

TEST_F(ProtectionTest, DebugPortReadsUntilLockedThenNeverAgain) {
  ProtectedFlash& debug = soc_.flash(Requester::kDebugPort);
  std::vector<uint8_t> out(4096);
  ASSERT_TRUE(debug.Read(kPrimarySlot.offset, out).ok());
  EXPECT_EQ(out, Pattern(4096, 3));
  // Without the debug lock the CPU ranges do not apply to the debug port.
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig(false)).ok());
  EXPECT_TRUE(debug.Read(kGoldenSlot.offset, out).ok());
  EXPECT_FALSE(soc_.debug_port_locked());

  soc_.Reset(boot::ResetCause::kPin);
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig(true)).ok());
  EXPECT_TRUE(soc_.debug_port_locked());
  soc_.ClearFaults();
  for (const testing::Area& area : {kBootloaderArea, kPrimarySlot, kGoldenSlot, kSecondarySlot}) {
    EXPECT_EQ(debug.Read(area.offset, out).code(), StatusCode::kPermissionDenied);
  }
  EXPECT_EQ(debug.Erase(kPrimarySlot.offset, 4096).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(debug.Program(kSecondarySlot.offset, Pattern(16, 0)).code(),
            StatusCode::kPermissionDenied);
  ASSERT_EQ(soc_.faults().size(), 6u);
  EXPECT_EQ(soc_.faults()[0].requester, Requester::kDebugPort);

  // Sticky: survives resets and power loss.
  soc_.Reset(boot::ResetCause::kPin);
  EXPECT_EQ(debug.Read(kPrimarySlot.offset, out).code(), StatusCode::kPermissionDenied);
  soc_.Reset(boot::ResetCause::kWatchdog);
  EXPECT_EQ(debug.Read(kPrimarySlot.offset, out).code(), StatusCode::kPermissionDenied);
  soc_.PowerCycle();
  EXPECT_TRUE(soc_.debug_port_locked());
  EXPECT_EQ(debug.Read(kPrimarySlot.offset, out).code(), StatusCode::kPermissionDenied);
  // A later boot that leaves debug_port_locked false cannot unlock it.
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig(false)).ok());
  EXPECT_TRUE(soc_.debug_port_locked());
}

TEST_F(ProtectionTest, ChipEraseClearsTheDebugLockTheFlashAndTheKeys) {
  const std::vector<uint8_t> key_hash = Pattern(32, 0x40);
  const std::vector<uint8_t> counter(4, 0x00);
  ASSERT_TRUE(soc_.ProvisionOtp(0, key_hash).ok());
  ASSERT_TRUE(soc_.ProvisionOtp(soc_.sim_otp().counter_region_offset(), counter).ok());
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig(true)).ok());
  soc_.retained_ram()[0] = 0x77;

  ASSERT_TRUE(soc_.DebugChipErase().ok());

  EXPECT_FALSE(soc_.debug_port_locked());
  EXPECT_FALSE(soc_.protection_applied());
  EXPECT_FALSE(soc_.key_otp_locked());
  EXPECT_EQ(soc_.reset_cause(), boot::ResetCause::kPin);
  const std::vector<uint8_t>& flash = soc_.sim_flash().raw();
  EXPECT_TRUE(std::all_of(flash.begin(), flash.end(), [](uint8_t b) { return b == 0xff; }));
  EXPECT_EQ(soc_.sim_otp().raw(), std::vector<uint8_t>(soc_.otp_size(), 0xff));
  EXPECT_EQ(soc_.sim_otp().programmed_word_count(), 0u);
  EXPECT_EQ(soc_.sim_flash().erase_counts()[0], 1u);
  EXPECT_EQ(soc_.retained_ram()[0], 0u);
  std::vector<uint8_t> out(16);
  EXPECT_TRUE(soc_.flash(Requester::kDebugPort).Read(kGoldenSlot.offset, out).ok());
  // Blank OTP can be provisioned again.
  EXPECT_TRUE(soc_.otp(Requester::kDebugPort).Program(0, key_hash).ok());
}

TEST_F(ProtectionTest, ChipEraseInterruptedByPowerLossKeepsTheLock) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig(true)).ok());
  soc_.sim_flash().ArmPowerCut(soc_.sim_flash().mutating_ops() + 10, CutMode::kEraseNoise, 5);
  EXPECT_EQ(soc_.DebugChipErase().code(), StatusCode::kFlashIo);
  soc_.PowerCycle();
  EXPECT_TRUE(soc_.debug_port_locked());
}

TEST_F(ProtectionTest, FaultsDescribeThemselves) {
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  soc_.clock().Advance(1234);
  std::vector<uint8_t> out(32);
  EXPECT_FALSE(app().Read(kGoldenSlot.offset, out).ok());
  ASSERT_EQ(soc_.faults().size(), 1u);
  EXPECT_EQ(DescribeFault(soc_.faults()[0]), "application read [0x7a000, +0x20) at 1234 us");
}

}  // namespace
}  // namespace bleota::sim
