#include "bleota/sim/sim_flash.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <vector>

namespace bleota::sim {
namespace {

std::vector<uint8_t> Pattern(size_t n, uint8_t seed) {
  std::vector<uint8_t> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = static_cast<uint8_t>(seed + i * 7);
  return v;
}

TEST(SimFlashTest, EraseSetsEraseValueAndProgramClearsBitsOnly) {
  VirtualClock clock;
  SimFlash flash(Nrf52840Profile(), clock, ReprogramRule::kAndBits);
  const uint8_t first[4] = {0xf0, 0x0f, 0xff, 0x00};
  const uint8_t second[4] = {0xff, 0xff, 0x0f, 0xff};
  ASSERT_TRUE(flash.Program(0, first).ok());
  ASSERT_TRUE(flash.Program(0, second).ok());
  uint8_t out[4];
  ASSERT_TRUE(flash.Read(0, out).ok());
  EXPECT_EQ(out[0], 0xf0);
  EXPECT_EQ(out[1], 0x0f);
  EXPECT_EQ(out[2], 0x0f);  // bits cannot be set back to 1 without an erase
  EXPECT_EQ(out[3], 0x00);
  ASSERT_TRUE(flash.Erase(0, 4096).ok());
  ASSERT_TRUE(flash.Read(0, out).ok());
  EXPECT_TRUE(std::all_of(out, out + 4, [](uint8_t b) { return b == 0xff; }));
}

TEST(SimFlashTest, StrictPartsRefuseASecondProgramOfAWord) {
  VirtualClock clock;
  SimFlash flash(Nrf52840Profile(), clock);
  const uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
  ASSERT_TRUE(flash.Program(8, data).ok());
  EXPECT_EQ(flash.Program(12, std::span(data, 4)).code(), StatusCode::kFlashNotErased);
  EXPECT_TRUE(flash.Program(16, std::span(data, 4)).ok());
  ASSERT_TRUE(flash.Erase(0, 4096).ok());
  EXPECT_TRUE(flash.Program(12, std::span(data, 4)).ok());
}

TEST(SimFlashTest, WritesMustBeAligned) {
  for (uint32_t align : {4u, 8u, 16u}) {
    VirtualClock clock;
    SimFlash flash(Nrf52840Profile().WithWriteAlign(align), clock);
    std::vector<uint8_t> data(align, 0);
    EXPECT_TRUE(flash.Program(align, data).ok()) << align;
    EXPECT_EQ(flash.Program(align * 4 + align / 2, data).code(), StatusCode::kFlashAlignment);
    std::vector<uint8_t> short_data(align / 2, 0);
    EXPECT_EQ(flash.Program(align * 8, short_data).code(), StatusCode::kFlashAlignment);
  }
}

TEST(SimFlashTest, EraseMustCoverWholeSectorsOfMixedGeometry) {
  VirtualClock clock;
  SimFlash flash(Stm32F4Profile(), clock);
  EXPECT_EQ(flash.Erase(0, 4096).code(), StatusCode::kFlashAlignment);
  EXPECT_EQ(flash.Erase(64 * 1024, 16 * 1024).code(), StatusCode::kFlashAlignment);
  EXPECT_TRUE(flash.Erase(48 * 1024, 16 * 1024 + 64 * 1024).ok());
  EXPECT_EQ(flash.erase_counts()[3], 1u);
  EXPECT_EQ(flash.erase_counts()[4], 1u);
  EXPECT_EQ(flash.erase_counts()[0], 0u);
  EXPECT_EQ(clock.now_us(), 400000u + 1100000u);
}

TEST(SimFlashTest, TimingFollowsTheProfile) {
  VirtualClock clock;
  SimFlash flash(Nrf52840Profile(), clock);
  ASSERT_TRUE(flash.Erase(0, 4096).ok());
  EXPECT_EQ(clock.now_us(), 85000u);
  std::vector<uint8_t> page(4096, 0x5a);
  ASSERT_TRUE(flash.Program(0, page).ok());
  EXPECT_EQ(clock.now_us(), 85000u + 1024u * 41u);
  uint8_t out[16];
  ASSERT_TRUE(flash.Read(0, out).ok());
  EXPECT_EQ(clock.now_us(), 85000u + 1024u * 41u);  // reads are free at this scale
  ASSERT_EQ(flash.log().size(), 2u);
  EXPECT_EQ(flash.log()[1].kind, FlashOpKind::kProgram);
  EXPECT_EQ(flash.log()[1].start_us, 85000u);
}

TEST(SimFlashTest, CutBeforeLeavesFlashUntouchedAndPowerStaysOff) {
  VirtualClock clock;
  SimFlash flash(Nrf52840Profile(), clock);
  auto data = Pattern(64, 1);
  flash.ArmPowerCut(1, CutMode::kBefore, 7);
  ASSERT_TRUE(flash.Program(0, data).ok());
  EXPECT_EQ(flash.Program(64, data).code(), StatusCode::kFlashIo);
  EXPECT_TRUE(flash.cut_happened());
  EXPECT_FALSE(flash.powered());
  uint8_t out[4];
  EXPECT_EQ(flash.Read(0, out).code(), StatusCode::kFlashIo);
  flash.PowerOn();
  ASSERT_TRUE(flash.Read(64, out).ok());
  EXPECT_EQ(out[0], 0xff);
  ASSERT_TRUE(flash.Read(0, out).ok());
  EXPECT_EQ(out[0], data[0]);
}

TEST(SimFlashTest, CutAfterCompletesTheOperation) {
  VirtualClock clock;
  SimFlash flash(Nrf52840Profile(), clock);
  auto data = Pattern(64, 3);
  flash.ArmPowerCut(0, CutMode::kAfter, 7);
  EXPECT_EQ(flash.Program(0, data).code(), StatusCode::kFlashIo);
  flash.PowerOn();
  std::vector<uint8_t> out(64);
  ASSERT_TRUE(flash.Read(0, out).ok());
  EXPECT_EQ(out, data);
}

TEST(SimFlashTest, TornProgramWritesAPrefixOfUnits) {
  for (uint64_t seed = 0; seed < 20; ++seed) {
    VirtualClock clock;
    SimFlash flash(Nrf52840Profile(), clock);
    auto data = Pattern(256, 9);
    flash.ArmPowerCut(0, CutMode::kProgramPartial, seed);
    EXPECT_EQ(flash.Program(0, data).code(), StatusCode::kFlashIo);
    flash.PowerOn();
    std::vector<uint8_t> out(256);
    ASSERT_TRUE(flash.Read(0, out).ok());
    // Words [0, k) hold the data, words [k, 64) are still erased.
    size_t k = 0;
    while (k < 64 && std::equal(&out[k * 4], &out[k * 4 + 4], &data[k * 4])) ++k;
    EXPECT_LT(k, 64u) << "seed " << seed;
    for (size_t i = k * 4; i < 256; ++i)
      EXPECT_EQ(out[i], 0xff) << "seed " << seed << " byte " << i;
  }
}

TEST(SimFlashTest, TornProgramCanLeaveOneNoisyWord) {
  int noisy = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    VirtualClock clock;
    SimFlash flash(Nrf52840Profile(), clock);
    std::vector<uint8_t> zeros(256, 0x00);
    flash.ArmPowerCut(0, CutMode::kProgramWordNoise, seed);
    EXPECT_EQ(flash.Program(0, zeros).code(), StatusCode::kFlashIo);
    flash.PowerOn();
    std::vector<uint8_t> out(256);
    ASSERT_TRUE(flash.Read(0, out).ok());
    size_t not_zero_not_erased = 0;
    for (size_t w = 0; w < 64; ++w) {
      const bool zero = std::all_of(&out[w * 4], &out[w * 4 + 4], [](uint8_t b) { return !b; });
      const bool erased =
          std::all_of(&out[w * 4], &out[w * 4 + 4], [](uint8_t b) { return b == 0xff; });
      if (!zero && !erased) ++not_zero_not_erased;
    }
    EXPECT_LE(not_zero_not_erased, 1u);
    noisy += static_cast<int>(not_zero_not_erased);
    // The noisy word counts as programmed: writing it again needs an erase.
  }
  EXPECT_GT(noisy, 10);
}

TEST(SimFlashTest, TornEraseLeavesRandomContentAndCountsWear) {
  VirtualClock clock;
  SimFlash flash(Nrf52840Profile(), clock);
  flash.ArmPowerCut(0, CutMode::kEraseNoise, 11);
  EXPECT_EQ(flash.Erase(4096, 4096).code(), StatusCode::kFlashIo);
  flash.PowerOn();
  std::vector<uint8_t> out(4096);
  ASSERT_TRUE(flash.Read(4096, out).ok());
  EXPECT_LT(std::count(out.begin(), out.end(), 0xff), 200);
  EXPECT_EQ(flash.erase_counts()[1], 1u);
  const uint8_t word[4] = {0, 0, 0, 0};
  EXPECT_EQ(flash.Program(4096, word).code(), StatusCode::kFlashNotErased);
}

TEST(SimFlashTest, MultiSectorEraseIsOneOperationPerSector) {
  VirtualClock clock;
  SimFlash flash(Nrf52840Profile(), clock);
  std::vector<uint8_t> data(4, 0);
  ASSERT_TRUE(flash.Program(0, data).ok());
  ASSERT_TRUE(flash.Program(4096, data).ok());
  ASSERT_TRUE(flash.Program(8192, data).ok());
  flash.ResetOpCount();
  flash.ArmPowerCut(1, CutMode::kBefore, 0);
  EXPECT_EQ(flash.Erase(0, 3 * 4096).code(), StatusCode::kFlashIo);
  flash.PowerOn();
  uint8_t out[4];
  ASSERT_TRUE(flash.Read(0, out).ok());
  EXPECT_EQ(out[0], 0xff);  // first sector erased
  ASSERT_TRUE(flash.Read(4096, out).ok());
  EXPECT_EQ(out[0], 0x00);  // the cut came before the second
  ASSERT_TRUE(flash.Read(8192, out).ok());
  EXPECT_EQ(out[0], 0x00);
}

TEST(SimFlashTest, ProfilesDescribeTheirParts) {
  EXPECT_EQ(Nrf52840Profile().total_size(), 1024u * 1024u);
  EXPECT_EQ(Nrf51Profile().total_size(), 256u * 1024u);
  EXPECT_EQ(Stm32F4Profile().total_size(), 1024u * 1024u);
  EXPECT_EQ(Stm32F4Profile().EraseMicros(128 * 1024), 2000000u);
  EXPECT_EQ(AllFlashProfiles().size(), 3u);
}

}  // namespace
}  // namespace bleota::sim
