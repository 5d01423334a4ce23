// Journal of UploadRecords in the optional upload state area (two or more sectors used as a
// ring, the same journal as the boot state's). The app's DFU server saves one record per durable
// chunk of an upload and loads the newest after a reset to resume (docs/spec/boot-state.md,
// "Upload state"). The bootloader does not use it.
#pragma once

#include <cstdint>

#include "bleota/boot/record_journal.hpp"
#include "bleota/boot/upload_record.hpp"
#include "bleota/flash_map.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

class UploadStateStore {
 public:
  explicit UploadStateStore(FlashArea& area);

  // The newest valid record, or a default record (seq 0) when there is none. Fails only on
  // flash errors or an unusable area (fewer than two sectors).
  Result<UploadRecord> Load();

  // Appends `record` as the newest and sets record.seq. kInvalidArgument when
  // committed > image_size.
  Status Save(UploadRecord& record);

  // Records "no upload" (image_size 0). Writes nothing when that is already the state.
  Status Clear();

  // Records written since construction (for wear reports).
  uint32_t records_written() const { return journal_.records_written(); }

 private:
  RecordJournal journal_;
};

}  // namespace bleota::boot
