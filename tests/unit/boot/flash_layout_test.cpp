#include "bleota/boot/flash_layout.hpp"

#include <gtest/gtest.h>

#include "bleota/boot/slot_geometry.hpp"
#include "bleota/sim/sim_flash.hpp"

namespace bleota::boot {
namespace {

TEST(FlashLayoutTest, PlacesAreasInOrderOnTheNrf52840) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf52840Profile(), clock);
  LayoutDescription d{.base = 0,
                      .bootloader_size = 0xC000,
                      .boot_state_size = 0x2000,
                      .slot_size = 0x40000,
                      .swap_size = 0x1000,
                      .golden_size = 0x40000};
  Result<BootLayout> layout = BootLayout::Create(flash, d);
  ASSERT_TRUE(layout.ok()) << layout.status().name();
  BootAreas areas = layout->areas();
  EXPECT_EQ(areas.boot_state->offset(), 0xC000u);
  EXPECT_EQ(areas.primary->offset(), 0xE000u);
  EXPECT_EQ(areas.secondary->offset(), 0x4E000u);
  EXPECT_EQ(areas.swap->offset(), 0x8E000u);
  EXPECT_EQ(areas.golden->offset(), 0x8F000u);
  EXPECT_EQ(areas.golden->size(), 0x40000u);
  EXPECT_EQ(areas.upload_state, nullptr);
  // A copy keeps its own areas.
  BootLayout copy = *layout;
  EXPECT_EQ(copy.areas().primary->offset(), 0xE000u);
}

TEST(FlashLayoutTest, SwapAndGoldenAreOptional) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf51Profile(), clock);
  LayoutDescription d{.bootloader_size = 0x4000, .boot_state_size = 0x800, .slot_size = 0x10000};
  Result<BootLayout> layout = BootLayout::Create(flash, d);
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->areas().swap, nullptr);
  EXPECT_EQ(layout->areas().golden, nullptr);
}

TEST(FlashLayoutTest, UploadStateGoesRightAfterTheBootState) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf52840Profile(), clock);
  LayoutDescription d{.base = 0,
                      .bootloader_size = 0xC000,
                      .boot_state_size = 0x2000,
                      .upload_state_size = 0x2000,
                      .slot_size = 0x40000,
                      .swap_size = 0x1000};
  Result<BootLayout> layout = BootLayout::Create(flash, d);
  ASSERT_TRUE(layout.ok()) << layout.status().name();
  BootAreas areas = layout->areas();
  EXPECT_EQ(areas.boot_state->offset(), 0xC000u);
  ASSERT_NE(areas.upload_state, nullptr);
  EXPECT_EQ(areas.upload_state->id(), AreaId::kUploadState);
  EXPECT_STREQ(AreaIdName(areas.upload_state->id()), "upload_state");
  EXPECT_EQ(areas.upload_state->offset(), 0xE000u);
  EXPECT_EQ(areas.upload_state->size(), 0x2000u);
  EXPECT_EQ(areas.primary->offset(), 0x10000u);
  EXPECT_EQ(areas.secondary->offset(), 0x50000u);
  EXPECT_EQ(areas.swap->offset(), 0x90000u);
}

TEST(FlashLayoutTest, RefusesAnUploadStateOfOneSectorOrUnaligned) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf52840Profile(), clock);
  LayoutDescription d{.bootloader_size = 0xC000,
                      .boot_state_size = 0x2000,
                      .upload_state_size = 0x1000,
                      .slot_size = 0x40000};
  EXPECT_EQ(BootLayout::Create(flash, d).status().code(), StatusCode::kInvalidArgument);
  d.upload_state_size = 0x1800;
  EXPECT_EQ(BootLayout::Create(flash, d).status().code(), StatusCode::kFlashAlignment);
  d.upload_state_size = 0x100000;
  EXPECT_EQ(BootLayout::Create(flash, d).status().code(), StatusCode::kOutOfRange);
  d.upload_state_size = 0x3000;
  EXPECT_TRUE(BootLayout::Create(flash, d).ok());
}

TEST(FlashLayoutTest, MixedSectorPartNeedsSlotsInOneSectorSize) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Stm32F4Profile(), clock);
  // 4 x 16 KiB, 1 x 64 KiB, then 128 KiB sectors. Boot state over 16+64 KiB, slots in 128 KiB.
  LayoutDescription good{.bootloader_size = 0x8000,
                         .boot_state_size = 0x18000,
                         .slot_size = 0x40000,
                         .swap_size = 0x20000,
                         .golden_size = 0x40000};
  Result<BootLayout> layout = BootLayout::Create(flash, good);
  ASSERT_TRUE(layout.ok()) << layout.status().name();
  EXPECT_EQ(layout->areas().primary->offset(), 0x20000u);
  EXPECT_EQ(layout->areas().golden->offset(), 0xC0000u);
  // Slots whose sectors differ in size cannot be swapped sector by sector.
  FlashArea primary(AreaId::kPrimary, flash, 0, 0x10000);            // 4 x 16 KiB
  FlashArea secondary(AreaId::kSecondary, flash, 0x10000, 0x10000);  // 1 x 64 KiB
  EXPECT_EQ(SlotGeometry::Create(primary, secondary, nullptr).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(FlashLayoutTest, RefusesBadDescriptions) {
  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf52840Profile(), clock);
  LayoutDescription d{.bootloader_size = 0xC000,
                      .boot_state_size = 0x2000,
                      .slot_size = 0x40000,
                      .swap_size = 0x1000};
  LayoutDescription unaligned = d;
  unaligned.bootloader_size = 0xC100;
  EXPECT_EQ(BootLayout::Create(flash, unaligned).status().code(), StatusCode::kFlashAlignment);
  LayoutDescription too_big = d;
  too_big.slot_size = 0x80000;
  EXPECT_EQ(BootLayout::Create(flash, too_big).status().code(), StatusCode::kOutOfRange);
  LayoutDescription one_state_sector = d;
  one_state_sector.boot_state_size = 0x1000;
  EXPECT_EQ(BootLayout::Create(flash, one_state_sector).status().code(),
            StatusCode::kInvalidArgument);
  LayoutDescription small_golden = d;
  small_golden.golden_size = 0x1000;
  EXPECT_EQ(BootLayout::Create(flash, small_golden).status().code(), StatusCode::kInvalidArgument);
  LayoutDescription wrapping = d;
  wrapping.base = 0xFFFFF000u;
  EXPECT_EQ(BootLayout::Create(flash, wrapping).status().code(), StatusCode::kOutOfRange);
}

}  // namespace
}  // namespace bleota::boot
