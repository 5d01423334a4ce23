#include "bleota/boot/flash_layout.hpp"

#include "bleota/boot/slot_geometry.hpp"

namespace bleota::boot {

BootLayout::BootLayout(Flash& flash)
    : bootloader_(AreaId::kBootloader, flash, 0, 0),
      boot_state_(AreaId::kBootState, flash, 0, 0),
      upload_state_(AreaId::kUploadState, flash, 0, 0),
      primary_(AreaId::kPrimary, flash, 0, 0),
      secondary_(AreaId::kSecondary, flash, 0, 0),
      swap_(AreaId::kSwap, flash, 0, 0),
      golden_(AreaId::kGolden, flash, 0, 0) {}

Result<BootLayout> BootLayout::Create(Flash& flash, const LayoutDescription& d) {
  BootLayout layout(flash);
  uint32_t next = d.base;
  auto place = [&](FlashArea& area, AreaId id, uint32_t size) -> Status {
    if (!RangeWithin(next, size, flash.geometry().total_size())) return StatusCode::kOutOfRange;
    area = FlashArea(id, flash, next, size);
    next += size;
    return area.Validate();
  };
  BLEOTA_TRY(place(layout.bootloader_, AreaId::kBootloader, d.bootloader_size));
  BLEOTA_TRY(place(layout.boot_state_, AreaId::kBootState, d.boot_state_size));
  if (d.upload_state_size != 0) {
    BLEOTA_TRY(place(layout.upload_state_, AreaId::kUploadState, d.upload_state_size));
    layout.has_upload_state_ = true;
  }
  BLEOTA_TRY(place(layout.primary_, AreaId::kPrimary, d.slot_size));
  BLEOTA_TRY(place(layout.secondary_, AreaId::kSecondary, d.slot_size));
  if (d.swap_size != 0) {
    BLEOTA_TRY(place(layout.swap_, AreaId::kSwap, d.swap_size));
    layout.has_swap_ = true;
  }
  if (d.golden_size != 0) {
    if (d.golden_size < d.slot_size) return StatusCode::kInvalidArgument;
    BLEOTA_TRY(place(layout.golden_, AreaId::kGolden, d.golden_size));
    layout.has_golden_ = true;
  }
  // The journals (boot state, upload state) are rings of two sectors or more.
  BLEOTA_ASSIGN_OR_RETURN(Sector first_state_sector, layout.boot_state_.SectorAt(0));
  if (first_state_sector.size >= d.boot_state_size) return StatusCode::kInvalidArgument;
  if (layout.has_upload_state_) {
    BLEOTA_ASSIGN_OR_RETURN(Sector first_upload_sector, layout.upload_state_.SectorAt(0));
    if (first_upload_sector.size >= d.upload_state_size) return StatusCode::kInvalidArgument;
  }
  BLEOTA_TRY(SlotGeometry::Create(layout.primary_, layout.secondary_,
                                  layout.has_swap_ ? &layout.swap_ : nullptr)
                 .status());
  return layout;
}

BootAreas BootLayout::areas() {
  BootAreas areas;
  areas.bootloader = &bootloader_;
  areas.boot_state = &boot_state_;
  areas.upload_state = has_upload_state_ ? &upload_state_ : nullptr;
  areas.primary = &primary_;
  areas.secondary = &secondary_;
  areas.swap = has_swap_ ? &swap_ : nullptr;
  areas.golden = has_golden_ ? &golden_ : nullptr;
  return areas;
}

}  // namespace bleota::boot
