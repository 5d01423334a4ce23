// An append-only journal of fixed-size records in a flash area of two or more sectors used as a
// ring. The record with the largest seq that the validator accepts is the newest; a torn record
// fails validation and is skipped, and older records are never modified, so a power cut at any
// point leaves the previous newest record readable (docs/spec/boot-state.md, "Journal").
// Record kinds (boot state, upload state) supply their size and a validator.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/flash_map.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

// Returns true and sets `seq` when `record` is a complete, valid record of the journal's kind.
using RecordValidator = bool (*)(ConstByteSpan record, uint32_t& seq);

class RecordJournal {
 public:
  static constexpr uint32_t kMaxRecordSize = 64;

  // `record_size` must divide the area's sectors and be at most kMaxRecordSize (checked at the
  // first scan: kInvalidArgument).
  RecordJournal(FlashArea& area, uint32_t record_size, RecordValidator validator)
      : area_(area), record_size_(record_size), validator_(validator) {}

  // Scans every slot of the area. Copies the newest valid record into `newest` (record_size
  // bytes) and returns true, or returns false when there is none. kFailedPrecondition when the
  // area has fewer than two sectors.
  Result<bool> Load(ByteSpan newest);

  // The seq the next appended record must carry (the newest seq + 1), scanning first if needed.
  Result<uint32_t> NextSeq();

  // Appends an encoded record that carries NextSeq() (kInvalidArgument otherwise). When the
  // current sector is full the next sector of the ring is erased and used.
  Status Append(ConstByteSpan record);

  uint32_t record_size() const { return record_size_; }
  // Records appended since construction (for wear reports).
  uint32_t records_written() const { return records_written_; }

 private:
  Status Scan(ByteSpan newest, bool& found);
  Status MoveToNextSector();
  Result<bool> RangeErased(uint32_t offset, uint32_t size);

  FlashArea& area_;
  uint32_t record_size_;
  RecordValidator validator_;
  bool scanned_ = false;
  uint32_t newest_seq_ = 0;
  uint32_t sector_offset_ = 0;  // sector holding the newest record (area-relative)
  uint32_t sector_size_ = 0;
  uint32_t next_slot_ = 0;  // area-relative offset of the next record to write
  bool sector_full_ = false;
  uint32_t records_written_ = 0;
};

}  // namespace bleota::boot
