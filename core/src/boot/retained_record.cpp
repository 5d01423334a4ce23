#include "bleota/boot/retained_record.hpp"

#include "bleota/crc32.hpp"

namespace bleota::boot {
namespace {

constexpr uint8_t kFlagHealthy = 0x01;
constexpr uint8_t kFlagDfuRequested = 0x02;

}  // namespace

RetainedRecord LoadRetainedRecord(ConstByteSpan ram) {
  RetainedRecord record;
  if (ram.size() < kRetainedRecordSize) return record;
  if (LoadLe32(&ram[0]) != kRetainedRecordMagic || LoadLe32(&ram[8]) != Crc32(ram.first(8)) ||
      (ram[4] & ~(kFlagHealthy | kFlagDfuRequested))) {
    return record;
  }
  record.trigger_path_healthy = (ram[4] & kFlagHealthy) != 0;
  record.dfu_requested = (ram[4] & kFlagDfuRequested) != 0;
  record.health_misses = ram[5];
  return record;
}

void StoreRetainedRecord(const RetainedRecord& record, ByteSpan ram) {
  if (ram.size() < kRetainedRecordSize) return;
  StoreLe32(&ram[0], kRetainedRecordMagic);
  ram[4] = static_cast<uint8_t>((record.trigger_path_healthy ? kFlagHealthy : 0) |
                                (record.dfu_requested ? kFlagDfuRequested : 0));
  ram[5] = record.health_misses;
  ram[6] = 0;
  ram[7] = 0;
  StoreLe32(&ram[8], Crc32(ConstByteSpan(ram.data(), 8)));
}

}  // namespace bleota::boot
