#include "bleota/boot/boot_state_store.hpp"

namespace bleota::boot {

Result<bool> BootStateStore::RangeErased(uint32_t offset, uint32_t size) {
  uint8_t chunk[kBootRecordSize];
  const uint8_t erased = area_.erase_value();
  for (uint32_t at = offset; at < offset + size; at += kBootRecordSize) {
    BLEOTA_TRY(area_.Read(at, chunk));
    for (uint8_t b : chunk) {
      if (b != erased) return false;
    }
  }
  return true;
}

Result<bool> BootStateStore::SlotErased(uint32_t offset) {
  return RangeErased(offset, kBootRecordSize);
}

Status BootStateStore::Scan() {
  Result<Sector> first = area_.SectorAt(0);
  if (!first.ok()) return first.status();
  if (first->size >= area_.size() || first->size % kBootRecordSize != 0) {
    return StatusCode::kFailedPrecondition;  // the ring needs two sectors of whole records
  }
  newest_ = BootState();
  bool found = false;
  uint32_t newest_offset = 0;
  uint8_t record[kBootRecordSize];
  for (uint32_t at = 0; at + kBootRecordSize <= area_.size(); at += kBootRecordSize) {
    BLEOTA_TRY(area_.Read(at, record));
    Result<BootState> state = DecodeBootRecord(record);
    if (state.ok() && (!found || state->seq > newest_.seq)) {
      newest_ = *state;
      newest_offset = at;
      found = true;
    }
  }
  // Write after the newest record, in its sector; with no record, start at the first sector.
  BLEOTA_ASSIGN_OR_RETURN(Sector sector, area_.SectorAt(found ? newest_offset : 0));
  sector_offset_ = sector.offset;
  sector_size_ = sector.size;
  sector_full_ = true;
  for (uint32_t at = found ? newest_offset + kBootRecordSize : sector.offset;
       at + kBootRecordSize <= sector.offset + sector.size; at += kBootRecordSize) {
    BLEOTA_ASSIGN_OR_RETURN(bool erased, SlotErased(at));
    if (erased) {
      next_slot_ = at;
      sector_full_ = false;
      break;
    }
  }
  scanned_ = true;
  return Status::Ok();
}

Result<BootState> BootStateStore::Load() {
  BLEOTA_TRY(Scan());
  return newest_;
}

Status BootStateStore::MoveToNextSector() {
  uint32_t next = sector_offset_ + sector_size_;
  if (next >= area_.size()) next = 0;
  BLEOTA_ASSIGN_OR_RETURN(Sector sector, area_.SectorAt(next));
  // The next sector only holds records older than the newest one; skip the erase when an
  // earlier attempt already erased it and was cut before writing.
  BLEOTA_ASSIGN_OR_RETURN(bool erased, RangeErased(sector.offset, sector.size));
  if (!erased) BLEOTA_TRY(area_.Erase(sector.offset, sector.size));
  sector_offset_ = sector.offset;
  sector_size_ = sector.size;
  next_slot_ = sector.offset;
  sector_full_ = false;
  return Status::Ok();
}

Status BootStateStore::Save(BootState& state) {
  if (!scanned_) BLEOTA_TRY(Scan());
  state.seq = newest_.seq + 1;
  uint8_t record[kBootRecordSize];
  EncodeBootRecord(state, record);
  // Each slot is tried at most once; a slot a torn write left programmed is skipped.
  for (uint32_t attempts = 0; attempts <= area_.size() / kBootRecordSize; ++attempts) {
    if (sector_full_) BLEOTA_TRY(MoveToNextSector());
    const uint32_t slot = next_slot_;
    next_slot_ += kBootRecordSize;
    if (next_slot_ + kBootRecordSize > sector_offset_ + sector_size_) sector_full_ = true;
    const Status written = area_.Program(slot, record);
    if (written.code() == StatusCode::kFlashNotErased) continue;
    BLEOTA_TRY(written);
    newest_ = state;
    ++records_written_;
    return Status::Ok();
  }
  return StatusCode::kResourceExhausted;
}

}  // namespace bleota::boot
