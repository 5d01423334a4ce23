#include "bleota/flash.hpp"

#include <gtest/gtest.h>

namespace bleota {
namespace {

// STM32F4-like: 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB = 1 MiB.
constexpr SectorRun kStm32F4[] = {{16 * 1024, 4}, {64 * 1024, 1}, {128 * 1024, 7}};

TEST(FlashGeometryTest, MixedSectorSizes) {
  FlashGeometry g(kStm32F4, 4, 0xff);
  EXPECT_EQ(g.total_size(), 1024u * 1024u);
  EXPECT_EQ(g.sector_count(), 12u);

  Result<Sector> s = g.SectorAt(0);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->offset, 0u);
  EXPECT_EQ(s->size, 16u * 1024u);

  s = g.SectorAt(64 * 1024 + 5);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->offset, 64u * 1024u);
  EXPECT_EQ(s->size, 64u * 1024u);
  EXPECT_EQ(s->index, 4u);

  s = g.SectorAt(128 * 1024 + 128 * 1024 + 1);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->offset, 256u * 1024u);
  EXPECT_EQ(s->index, 6u);

  EXPECT_FALSE(g.SectorAt(1024 * 1024).ok());
  EXPECT_FALSE(g.SectorAt(0xffffffffu).ok());
}

TEST(FlashGeometryTest, SectorByIndexMatchesSectorAt) {
  FlashGeometry g(kStm32F4, 16, 0xff);
  for (uint32_t i = 0; i < g.sector_count(); ++i) {
    Result<Sector> by_index = g.SectorByIndex(i);
    ASSERT_TRUE(by_index.ok());
    Result<Sector> by_offset = g.SectorAt(by_index->offset + by_index->size - 1);
    ASSERT_TRUE(by_offset.ok());
    EXPECT_EQ(by_offset->index, i);
    EXPECT_EQ(by_offset->offset, by_index->offset);
  }
  EXPECT_FALSE(g.SectorByIndex(12).ok());
}

TEST(FlashGeometryTest, SectorBoundaries) {
  FlashGeometry g(kStm32F4, 4, 0xff);
  EXPECT_TRUE(g.IsSectorBoundary(0));
  EXPECT_TRUE(g.IsSectorBoundary(16 * 1024));
  EXPECT_FALSE(g.IsSectorBoundary(4096));
  EXPECT_TRUE(g.IsSectorBoundary(128 * 1024));
  EXPECT_FALSE(g.IsSectorBoundary(128 * 1024 + 64 * 1024));
  EXPECT_TRUE(g.IsSectorBoundary(1024 * 1024));
}

}  // namespace
}  // namespace bleota
