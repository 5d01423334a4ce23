#include "bleota/boot/security_counter.hpp"

namespace bleota::boot {

Result<SecurityCounter::Scan> SecurityCounter::ScanEntries() {
  Scan scan;
  scan.first_erased = entries_;
  for (uint32_t i = 0; i < entries_; ++i) {
    uint8_t entry[kCounterEntrySize];
    BLEOTA_TRY(platform_.ReadOtp(offset_ + i * kCounterEntrySize, entry));
    const uint32_t value = LoadLe32(entry);
    const uint32_t check = LoadLe32(entry + 4);
    const bool erased = value == 0xffffffffu && check == 0xffffffffu;
    if (erased) {
      if (scan.first_erased == entries_) scan.first_erased = i;
      continue;
    }
    scan.first_erased = entries_;  // only erased entries after the last used one are free
    if (check == ~value && value > scan.value) scan.value = value;
  }
  return scan;
}

Result<uint32_t> SecurityCounter::Read() {
  BLEOTA_ASSIGN_OR_RETURN(Scan scan, ScanEntries());
  return scan.value;
}

Result<uint32_t> SecurityCounter::FreeEntries() {
  BLEOTA_ASSIGN_OR_RETURN(Scan scan, ScanEntries());
  return entries_ - scan.first_erased;
}

Status SecurityCounter::Raise(uint32_t value) {
  BLEOTA_ASSIGN_OR_RETURN(Scan scan, ScanEntries());
  if (value <= scan.value) return Status::Ok();
  // 0xFFFFFFFF cannot be stored: its entry would read as erased.
  if (value == 0xffffffffu) return StatusCode::kOutOfRange;
  for (uint32_t i = scan.first_erased; i < entries_; ++i) {
    uint8_t entry[kCounterEntrySize];
    StoreLe32(entry, value);
    StoreLe32(entry + 4, ~value);
    const Status written = platform_.ProgramOtp(offset_ + i * kCounterEntrySize, entry);
    if (written.ok()) return Status::Ok();
    // An entry a torn write left half-programmed cannot be written again: use the next one.
    if (written.code() != StatusCode::kFlashNotErased &&
        written.code() != StatusCode::kFailedPrecondition) {
      return written;
    }
  }
  return StatusCode::kResourceExhausted;
}

}  // namespace bleota::boot
