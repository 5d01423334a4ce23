// The anti-rollback security counter in OTP: a list of {value, ~value} entries, each written
// once; the counter is the largest valid entry. A torn entry fails its complement check and is
// skipped; raising writes the next erased entry (docs/spec/boot-state.md, "Security counter").
#pragma once

#include <cstdint>

#include "bleota/boot/platform.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

inline constexpr uint32_t kCounterEntrySize = 8;

class SecurityCounter {
 public:
  // Entries live in OTP at [offset, offset + entries * 8).
  SecurityCounter(Platform& platform, uint32_t offset, uint32_t entries)
      : platform_(platform), offset_(offset), entries_(entries) {}

  // The stored counter (0 when nothing was written).
  Result<uint32_t> Read();
  // Stores `value` if it is larger than the stored counter. kResourceExhausted when every
  // entry is used (the counter then stays where it is: images at or above it still boot).
  Status Raise(uint32_t value);
  // Entries left for future raises.
  Result<uint32_t> FreeEntries();

 private:
  struct Scan {
    uint32_t value = 0;
    uint32_t first_erased = 0;  // index of the first erased entry after the last used one
  };
  Result<Scan> ScanEntries();

  Platform& platform_;
  uint32_t offset_;
  uint32_t entries_;
};

}  // namespace bleota::boot
