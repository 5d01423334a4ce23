#include "bleota/sim/protected_flash.hpp"

namespace bleota::sim {

ProtectedFlash::ProtectedFlash(SimFlash& flash, SimProtectionUnit& protection, Requester requester,
                               const SimWatchdog* watchdog)
    : flash_(flash), protection_(protection), requester_(requester), watchdog_(watchdog) {}

Status ProtectedFlash::Read(uint32_t offset, ByteSpan out) {
  if (Halted()) return StatusCode::kFlashIo;
  BLEOTA_TRY(protection_.CheckFlash(requester_, AccessKind::kRead, offset,
                                    static_cast<uint32_t>(out.size())));
  return flash_.Read(offset, out);
}

Status ProtectedFlash::Program(uint32_t offset, ConstByteSpan data) {
  if (Halted()) return StatusCode::kFlashIo;
  BLEOTA_TRY(protection_.CheckFlash(requester_, AccessKind::kProgram, offset,
                                    static_cast<uint32_t>(data.size())));
  return flash_.Program(offset, data);
}

Status ProtectedFlash::Erase(uint32_t offset, uint32_t size) {
  if (Halted()) return StatusCode::kFlashIo;
  BLEOTA_TRY(protection_.CheckFlash(requester_, AccessKind::kErase, offset, size));
  const FlashGeometry& geometry = flash_.geometry();
  const bool valid = RangeWithin(offset, size, geometry.total_size()) &&
                     geometry.IsSectorBoundary(offset) && geometry.IsSectorBoundary(offset + size);
  if (watchdog_ == nullptr || !valid) return flash_.Erase(offset, size);
  // SimFlash counts and logs a multi-sector erase per sector too, so splitting it here keeps
  // power-cut indices and the operation log identical.
  uint32_t at = offset;
  while (at < offset + size) {
    if (Halted()) return StatusCode::kFlashIo;
    BLEOTA_ASSIGN_OR_RETURN(const Sector sector, geometry.SectorAt(at));
    BLEOTA_TRY(flash_.Erase(sector.offset, sector.size));
    at = sector.offset + sector.size;
  }
  return Status::Ok();
}

}  // namespace bleota::sim
