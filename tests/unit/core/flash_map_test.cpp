#include "bleota/flash_map.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <vector>

namespace bleota {
namespace {

constexpr SectorRun kUniform4k[] = {{4096, 16}};

// Minimal RAM flash for the map tests; the NOR simulator lives in ports/sim.
class RamFlash final : public Flash {
 public:
  RamFlash() : geometry_(kUniform4k, 4, 0xff), bytes_(geometry_.total_size(), 0xff) {}
  const FlashGeometry& geometry() const override { return geometry_; }
  Status Read(uint32_t offset, ByteSpan out) override {
    if (!RangeWithin(offset, out.size(), bytes_.size())) return StatusCode::kOutOfRange;
    std::memcpy(out.data(), bytes_.data() + offset, out.size());
    return Status::Ok();
  }
  Status Program(uint32_t offset, ConstByteSpan data) override {
    if (!RangeWithin(offset, data.size(), bytes_.size())) return StatusCode::kOutOfRange;
    std::memcpy(bytes_.data() + offset, data.data(), data.size());
    return Status::Ok();
  }
  Status Erase(uint32_t offset, uint32_t size) override {
    if (!RangeWithin(offset, size, bytes_.size())) return StatusCode::kOutOfRange;
    std::memset(bytes_.data() + offset, 0xff, size);
    return Status::Ok();
  }

 private:
  FlashGeometry geometry_;
  std::vector<uint8_t> bytes_;
};

TEST(FlashAreaTest, AccessIsBoundedToTheArea) {
  RamFlash flash;
  FlashArea area(AreaId::kPrimary, flash, 4096, 8192);
  const uint8_t data[4] = {1, 2, 3, 4};
  EXPECT_TRUE(area.Program(8188, data).ok());
  EXPECT_EQ(area.Program(8189, data).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(area.Program(0xfffffffe, data).code(), StatusCode::kOutOfRange);
  uint8_t out[4];
  EXPECT_TRUE(area.Read(8188, out).ok());
  EXPECT_EQ(out[3], 4);
  EXPECT_EQ(area.Read(8190, out).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(area.Erase(4096, 8192).code(), StatusCode::kOutOfRange);
}

TEST(FlashAreaTest, SectorAtIsRelativeToTheArea) {
  RamFlash flash;
  FlashArea area(AreaId::kSecondary, flash, 8192, 8192);
  Result<Sector> s = area.SectorAt(5000);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->offset, 4096u);
  EXPECT_EQ(s->size, 4096u);
  EXPECT_FALSE(area.SectorAt(8192).ok());
}

TEST(FlashMapTest, ValidatesAlignmentAndOverlap) {
  RamFlash flash;
  FlashArea good[] = {FlashArea(AreaId::kBootloader, flash, 0, 8192),
                      FlashArea(AreaId::kPrimary, flash, 8192, 16384),
                      FlashArea(AreaId::kSecondary, flash, 24576, 16384)};
  FlashMap map(good);
  EXPECT_TRUE(map.Validate().ok());
  ASSERT_NE(map.Find(AreaId::kSecondary), nullptr);
  EXPECT_EQ(map.Find(AreaId::kSecondary)->offset(), 24576u);
  EXPECT_EQ(map.Find(AreaId::kGolden), nullptr);

  FlashArea overlap[] = {FlashArea(AreaId::kPrimary, flash, 0, 8192),
                         FlashArea(AreaId::kSecondary, flash, 4096, 8192)};
  EXPECT_EQ(FlashMap(overlap).Validate().code(), StatusCode::kInvalidArgument);

  FlashArea unaligned[] = {FlashArea(AreaId::kPrimary, flash, 100, 4096)};
  EXPECT_EQ(FlashMap(unaligned).Validate().code(), StatusCode::kFlashAlignment);

  FlashArea past_end[] = {FlashArea(AreaId::kPrimary, flash, 61440, 8192)};
  EXPECT_EQ(FlashMap(past_end).Validate().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace bleota
