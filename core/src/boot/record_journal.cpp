#include "bleota/boot/record_journal.hpp"

#include <algorithm>

namespace bleota::boot {

Result<bool> RecordJournal::RangeErased(uint32_t offset, uint32_t size) {
  uint8_t buffer[kMaxRecordSize];
  const ByteSpan chunk(buffer, record_size_);
  const uint8_t erased = area_.erase_value();
  for (uint32_t at = offset; at < offset + size; at += record_size_) {
    BLEOTA_TRY(area_.Read(at, chunk));
    for (uint8_t b : chunk) {
      if (b != erased) return false;
    }
  }
  return true;
}

Status RecordJournal::Scan(ByteSpan newest, bool& found) {
  if (record_size_ == 0 || record_size_ > kMaxRecordSize) return StatusCode::kInvalidArgument;
  if (!newest.empty() && newest.size() != record_size_) return StatusCode::kInvalidArgument;
  Result<Sector> first = area_.SectorAt(0);
  if (!first.ok()) return first.status();
  if (first->size >= area_.size() || first->size % record_size_ != 0) {
    return StatusCode::kFailedPrecondition;  // the ring needs two sectors of whole records
  }
  found = false;
  newest_seq_ = 0;
  uint32_t newest_offset = 0;
  uint8_t buffer[kMaxRecordSize];
  const ByteSpan record(buffer, record_size_);
  for (uint32_t at = 0; at + record_size_ <= area_.size(); at += record_size_) {
    BLEOTA_TRY(area_.Read(at, record));
    uint32_t seq = 0;
    if (validator_(record, seq) && (!found || seq > newest_seq_)) {
      newest_seq_ = seq;
      newest_offset = at;
      found = true;
      if (!newest.empty()) std::copy(record.begin(), record.end(), newest.begin());
    }
  }
  // Write after the newest record, in its sector; with no record, start at the first sector.
  BLEOTA_ASSIGN_OR_RETURN(Sector sector, area_.SectorAt(found ? newest_offset : 0));
  sector_offset_ = sector.offset;
  sector_size_ = sector.size;
  sector_full_ = true;
  for (uint32_t at = found ? newest_offset + record_size_ : sector.offset;
       at + record_size_ <= sector.offset + sector.size; at += record_size_) {
    BLEOTA_ASSIGN_OR_RETURN(bool erased, RangeErased(at, record_size_));
    if (erased) {
      next_slot_ = at;
      sector_full_ = false;
      break;
    }
  }
  scanned_ = true;
  return Status::Ok();
}

Result<bool> RecordJournal::Load(ByteSpan newest) {
  if (newest.size() != record_size_) return StatusCode::kInvalidArgument;
  bool found = false;
  BLEOTA_TRY(Scan(newest, found));
  return found;
}

Result<uint32_t> RecordJournal::NextSeq() {
  if (!scanned_) {
    bool found = false;
    BLEOTA_TRY(Scan(ByteSpan(), found));
  }
  return newest_seq_ + 1;
}

Status RecordJournal::MoveToNextSector() {
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

Status RecordJournal::Append(ConstByteSpan record) {
  BLEOTA_ASSIGN_OR_RETURN(uint32_t expected_seq, NextSeq());
  uint32_t seq = 0;
  if (record.size() != record_size_ || !validator_(record, seq) || seq != expected_seq) {
    return StatusCode::kInvalidArgument;
  }
  // Each slot is tried at most once; a slot a torn write left programmed is skipped.
  for (uint32_t attempts = 0; attempts <= area_.size() / record_size_; ++attempts) {
    if (sector_full_) BLEOTA_TRY(MoveToNextSector());
    const uint32_t slot = next_slot_;
    next_slot_ += record_size_;
    if (next_slot_ + record_size_ > sector_offset_ + sector_size_) sector_full_ = true;
    const Status written = area_.Program(slot, record);
    if (written.code() == StatusCode::kFlashNotErased) continue;
    BLEOTA_TRY(written);
    newest_seq_ = seq;
    ++records_written_;
    return Status::Ok();
  }
  return StatusCode::kResourceExhausted;
}

}  // namespace bleota::boot
