// Append-only journal of BootState records in the boot state area (two or more sectors used as
// a ring). The newest valid record wins; a torn record fails its CRC and is skipped, so a power
// cut at any point leaves the previous state readable (docs/spec/boot-state.md).
#pragma once

#include <cstdint>

#include "bleota/boot/boot_state.hpp"
#include "bleota/boot/record_journal.hpp"
#include "bleota/flash_map.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

class BootStateStore {
 public:
  explicit BootStateStore(FlashArea& area);

  // Scans the area and returns the newest valid state, or a default state (seq 0) when there
  // is none. Fails only on flash errors or an unusable area (fewer than two sectors).
  Result<BootState> Load();

  // Appends `state` as the newest record and sets state.seq. When the current sector is full
  // the next sector of the ring is erased and used.
  Status Save(BootState& state);

  // Records written since construction (for wear reports).
  uint32_t records_written() const { return journal_.records_written(); }

 private:
  RecordJournal journal_;
};

}  // namespace bleota::boot
