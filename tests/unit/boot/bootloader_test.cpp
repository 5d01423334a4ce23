// Scenario tests of the bootloader on a simulated SoC: install/test/confirm/revert, golden
// recovery, refusals, OTA-mode triggers, anti-rollback and protection after handover.
#include "bleota/boot/bootloader.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "bleota/boot/device_keys.hpp"
#include "test_device.hpp"

namespace bleota::boot {
namespace {

using testing::ImageSpec;
using testing::MakeImage;
using testing::TestDevice;

testing::LayoutSpec Nrf52840() { return testing::SmallLayouts()[0]; }

BootDecision MustBoot(TestDevice& device) {
  Result<BootDecision> decision = device.Boot();
  EXPECT_TRUE(decision.ok()) << decision.status().name();
  return decision.ok() ? *decision : BootDecision();
}

TEST(BootloaderTest, BootsAValidPrimaryAndProtectsBeforeTheJump) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1});
  device.ProvisionPrimary(v1);
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.action, BootAction::kJumpToApplication);
  EXPECT_EQ(d.reason, BootReason::kPrimaryValid);
  EXPECT_EQ(d.version.major, 1);
  EXPECT_EQ(d.app_offset, device.spec().primary_offset + 0x200);
  EXPECT_TRUE(device.soc().protection_applied());
  EXPECT_TRUE(device.soc().key_otp_locked());
}

TEST(BootloaderTest, EmptyDeviceStaysInOtaMode) {
  TestDevice device(Nrf52840());
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.action, BootAction::kStayInBootloader);
  EXPECT_EQ(d.reason, BootReason::kNoValidImage);
}

TEST(BootloaderTest, InstallTestConfirm) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .payload_size = 9000, .seed = 2});
  device.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(device).version.major, 1);

  ASSERT_TRUE(device.AppOfferUpdate(v2, /*permanent=*/false).ok());
  device.soc().Reset(ResetCause::kSoftware);
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kInstalled);
  EXPECT_EQ(d.version.major, 2);
  EXPECT_TRUE(d.testing);
  EXPECT_TRUE(device.PrimaryHolds(v2));

  ASSERT_TRUE(device.AppConfirm().ok());
  device.soc().Reset(ResetCause::kSoftware);
  d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kPrimaryValid);
  EXPECT_EQ(d.version.major, 2);
  EXPECT_FALSE(d.testing);
  device.soc().Reset(ResetCause::kPin);
  EXPECT_EQ(MustBoot(device).version.major, 2);
}

TEST(BootloaderTest, UnconfirmedImageIsRevertedAtTheNextReset) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  device.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(device).version.major, 1);
  ASSERT_TRUE(device.AppOfferUpdate(v2, false).ok());
  device.soc().Reset(ResetCause::kSoftware);
  ASSERT_EQ(MustBoot(device).version.major, 2);
  // The new app never confirms.
  device.soc().Reset(ResetCause::kSoftware);
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kReverted);
  EXPECT_EQ(d.version.major, 1);
  EXPECT_FALSE(d.testing);
  EXPECT_TRUE(device.PrimaryHolds(v1));
  device.soc().Reset(ResetCause::kSoftware);
  EXPECT_EQ(MustBoot(device).version.major, 1);
}

TEST(BootloaderTest, CrashLoopIsReverted) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  device.config().max_test_boots = 3;
  device.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(device).version.major, 1);
  ASSERT_TRUE(device.AppOfferUpdate(v2, false).ok());
  device.soc().Reset(ResetCause::kSoftware);
  int boots_of_v2 = 0;
  for (int i = 0; i < 10; ++i) {
    BootDecision d = MustBoot(device);
    if (d.version.major == 1) break;
    ++boots_of_v2;
    SCOPED_TRACE(::testing::Message() << "boot " << i << " reason " << BootReasonName(d.reason));
    // v2 hangs: the watchdog fires before it confirms.
    device.soc().AdvanceTime(2'000'000);
    ASSERT_TRUE(device.soc().ResetIfWatchdogDue());
  }
  EXPECT_EQ(boots_of_v2, 3);
  EXPECT_TRUE(device.PrimaryHolds(v1));
}

TEST(BootloaderTest, PermanentInstallNeedsNoConfirm) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  device.ProvisionPrimary(v1);
  ASSERT_TRUE(device.AppOfferUpdate(v2, true).ok());
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.version.major, 2);
  EXPECT_FALSE(d.testing);
  device.soc().Reset(ResetCause::kSoftware);
  EXPECT_EQ(MustBoot(device).version.major, 2);
}

TEST(BootloaderTest, BadSignatureInSecondaryNeverBoots) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  host::PrivateKey stranger = host::GenerateKey(host::KeyType::kEcdsaP256);
  auto forged = MakeImage({.major = 9, .seed = 3, .signer = &stranger});
  auto tampered = MakeImage({.major = 8, .seed = 4});
  tampered[0x200 + 100] ^= 0x01;
  device.ProvisionPrimary(v1);
  for (const auto* bad : {&forged, &tampered}) {
    ASSERT_TRUE(device.AppOfferUpdate(*bad, true).ok());
    device.soc().Reset(ResetCause::kSoftware);
    BootDecision d = MustBoot(device);
    EXPECT_EQ(d.version.major, 1);
    EXPECT_TRUE(d.refused_pending);
    EXPECT_TRUE(device.PrimaryHolds(v1));
    EXPECT_EQ(device.last_state().pending, PendingRequest::kNone);
  }
}

TEST(BootloaderTest, RequestForAnotherImageThanTheOneUploadedIsRefused) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  auto v3 = MakeImage({.major = 3, .seed = 3});
  device.ProvisionPrimary(v1);
  ASSERT_TRUE(device.AppUpload(v2).ok());
  ASSERT_TRUE(device.AppRequestInstall(v3, true).ok());
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.version.major, 1);
  EXPECT_TRUE(d.refused_pending);
}

TEST(BootloaderTest, GoldenImageWhenPrimaryAndSecondaryAreCorrupt) {
  TestDevice device(Nrf52840());
  auto golden = MakeImage({.major = 0, .seed = 7});
  auto v1 = MakeImage({.major = 1, .seed = 1});
  device.ProvisionGolden(golden);
  device.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(device).version.major, 1);
  // Corrupt primary (a byte of its payload) and leave garbage in secondary.
  auto& raw = device.soc().sim_flash().raw();
  raw[device.spec().primary_offset + 0x300] ^= 0x40;
  raw[device.spec().secondary_offset] = 0x12;
  device.soc().PowerCycle();
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kGoldenRestored);
  EXPECT_EQ(d.version.major, 0);
  EXPECT_TRUE(device.PrimaryHolds(golden));
}

TEST(BootloaderTest, CorruptPrimaryRecoversTheValidImageInSecondary) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  device.ProvisionPrimary(v1);
  ASSERT_TRUE(device.AppOfferUpdate(v2, true).ok());
  ASSERT_EQ(MustBoot(device).version.major, 2);  // v1 now waits in secondary
  device.soc().sim_flash().raw()[device.spec().primary_offset + 0x250] ^= 0x01;
  device.soc().PowerCycle();
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kRecoveredFromSecondary);
  EXPECT_EQ(d.version.major, 1);
}

TEST(BootloaderTest, EncryptedImageIsDecryptedIntoPrimary) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .payload_size = 12000, .seed = 2, .encrypted = true});
  device.ProvisionPrimary(v1);
  ASSERT_TRUE(device.AppOfferUpdate(v2, false).ok());
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kInstalled);
  EXPECT_EQ(d.version.major, 2);
  EXPECT_FALSE(device.PrimaryHolds(v2));  // plaintext now, not the uploaded ciphertext
  // Not confirmed: revert, then the encrypted image (now plaintext in secondary) again.
  device.soc().Reset(ResetCause::kSoftware);
  EXPECT_EQ(MustBoot(device).version.major, 1);
}

TEST(BootloaderTest, ButtonAndAppRequestEnterOtaMode) {
  TestDevice device(Nrf52840());
  device.ProvisionPrimary(MakeImage({.major = 1}));
  device.soc().button().Press();
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.action, BootAction::kStayInBootloader);
  EXPECT_EQ(d.reason, BootReason::kButton);
  device.soc().button().Release();
  device.soc().Reset(ResetCause::kPin);
  EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);

  device.AppRequestOtaMode();
  device.soc().Reset(ResetCause::kSoftware);
  d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kAppRequest);
  device.soc().Reset(ResetCause::kSoftware);  // the request is used once
  EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
}

TEST(BootloaderTest, AppThatStopsAdvertisingLandsInOtaModeAfterTheNextWatchdogReset) {
  TestDevice device(Nrf52840());
  device.ProvisionPrimary(MakeImage({.major = 1}));
  ASSERT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
  // Healthy periods: the app sets the flag, the periodic watchdog reset boots it again.
  for (int period = 0; period < 3; ++period) {
    device.AppSetHealthy();
    device.soc().AdvanceTime(2'000'000);
    ASSERT_TRUE(device.soc().ResetIfWatchdogDue());
    EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication) << period;
  }
  // The app still runs but its trigger path broke: no flag this period.
  device.soc().AdvanceTime(2'000'000);
  ASSERT_TRUE(device.soc().ResetIfWatchdogDue());
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.action, BootAction::kStayInBootloader);
  EXPECT_EQ(d.reason, BootReason::kHealthMissing);
  // A power-on is not a miss.
  device.soc().PowerCycle();
  EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
}

TEST(BootloaderTest, OnlyWatchdogResetsOfAConfirmedImageJudgeTheHealthFlag) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  device.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
  // Software and pin resets without the flag are no misses.
  device.soc().Reset(ResetCause::kSoftware);
  EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
  device.soc().Reset(ResetCause::kPin);
  EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
  // A watchdog reset of an image under test (no flag) reverts it; it is not a health miss, and
  // the software reset after the revert does not enter OTA mode either.
  ASSERT_TRUE(device.AppOfferUpdate(v2, false).ok());
  device.soc().Reset(ResetCause::kSoftware);
  ASSERT_TRUE(MustBoot(device).testing);
  device.soc().AdvanceTime(2'000'000);
  ASSERT_TRUE(device.soc().ResetIfWatchdogDue());
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kReverted);
  device.soc().Reset(ResetCause::kSoftware);
  EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
}

TEST(BootloaderTest, HealthMissLimitCountsConsecutiveMisses) {
  TestDevice device(Nrf52840());
  device.config().health_miss_limit = 2;
  device.ProvisionPrimary(MakeImage({.major = 1}));
  ASSERT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
  device.soc().AdvanceTime(2'000'000);
  ASSERT_TRUE(device.soc().ResetIfWatchdogDue());
  EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);  // one miss
  device.soc().AdvanceTime(2'000'000);
  ASSERT_TRUE(device.soc().ResetIfWatchdogDue());
  EXPECT_EQ(MustBoot(device).reason, BootReason::kHealthMissing);  // two
}

TEST(BootloaderTest, AntiRollbackCounterIsRaisedOnlyAfterConfirmAndRefusesOlderImages) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1, .security_counter = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2, .security_counter = 5});
  auto old = MakeImage({.major = 3, .seed = 3, .security_counter = 3});
  device.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(device).version.major, 1);
  SecurityCounter counter(device.soc(), device.config().counter_otp_offset,
                          device.config().counter_otp_entries);
  EXPECT_EQ(*counter.Read(), 1u);

  ASSERT_TRUE(device.AppOfferUpdate(v2, false).ok());
  device.soc().Reset(ResetCause::kSoftware);
  ASSERT_EQ(MustBoot(device).version.major, 2);
  EXPECT_EQ(*counter.Read(), 1u);  // testing: not raised yet
  ASSERT_TRUE(device.AppConfirm().ok());
  device.soc().Reset(ResetCause::kSoftware);
  ASSERT_EQ(MustBoot(device).version.major, 2);
  EXPECT_EQ(*counter.Read(), 5u);

  ASSERT_TRUE(device.AppOfferUpdate(old, true).ok());
  device.soc().Reset(ResetCause::kSoftware);
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.version.major, 2);
  EXPECT_TRUE(d.refused_pending);
  EXPECT_EQ(d.refused_status, StatusCode::kPermissionDenied);
}

TEST(BootloaderTest, AppWritesIntoBootloaderAndGoldenFault) {
  TestDevice device(Nrf52840());
  auto golden = MakeImage({.major = 0, .seed = 7});
  device.ProvisionGolden(golden);
  device.ProvisionPrimary(MakeImage({.major = 1}));
  ASSERT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);
  Flash& app = device.soc().flash(sim::Requester::kApplication);
  const uint8_t word[4] = {0, 0, 0, 0};
  EXPECT_EQ(app.Program(0x100, word).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(app.Erase(device.spec().golden_offset, 4096).code(), StatusCode::kPermissionDenied);
  uint8_t out[4];
  EXPECT_EQ(app.Read(device.spec().golden_offset, out).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(app.Program(device.spec().primary_offset + 0x8000 - 4, word).code(),
            StatusCode::kPermissionDenied);
  EXPECT_GE(device.soc().faults().size(), 4u);
  EXPECT_TRUE(device.PrimaryHolds(MakeImage({.major = 1})));
}

// Production set-up: keys come from key OTP, which the app can never read and which is locked
// before the jump.
TEST(BootloaderTest, KeysFromOtpAreUsedAndLockedAway) {
  TestDevice device(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2, .encrypted = true});
  std::vector<uint8_t> spki = host::SpkiDer(testing::SigningKey().public_key);
  DeviceKeys keys;
  keys.signing_count = 1;
  keys.trusted[0] = {image::KeyAlgorithm::kEcdsaP256, spki};
  const auto& secret = testing::DeviceEncryptionKey().secret.span();
  std::copy(secret.begin(), secret.end(), keys.ec256_private);
  keys.ec256_size = 32;
  std::vector<uint8_t> record(KeyOtpSize(1));
  ASSERT_TRUE(EncodeKeyOtp(keys, record).ok());
  ASSERT_TRUE(device.soc().ProvisionOtp(0, record).ok());

  device.config().keys_in_otp = true;
  device.config().key_otp_offset = 0;
  device.config().keys = {};  // nothing but OTP
  device.config().decryption = {};
  device.ProvisionPrimary(v1);
  ASSERT_TRUE(device.AppOfferUpdate(v2, true).ok());
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.reason, BootReason::kInstalled);
  EXPECT_EQ(d.version.major, 2);
  EXPECT_TRUE(device.soc().key_otp_locked());
  uint8_t out[8];
  EXPECT_EQ(device.soc().otp(sim::Requester::kApplication).Read(0, out).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(device.soc().otp(sim::Requester::kBootloader).Read(0, out).code(),
            StatusCode::kPermissionDenied);
}

TEST(BootloaderTest, DamagedKeyOtpStaysInOtaMode) {
  TestDevice device(Nrf52840());
  device.ProvisionPrimary(MakeImage({.major = 1}));
  std::vector<uint8_t> spki = host::SpkiDer(testing::SigningKey().public_key);
  DeviceKeys keys;
  keys.signing_count = 1;
  keys.trusted[0] = {image::KeyAlgorithm::kEcdsaP256, spki};
  std::vector<uint8_t> record(KeyOtpSize(1));
  ASSERT_TRUE(EncodeKeyOtp(keys, record).ok());
  record[20] ^= 0x01;  // a bit of the key itself
  ASSERT_TRUE(device.soc().ProvisionOtp(0, record).ok());
  device.config().keys_in_otp = true;
  device.config().keys = {};
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.action, BootAction::kStayInBootloader);
  EXPECT_EQ(d.reason, BootReason::kNoKeys);
}

TEST(BootloaderTest, SignatureAfterChangePolicyChecksTheHashOnOtherBoots) {
  TestDevice device(Nrf52840());
  device.config().verify_policy = VerifyPolicy::kSignatureAfterChange;
  auto v1 = MakeImage({.major = 1, .seed = 1});
  device.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(device).version.major, 1);  // full verification, recorded
  EXPECT_TRUE(device.last_state().primary_verified);

  // Without any trusted key a signature check would fail: the boot only checks the hash.
  device.config().keys = {};
  device.soc().Reset(ResetCause::kSoftware);
  EXPECT_EQ(MustBoot(device).action, BootAction::kJumpToApplication);

  // A changed byte breaks the hash: the bootloader falls back to a full check, which fails.
  device.soc().sim_flash().raw()[device.spec().primary_offset + 0x280] ^= 0x04;
  device.soc().Reset(ResetCause::kSoftware);
  EXPECT_EQ(MustBoot(device).reason, BootReason::kNoValidImage);

  // With the default policy the missing key is noticed at once.
  TestDevice strict(Nrf52840());
  strict.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(strict).action, BootAction::kJumpToApplication);
  strict.config().keys = {};
  strict.soc().Reset(ResetCause::kSoftware);
  EXPECT_EQ(MustBoot(strict).reason, BootReason::kNoValidImage);
}

TEST(BootloaderTest, SignatureAfterChangePolicyVerifiesEveryNewImageInFull) {
  TestDevice device(Nrf52840());
  device.config().verify_policy = VerifyPolicy::kSignatureAfterChange;
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  device.ProvisionPrimary(v1);
  ASSERT_EQ(MustBoot(device).version.major, 1);
  ASSERT_TRUE(device.AppOfferUpdate(v2, true).ok());
  device.soc().Reset(ResetCause::kSoftware);
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.version.major, 2);
  EXPECT_TRUE(device.last_state().primary_verified);
  std::array<uint8_t, 32> hash = testing::ImageHash(v2);
  EXPECT_TRUE(std::equal(hash.begin(), hash.begin() + kVerifiedHashBytes,
                         device.last_state().verified_hash));
}

// A signed golden update writes the verified image (decrypted) into the golden slot, resumably.
TEST(BootloaderTest, SignedGoldenUpdateReplacesTheGoldenImage) {
  auto golden_v0 = MakeImage({.major = 0, .seed = 7});
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto golden_v5 = MakeImage({.major = 5, .payload_size = 14000, .seed = 5, .encrypted = true});
  uint32_t cuts = 0;
  for (uint64_t cut_at = 0;; ++cut_at) {
    TestDevice device(Nrf52840());
    device.ProvisionGolden(golden_v0);
    device.ProvisionPrimary(v1);
    ASSERT_EQ(MustBoot(device).version.major, 1);
    ASSERT_TRUE(device.AppUpload(golden_v5).ok());
    std::array<uint8_t, 32> hash = testing::ImageHash(golden_v5);
    ASSERT_TRUE(device.AppControl().RequestGoldenUpdate(hash).ok());
    device.soc().Reset(ResetCause::kSoftware);
    device.soc().sim_flash().ResetOpCount();
    device.soc().sim_flash().ArmPowerCut(cut_at, sim::CutMode::kProgramWordNoise, cut_at);
    Result<BootDecision> d = device.Boot();
    const bool cut = device.soc().sim_flash().cut_happened();
    device.soc().sim_flash().DisarmPowerCut();
    for (int reboot = 0; !d.ok() && reboot < 3; ++reboot) {
      device.soc().PowerCycle();
      d = device.Boot();
    }
    ASSERT_TRUE(d.ok());
    EXPECT_EQ(d->version.major, 1) << "cut at " << cut_at;
    // Golden now verifies as v5, in plaintext.
    image::VerifyOptions options;
    std::vector<uint8_t> spki = host::SpkiDer(testing::SigningKey().public_key);
    image::TrustedKey key{image::KeyAlgorithm::kEcdsaP256, spki};
    options.keys = std::span(&key, 1);
    options.payload_form = image::PayloadForm::kDecrypted;
    // Read the slot as the chip holds it (the protection unit now closes it to the CPU).
    const auto& raw = device.soc().sim_flash().raw();
    MemoryReadable golden_slot(
        ConstByteSpan(raw.data() + device.spec().golden_offset, device.spec().slot_size));
    Result<image::VerifiedImage> golden = image::VerifyImage(golden_slot, options);
    ASSERT_TRUE(golden.ok()) << "cut at " << cut_at << ": " << golden.status().name();
    EXPECT_EQ(golden->layout.header.version.major, 5);
    if (!cut) {
      EXPECT_EQ(d->reason, BootReason::kGoldenUpdated);
      // And it is what a device with both slots broken now recovers to.
      auto& flash = device.soc().sim_flash().raw();
      flash[device.spec().primary_offset + 0x300] ^= 0x01;
      flash[device.spec().secondary_offset + 0x300] ^= 0x01;
      device.soc().PowerCycle();
      BootDecision restored = MustBoot(device);
      EXPECT_EQ(restored.reason, BootReason::kGoldenRestored);
      EXPECT_EQ(restored.version.major, 5);
      break;
    }
    ++cuts;
  }
  std::printf("golden update: %u power cuts covered\n", cuts);
  EXPECT_GT(cuts, 10u);
}

TEST(BootloaderTest, UnsignedGoldenUpdateIsRefused) {
  TestDevice device(Nrf52840());
  auto golden_v0 = MakeImage({.major = 0, .seed = 7});
  host::PrivateKey stranger = host::GenerateKey(host::KeyType::kEcdsaP256);
  auto forged = MakeImage({.major = 6, .seed = 6, .signer = &stranger});
  device.ProvisionGolden(golden_v0);
  device.ProvisionPrimary(MakeImage({.major = 1}));
  ASSERT_TRUE(device.AppUpload(forged).ok());
  std::array<uint8_t, 32> hash = testing::ImageHash(forged);
  ASSERT_TRUE(device.AppControl().RequestGoldenUpdate(hash).ok());
  BootDecision d = MustBoot(device);
  EXPECT_TRUE(d.refused_pending);
  EXPECT_EQ(d.version.major, 1);
  const auto& raw = device.soc().sim_flash().raw();
  std::vector<uint8_t> got(raw.begin() + device.spec().golden_offset,
                           raw.begin() + device.spec().golden_offset + golden_v0.size());
  EXPECT_EQ(got, golden_v0);
}

TEST(BootloaderTest, GoldenOperationInTheJournalWithoutAGoldenSlotIsDropped) {
  testing::LayoutSpec spec = Nrf52840();
  spec.golden_offset = 0;  // this layout has no golden slot
  TestDevice device(spec);
  device.ProvisionPrimary(MakeImage({.major = 1}));
  FlashArea boot_state(AreaId::kBootState, device.soc().flash(sim::Requester::kBootloader),
                       spec.boot_state_offset, spec.boot_state_size);
  BootStateStore store(boot_state);
  BootState state;
  state.op = BootOp::kGoldenRestore;
  state.step = 1;
  state.swap_sectors = 3;
  ASSERT_TRUE(store.Save(state).ok());
  BootDecision d = MustBoot(device);
  EXPECT_EQ(d.action, BootAction::kJumpToApplication);
  EXPECT_EQ(d.version.major, 1);
  EXPECT_EQ(device.last_state().op, BootOp::kNone);
}

TEST(DeviceKeysTest, WipeClearsEveryByte) {
  DeviceKeys keys;
  std::fill(std::begin(keys.ec256_private), std::end(keys.ec256_private), 0xa5);
  std::fill(std::begin(keys.kek), std::end(keys.kek), 0x5a);
  std::fill(&keys.spki[0][0], &keys.spki[0][0] + sizeof(keys.spki), 0x33);
  keys.signing_count = 2;
  keys.kek_size = 32;
  keys.Wipe();
  const uint8_t* bytes = &keys.spki[0][0];
  EXPECT_TRUE(std::all_of(bytes, bytes + sizeof(keys.spki), [](uint8_t b) { return b == 0; }));
  EXPECT_TRUE(std::all_of(std::begin(keys.ec256_private), std::end(keys.ec256_private),
                          [](uint8_t b) { return b == 0; }));
  EXPECT_TRUE(
      std::all_of(std::begin(keys.kek), std::end(keys.kek), [](uint8_t b) { return b == 0; }));
  EXPECT_EQ(keys.signing_count, 0);
  EXPECT_EQ(keys.kek_size, 0);
}

}  // namespace
}  // namespace bleota::boot
