// The record the application and the bootloader exchange in retained RAM (survives resets, not
// power loss): the "trigger path healthy" flag, a request to enter OTA bootloader mode, and the
// bootloader's count of health checks missed (docs/spec/boot-state.md, "Retained RAM").
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"

namespace bleota::boot {

inline constexpr uint32_t kRetainedRecordSize = 12;
inline constexpr uint32_t kRetainedRecordMagic = 0x52524c42;  // "BLRR"

struct RetainedRecord {
  bool trigger_path_healthy = false;  // set by the app once it advertised and took a connection
  bool dfu_requested = false;         // set by the app: enter OTA bootloader mode at next boot
  uint8_t health_misses = 0;          // kept by the bootloader

  friend bool operator==(const RetainedRecord&, const RetainedRecord&) = default;
};

// Reads the record at the start of `ram`; an invalid one (power-on garbage, torn) reads as the
// default record.
RetainedRecord LoadRetainedRecord(ConstByteSpan ram);
// Writes the record at the start of `ram` (no-op if `ram` is too small).
void StoreRetainedRecord(const RetainedRecord& record, ByteSpan ram);

}  // namespace bleota::boot
