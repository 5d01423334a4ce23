// Key and counter OTP access rules through the simulated SoC.
#include <gtest/gtest.h>

#include <vector>

#include "bleota/sim/sim_soc.hpp"
#include "soc_test_layout.hpp"

namespace bleota::sim {
namespace {

using testing::HandoverConfig;

class OtpProtectionTest : public ::testing::Test {
 protected:
  OtpProtectionTest() {
    for (size_t i = 0; i < key_.size(); ++i) key_[i] = static_cast<uint8_t>(0xa0 + i);
    EXPECT_TRUE(soc_.ProvisionOtp(kKeyOffset, key_).ok());
  }

  static constexpr uint32_t kKeyOffset = 64;
  uint32_t counter_offset() { return soc_.sim_otp().counter_region_offset(); }

  SimSoc soc_;
  std::vector<uint8_t> key_ = std::vector<uint8_t>(32);
};

TEST_F(OtpProtectionTest, DefaultLayoutIsOneKibHalfKeys) {
  EXPECT_EQ(soc_.otp_size(), 1024u);
  EXPECT_EQ(soc_.sim_otp().key_region_size(), 512u);
}

TEST_F(OtpProtectionTest, BootloaderReadsKeysUntilLockedThenDeniedUntilReset) {
  std::vector<uint8_t> out(32);
  ASSERT_TRUE(soc_.ReadOtp(kKeyOffset, out).ok());
  EXPECT_EQ(out, key_);

  soc_.LockKeyOtp();
  EXPECT_TRUE(soc_.key_otp_locked());
  std::vector<uint8_t> after(32, 0);
  EXPECT_EQ(soc_.ReadOtp(kKeyOffset, after).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(after, std::vector<uint8_t>(32, 0));
  ASSERT_EQ(soc_.faults().size(), 1u);
  EXPECT_EQ(soc_.faults()[0], (Fault{Requester::kBootloader, AccessKind::kOtpRead, kKeyOffset, 32,
                                     soc_.clock().now_us()}));
  // Still locked after the handover and in the app; only a reset unlocks.
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  EXPECT_EQ(soc_.ReadOtp(kKeyOffset, after).code(), StatusCode::kPermissionDenied);
  soc_.Reset(boot::ResetCause::kSoftware);
  EXPECT_FALSE(soc_.key_otp_locked());
  ASSERT_TRUE(soc_.ReadOtp(kKeyOffset, after).ok());
  EXPECT_EQ(after, key_);
}

TEST_F(OtpProtectionTest, ApplyProtectionLocksKeysOnlyWhenAsked) {
  boot::ProtectionConfig config = HandoverConfig();
  config.lock_key_otp = false;
  ASSERT_TRUE(soc_.ApplyProtection(config).ok());
  std::vector<uint8_t> out(32);
  EXPECT_TRUE(soc_.ReadOtp(kKeyOffset, out).ok());
  soc_.Reset(boot::ResetCause::kPin);
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  EXPECT_EQ(soc_.ReadOtp(kKeyOffset, out).code(), StatusCode::kPermissionDenied);
}

TEST_F(OtpProtectionTest, LockedKeyRegionCannotBeProgrammedEither) {
  // Otherwise code running after the lock could add its own key to an empty key slot.
  const std::vector<uint8_t> rogue(32, 0x00);
  soc_.LockKeyOtp();
  EXPECT_EQ(soc_.ProgramOtp(256, rogue).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(soc_.sim_otp().programmed_word_count(), 8u);
  ASSERT_EQ(soc_.faults().size(), 1u);
  EXPECT_EQ(soc_.faults()[0].kind, AccessKind::kOtpProgram);
  soc_.Reset(boot::ResetCause::kPin);
  EXPECT_TRUE(soc_.ProgramOtp(256, rogue).ok());
}

TEST_F(OtpProtectionTest, CounterRegionStaysUsableByTheBootloaderAfterTheKeyLock) {
  soc_.LockKeyOtp();
  const uint8_t word[4] = {0, 0, 0, 0};
  ASSERT_TRUE(soc_.ProgramOtp(counter_offset(), word).ok());
  uint8_t out[8];
  ASSERT_TRUE(soc_.ReadOtp(counter_offset(), out).ok());
  EXPECT_EQ(out[0], 0u);
  EXPECT_EQ(out[4], 0xffu);
  // A read straddling both regions touches the locked keys.
  EXPECT_EQ(soc_.ReadOtp(counter_offset() - 4, out).code(), StatusCode::kPermissionDenied);
}

TEST_F(OtpProtectionTest, OtpWordProgrammedTwiceFailsThroughThePlatform) {
  const uint8_t first[4] = {0x00, 0xff, 0xff, 0xff};
  const uint8_t second[4] = {0x00, 0x00, 0xff, 0xff};
  ASSERT_TRUE(soc_.ProgramOtp(counter_offset() + 4, first).ok());
  EXPECT_EQ(soc_.ProgramOtp(counter_offset() + 4, second).code(), StatusCode::kFlashNotErased);
  uint8_t out[4];
  ASSERT_TRUE(soc_.ReadOtp(counter_offset() + 4, out).ok());
  EXPECT_EQ(out[1], 0xffu);
  EXPECT_TRUE(soc_.faults().empty());  // an OTP rule, not a protection fault
}

TEST_F(OtpProtectionTest, ApplicationNeverReadsKeysReadsButNeverProgramsCounters) {
  ProtectedOtp& app = soc_.otp(Requester::kApplication);
  std::vector<uint8_t> out(32);
  EXPECT_EQ(app.Read(kKeyOffset, out).code(), StatusCode::kPermissionDenied);  // even unlocked
  ASSERT_TRUE(soc_.ProgramOtp(counter_offset(), std::vector<uint8_t>(4, 0)).ok());
  ASSERT_TRUE(soc_.ApplyProtection(HandoverConfig()).ok());
  EXPECT_EQ(app.Read(0, out).code(), StatusCode::kPermissionDenied);
  ASSERT_TRUE(app.Read(counter_offset(), out).ok());
  EXPECT_EQ(out[0], 0u);
  EXPECT_EQ(app.Program(counter_offset() + 4, std::vector<uint8_t>(4, 0)).code(),
            StatusCode::kPermissionDenied);
  EXPECT_EQ(app.Program(0, std::vector<uint8_t>(4, 0)).code(), StatusCode::kPermissionDenied);
  ASSERT_EQ(soc_.faults().size(), 4u);
  EXPECT_EQ(soc_.faults()[0].requester, Requester::kApplication);
  EXPECT_EQ(soc_.faults()[0].kind, AccessKind::kOtpRead);
  EXPECT_EQ(soc_.faults()[2].kind, AccessKind::kOtpProgram);
  EXPECT_EQ(soc_.sim_otp().programmed_word_count(), 9u);
}

TEST_F(OtpProtectionTest, DebugPortObeysTheKeyLockAndTheDebugLock) {
  ProtectedOtp& debug = soc_.otp(Requester::kDebugPort);
  std::vector<uint8_t> out(32);
  ASSERT_TRUE(debug.Read(kKeyOffset, out).ok());
  EXPECT_EQ(out, key_);
  soc_.LockKeyOtp();
  EXPECT_EQ(debug.Read(kKeyOffset, out).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(debug.Read(counter_offset(), out).ok());
  soc_.Reset(boot::ResetCause::kPin);
  boot::ProtectionConfig config = HandoverConfig(true);
  config.lock_key_otp = false;
  ASSERT_TRUE(soc_.ApplyProtection(config).ok());
  EXPECT_EQ(debug.Read(kKeyOffset, out).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(debug.Read(counter_offset(), out).code(), StatusCode::kPermissionDenied);
  EXPECT_EQ(debug.Program(counter_offset(), std::vector<uint8_t>(4, 0)).code(),
            StatusCode::kPermissionDenied);
  ASSERT_TRUE(soc_.DebugChipErase().ok());
  EXPECT_TRUE(debug.Read(kKeyOffset, out).ok());
  EXPECT_EQ(out, std::vector<uint8_t>(32, 0xff));  // the keys went with the erase
}

TEST(OtpLayoutTest, SizesComeFromTheConfig) {
  SocConfig config;
  config.otp_size = 2048;
  config.otp_key_region_size = 256;
  SimSoc soc(config);
  EXPECT_EQ(soc.otp_size(), 2048u);
  soc.LockKeyOtp();
  uint8_t out[4];
  EXPECT_EQ(soc.ReadOtp(252, out).code(), StatusCode::kPermissionDenied);
  EXPECT_TRUE(soc.ReadOtp(256, out).ok());
  EXPECT_TRUE(soc.ReadOtp(2044, out).ok());
  EXPECT_EQ(soc.ReadOtp(2048, out).code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace bleota::sim
