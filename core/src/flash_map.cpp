#include "bleota/flash_map.hpp"

namespace bleota {

const char* AreaIdName(AreaId id) {
  switch (id) {
    case AreaId::kBootloader:
      return "bootloader";
    case AreaId::kBootState:
      return "boot_state";
    case AreaId::kPrimary:
      return "primary";
    case AreaId::kSecondary:
      return "secondary";
    case AreaId::kGolden:
      return "golden";
    case AreaId::kSwap:
      return "swap";
    case AreaId::kUser:
      return "user";
    case AreaId::kUploadState:
      return "upload_state";
  }
  return "unknown";
}

Status FlashArea::Read(uint32_t offset, ByteSpan out) {
  if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), size_)) {
    return StatusCode::kOutOfRange;
  }
  return flash_->Read(offset_ + offset, out);
}

Status FlashArea::Program(uint32_t offset, ConstByteSpan data) {
  if (!RangeWithin(offset, static_cast<uint32_t>(data.size()), size_)) {
    return StatusCode::kOutOfRange;
  }
  return flash_->Program(offset_ + offset, data);
}

Status FlashArea::Erase(uint32_t offset, uint32_t size) {
  if (!RangeWithin(offset, size, size_)) return StatusCode::kOutOfRange;
  return flash_->Erase(offset_ + offset, size);
}

Result<Sector> FlashArea::SectorAt(uint32_t offset) const {
  if (offset >= size_) return StatusCode::kOutOfRange;
  Result<Sector> sector = flash_->geometry().SectorAt(offset_ + offset);
  if (!sector.ok()) return sector.status();
  Sector relative = *sector;
  relative.offset -= offset_;
  return relative;
}

Status FlashArea::Validate() const {
  const FlashGeometry& geometry = flash_->geometry();
  if (size_ == 0 || !RangeWithin(offset_, size_, geometry.total_size())) {
    return StatusCode::kOutOfRange;
  }
  if (!geometry.IsSectorBoundary(offset_) || !geometry.IsSectorBoundary(offset_ + size_)) {
    return StatusCode::kFlashAlignment;
  }
  return Status::Ok();
}

FlashArea* FlashMap::Find(AreaId id) {
  for (FlashArea& area : areas_) {
    if (area.id() == id) return &area;
  }
  return nullptr;
}

Status FlashMap::Validate() const {
  for (size_t i = 0; i < areas_.size(); ++i) {
    BLEOTA_TRY(areas_[i].Validate());
    for (size_t j = i + 1; j < areas_.size(); ++j) {
      const FlashArea& a = areas_[i];
      const FlashArea& b = areas_[j];
      if (a.id() == b.id()) return StatusCode::kInvalidArgument;
      if (&a.flash() != &b.flash()) continue;
      const bool disjoint =
          a.offset() + a.size() <= b.offset() || b.offset() + b.size() <= a.offset();
      if (!disjoint) return StatusCode::kInvalidArgument;
    }
  }
  return Status::Ok();
}

}  // namespace bleota
