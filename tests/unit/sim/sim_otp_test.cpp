#include "bleota/sim/sim_otp.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <stdexcept>
#include <vector>

namespace bleota::sim {
namespace {

TEST(SimOtpTest, StartsErasedAndSplitsIntoKeyAndCounterRegions) {
  VirtualClock clock;
  SimOtp otp(1024, 256, clock);
  EXPECT_EQ(otp.size(), 1024u);
  EXPECT_EQ(otp.key_region_size(), 256u);
  EXPECT_EQ(otp.counter_region_offset(), 256u);
  EXPECT_EQ(otp.counter_region_size(), 768u);
  std::vector<uint8_t> all(1024, 0);
  ASSERT_TRUE(otp.Read(0, all).ok());
  EXPECT_TRUE(std::all_of(all.begin(), all.end(), [](uint8_t b) { return b == 0xff; }));
  EXPECT_EQ(otp.programmed_word_count(), 0u);
}

TEST(SimOtpTest, AWordCanBeProgrammedOnlyOnce) {
  VirtualClock clock;
  SimOtp otp(1024, 512, clock);
  const uint8_t first[4] = {0x12, 0x34, 0x56, 0x78};
  const uint8_t second[4] = {0x00, 0x00, 0x00, 0x00};
  ASSERT_TRUE(otp.Program(8, first).ok());
  EXPECT_EQ(otp.Program(8, second).code(), StatusCode::kFlashNotErased);
  uint8_t out[4];
  ASSERT_TRUE(otp.Read(8, out).ok());
  EXPECT_TRUE(std::equal(out, out + 4, first));
  EXPECT_TRUE(otp.word_programmed(2));
  EXPECT_FALSE(otp.word_programmed(3));
}

TEST(SimOtpTest, ProgrammingAllOnesStillUsesTheWord) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock);
  const uint8_t ones[4] = {0xff, 0xff, 0xff, 0xff};
  const uint8_t value[4] = {1, 2, 3, 4};
  ASSERT_TRUE(otp.Program(0, ones).ok());
  EXPECT_EQ(otp.Program(0, value).code(), StatusCode::kFlashNotErased);
}

TEST(SimOtpTest, RefusedMultiWordProgramChangesNothing) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock);
  const uint8_t word[4] = {0xaa, 0xaa, 0xaa, 0xaa};
  ASSERT_TRUE(otp.Program(12, word).ok());
  const std::vector<uint8_t> before = otp.raw();
  const uint64_t time_before = clock.now_us();
  const std::vector<uint8_t> three_words(12, 0x00);  // words 2, 3 (programmed), 4
  EXPECT_EQ(otp.Program(8, three_words).code(), StatusCode::kFlashNotErased);
  EXPECT_EQ(otp.raw(), before);
  EXPECT_FALSE(otp.word_programmed(2));
  EXPECT_FALSE(otp.word_programmed(4));
  EXPECT_EQ(clock.now_us(), time_before);
}

TEST(SimOtpTest, ProgramsMustBeWordAlignedAndInRange) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock);
  const uint8_t data[8] = {};
  EXPECT_EQ(otp.Program(2, std::span(data, 4)).code(), StatusCode::kFlashAlignment);
  EXPECT_EQ(otp.Program(4, std::span(data, 6)).code(), StatusCode::kFlashAlignment);
  EXPECT_EQ(otp.Program(60, std::span(data, 8)).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(otp.Program(0xfffffffc, std::span(data, 8)).code(), StatusCode::kOutOfRange);
  uint8_t out[8];
  EXPECT_EQ(otp.Read(60, out).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(otp.programmed_word_count(), 0u);
}

TEST(SimOtpTest, ProgramTakesTimePerWord) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock, 41);
  const uint8_t data[12] = {};
  ASSERT_TRUE(otp.Program(0, data).ok());
  EXPECT_EQ(clock.now_us(), 3u * 41u);
}

TEST(SimOtpTest, EraseAllRestoresTheErasedState) {
  VirtualClock clock;
  SimOtp otp(64, 32, clock);
  const uint8_t data[8] = {};
  ASSERT_TRUE(otp.Program(16, data).ok());
  otp.EraseAll();
  EXPECT_EQ(otp.programmed_word_count(), 0u);
  EXPECT_EQ(otp.raw(), std::vector<uint8_t>(64, 0xff));
  EXPECT_TRUE(otp.Program(16, data).ok());
}

TEST(SimOtpTest, InvalidLayoutsAreRejected) {
  VirtualClock clock;
  EXPECT_THROW(SimOtp(0, 0, clock), std::invalid_argument);
  EXPECT_THROW(SimOtp(1022, 0, clock), std::invalid_argument);
  EXPECT_THROW(SimOtp(1024, 2, clock), std::invalid_argument);
  EXPECT_THROW(SimOtp(1024, 1028, clock), std::invalid_argument);
  EXPECT_NO_THROW(SimOtp(1024, 1024, clock));
}

}  // namespace
}  // namespace bleota::sim
