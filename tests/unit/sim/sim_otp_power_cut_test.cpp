// Power cuts during OTP programs: operation counting, every torn mode, power-on, and the shared
// power domain with the flash as the bootloader sees it through SimSoc.
#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

#include "bleota/sim/sim_otp.hpp"
#include "bleota/sim/sim_soc.hpp"

namespace bleota::sim {
namespace {

const std::vector<uint8_t> kEightWords = {
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10,
    0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f, 0x20};

TEST(SimOtpPowerCutTest, CountsAcceptedProgramsOnly) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock);
  const uint8_t word[4] = {0, 0, 0, 0};
  ASSERT_TRUE(otp.Program(0, word).ok());
  EXPECT_EQ(otp.Program(0, word).code(), StatusCode::kFlashNotErased);
  EXPECT_EQ(otp.Program(2, word).code(), StatusCode::kFlashAlignment);
  EXPECT_EQ(otp.mutating_ops(), 1u);
  ASSERT_TRUE(otp.Program(4, word).ok());
  EXPECT_EQ(otp.mutating_ops(), 2u);
  otp.ResetOpCount();
  EXPECT_EQ(otp.mutating_ops(), 0u);
}

TEST(SimOtpPowerCutTest, CutAtTheArmedProgramThenEverythingFailsUntilPowerOn) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock);
  const uint8_t word[4] = {0x11, 0x22, 0x33, 0x44};
  otp.ArmPowerCut(1, CutMode::kBefore, 7);
  ASSERT_TRUE(otp.Program(0, word).ok());
  EXPECT_FALSE(otp.cut_happened());
  EXPECT_EQ(otp.Program(4, word).code(), StatusCode::kFlashIo);
  EXPECT_TRUE(otp.cut_happened());
  EXPECT_FALSE(otp.powered());
  uint8_t out[4];
  EXPECT_EQ(otp.Read(0, out).code(), StatusCode::kFlashIo);
  EXPECT_EQ(otp.Program(8, word).code(), StatusCode::kFlashIo);
  otp.PowerOn();
  ASSERT_TRUE(otp.Read(4, out).ok());
  EXPECT_TRUE(std::all_of(out, out + 4, [](uint8_t b) { return b == 0xff; }));
  EXPECT_FALSE(otp.word_programmed(1));  // kBefore: the cut program never started
  EXPECT_TRUE(otp.Program(4, word).ok());
}

TEST(SimOtpPowerCutTest, AfterCompletesTheProgram) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock);
  otp.ArmPowerCut(0, CutMode::kAfter, 1);
  EXPECT_EQ(otp.Program(0, kEightWords).code(), StatusCode::kFlashIo);
  otp.PowerOn();
  EXPECT_TRUE(std::equal(kEightWords.begin(), kEightWords.end(), otp.raw().begin()));
  EXPECT_EQ(otp.programmed_word_count(), 8u);
}

TEST(SimOtpPowerCutTest, EraseNoiseWritesNothingOnAProgram) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock);
  otp.ArmPowerCut(0, CutMode::kEraseNoise, 1);
  EXPECT_EQ(otp.Program(0, kEightWords).code(), StatusCode::kFlashIo);
  otp.PowerOn();
  EXPECT_EQ(otp.raw(), std::vector<uint8_t>(64, 0xff));
  EXPECT_EQ(otp.programmed_word_count(), 0u);
}

// Partial: a prefix of whole words is written, the rest stays erased and programmable. Over many
// seeds every prefix length 0..7 shows up.
TEST(SimOtpPowerCutTest, PartialWritesAPrefixOfWholeWords) {
  std::vector<bool> seen(8, false);
  for (uint64_t seed = 0; seed < 200; ++seed) {
    VirtualClock clock;
    SimOtp otp(64, 32, clock);
    otp.ArmPowerCut(0, CutMode::kProgramPartial, seed);
    EXPECT_EQ(otp.Program(0, kEightWords).code(), StatusCode::kFlashIo);
    otp.PowerOn();
    const uint32_t k = otp.programmed_word_count();
    ASSERT_LT(k, 8u);
    seen[k] = true;
    for (uint32_t w = 0; w < 8; ++w) EXPECT_EQ(otp.word_programmed(w), w < k);
    EXPECT_TRUE(std::equal(kEightWords.begin(), kEightWords.begin() + 4 * k, otp.raw().begin()));
    EXPECT_TRUE(std::all_of(otp.raw().begin() + 4 * k, otp.raw().end(),
                            [](uint8_t b) { return b == 0xff; }));
  }
  EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](bool b) { return b; }));
}

// Noise: words before k are written, word k holds random bits and cannot be programmed again,
// words after it are untouched.
TEST(SimOtpPowerCutTest, WordNoiseLeavesOneUsedWordWithRandomBits) {
  int noisy_differs = 0;
  for (uint64_t seed = 0; seed < 100; ++seed) {
    VirtualClock clock;
    SimOtp otp(64, 32, clock);
    otp.ArmPowerCut(0, CutMode::kProgramWordNoise, seed);
    EXPECT_EQ(otp.Program(0, kEightWords).code(), StatusCode::kFlashIo);
    otp.PowerOn();
    const uint32_t used = otp.programmed_word_count();
    ASSERT_GE(used, 1u);
    ASSERT_LE(used, 8u);
    const uint32_t k = used - 1;  // the noisy word
    for (uint32_t w = 0; w < 8; ++w) EXPECT_EQ(otp.word_programmed(w), w <= k);
    EXPECT_TRUE(std::equal(kEightWords.begin(), kEightWords.begin() + 4 * k, otp.raw().begin()));
    if (!std::equal(kEightWords.begin() + 4 * k, kEightWords.begin() + 4 * k + 4,
                    otp.raw().begin() + 4 * k)) {
      ++noisy_differs;
    }
    const uint8_t zero[4] = {0, 0, 0, 0};
    EXPECT_EQ(otp.Program(4 * k, zero).code(), StatusCode::kFlashNotErased);
    EXPECT_TRUE(std::all_of(otp.raw().begin() + 4 * used, otp.raw().end(),
                            [](uint8_t b) { return b == 0xff; }));
  }
  EXPECT_GT(noisy_differs, 90);
}

TEST(SimOtpPowerCutTest, SocTreatsFlashAndOtpAsOnePowerDomain) {
  SimSoc soc;
  const uint32_t counter = soc.sim_otp().counter_region_offset();
  const uint8_t entry[8] = {1, 0, 0, 0, 0xfe, 0xff, 0xff, 0xff};
  uint8_t out[8];

  // A cut during an OTP program takes the flash down too; a power cycle brings both back.
  soc.sim_otp().ArmPowerCut(0, CutMode::kBefore, 1);
  EXPECT_EQ(soc.ProgramOtp(counter, entry).code(), StatusCode::kFlashIo);
  EXPECT_FALSE(soc.sim_flash().powered());
  EXPECT_EQ(soc.ReadOtp(counter, out).code(), StatusCode::kFlashIo);
  soc.PowerCycle();
  EXPECT_TRUE(soc.sim_flash().powered());
  EXPECT_TRUE(soc.sim_otp().powered());
  ASSERT_TRUE(soc.ProgramOtp(counter, entry).ok());

  // A flash cut: the bootloader's OTP accesses fail until the power cycle.
  const uint8_t word[4] = {0, 0, 0, 0};
  soc.sim_flash().ArmPowerCut(soc.sim_flash().mutating_ops(), CutMode::kBefore, 1);
  EXPECT_EQ(soc.sim_flash().Program(0x1000, word).code(), StatusCode::kFlashIo);
  EXPECT_EQ(soc.ReadOtp(counter, out).code(), StatusCode::kFlashIo);
  EXPECT_EQ(soc.ProgramOtp(counter + 8, entry).code(), StatusCode::kFlashIo);
  soc.PowerCycle();
  ASSERT_TRUE(soc.ReadOtp(counter, out).ok());
  EXPECT_TRUE(std::equal(out, out + 8, entry));
}

}  // namespace
}  // namespace bleota::sim
