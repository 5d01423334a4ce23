// The upload state area next to the real bootloader: the bootloader leaves it to the app (no
// protection, no access), so the app's DFU server can keep its upload journal there.
#include <gtest/gtest.h>

#include <vector>

#include "bleota/boot/bootloader.hpp"
#include "bleota/boot/upload_state_store.hpp"
#include "test_device.hpp"

namespace bleota::boot {
namespace {

using testing::MakeImage;
using testing::TestDevice;

TEST(UploadStateBootTest, BootloaderLeavesTheUploadStateAreaWritableByTheApp) {
  // nRF52840 small layout: boot state at 0x8000..0xA000, primary from 0x10000; the upload state
  // takes two sectors of the gap.
  const testing::LayoutSpec spec = testing::SmallLayouts()[0];
  constexpr uint32_t kUploadOffset = 0xA000;
  constexpr uint32_t kUploadSize = 0x2000;
  ASSERT_LE(spec.boot_state_offset + spec.boot_state_size, kUploadOffset);
  ASSERT_LE(kUploadOffset + kUploadSize, spec.primary_offset);
  TestDevice device(spec);
  device.ProvisionPrimary(MakeImage({.major = 1}));

  // The app saved an upload in progress before the reset.
  FlashArea app_area(AreaId::kUploadState, device.soc().flash(sim::Requester::kApplication),
                     kUploadOffset, kUploadSize);
  UploadRecord before;
  before.image_size = 0x3000;
  before.committed = 0x1000;
  before.sha[0] = 0x5A;
  ASSERT_TRUE(UploadStateStore(app_area).Save(before).ok());

  FlashArea boot_area(AreaId::kUploadState, device.soc().flash(sim::Requester::kBootloader),
                      kUploadOffset, kUploadSize);
  BootAreas areas = device.Areas();
  areas.upload_state = &boot_area;
  std::vector<uint8_t> work(spec.copy_chunk);
  Bootloader bootloader(areas, device.soc(), device.config(), work);
  Result<BootDecision> decision = bootloader.Boot();
  ASSERT_TRUE(decision.ok()) << decision.status().name();
  ASSERT_EQ(decision->action, BootAction::kJumpToApplication);
  ASSERT_TRUE(device.soc().protection_applied());

  // No protected range touches the area...
  auto overlaps = [&](const ProtectionConfig::Range& r) {
    return r.offset < kUploadOffset + kUploadSize && kUploadOffset < r.offset + r.size;
  };
  for (const auto& r : device.soc().protection().no_access_ranges()) EXPECT_FALSE(overlaps(r));
  for (const auto& r : device.soc().protection().read_only_ranges()) EXPECT_FALSE(overlaps(r));
  // ...the app finds its record, resumes and clears it, through a ring wrap and its erases...
  UploadStateStore store(app_area);
  Result<UploadRecord> loaded = store.Load();
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(*loaded, before);
  for (uint32_t n = 0; n < 70; ++n) {  // 64 records per sector: wraps into the first again
    UploadRecord r = before;
    r.committed = 0x2000;
    ASSERT_TRUE(store.Save(r).ok()) << n;
  }
  ASSERT_TRUE(store.Clear().ok());
  EXPECT_EQ(UploadStateStore(app_area).Load()->image_size, 0u);
  // ...without a single fault, while the protection is on (primary stays read-only).
  EXPECT_TRUE(device.soc().faults().empty());
  const uint8_t word[4] = {0, 0, 0, 0};
  EXPECT_EQ(device.soc()
                .flash(sim::Requester::kApplication)
                .Program(spec.primary_offset + 0x1000 - 4, word)
                .code(),
            StatusCode::kPermissionDenied);
}

}  // namespace
}  // namespace bleota::boot
