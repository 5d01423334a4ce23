#include "bleota/boot/slot_geometry.hpp"

namespace bleota::boot {
namespace {

// The size shared by every sector of `area`, or 0 when sizes differ.
Result<uint32_t> UniformSectorSize(const FlashArea& area) {
  BLEOTA_TRY(area.Validate());
  BLEOTA_ASSIGN_OR_RETURN(Sector first, area.SectorAt(0));
  for (uint32_t at = first.size; at < area.size();) {
    BLEOTA_ASSIGN_OR_RETURN(Sector sector, area.SectorAt(at));
    if (sector.size != first.size) return StatusCode::kInvalidArgument;
    at += sector.size;
  }
  return first.size;
}

}  // namespace

Result<SlotGeometry> SlotGeometry::Create(FlashArea& primary, FlashArea& secondary,
                                          FlashArea* swap) {
  if (primary.size() != secondary.size()) return StatusCode::kInvalidArgument;
  BLEOTA_ASSIGN_OR_RETURN(uint32_t primary_sector, UniformSectorSize(primary));
  BLEOTA_ASSIGN_OR_RETURN(uint32_t secondary_sector, UniformSectorSize(secondary));
  if (primary_sector != secondary_sector) return StatusCode::kInvalidArgument;
  if (primary.write_align() != secondary.write_align()) return StatusCode::kInvalidArgument;
  if (swap != nullptr) {
    BLEOTA_TRY(swap->Validate());
    BLEOTA_ASSIGN_OR_RETURN(Sector first, swap->SectorAt(0));
    if (first.size != primary_sector || swap->write_align() != primary.write_align()) {
      return StatusCode::kInvalidArgument;
    }
  }
  SlotGeometry g;
  g.primary_ = &primary;
  g.secondary_ = &secondary;
  g.swap_ = swap;
  g.sector_size_ = primary_sector;
  g.slot_sectors_ = primary.size() / primary_sector;
  if (g.slot_sectors_ < 2) return StatusCode::kInvalidArgument;
  return g;
}

SectorRef SlotGeometry::Logical(uint32_t index) const {
  if (index < slot_sectors_) return {secondary_, index * sector_size_};
  return {swap_, 0};
}

}  // namespace bleota::boot
