// The flash device interface: NOR semantics (erase to a fixed value, program clears bits).
#pragma once

#include <cstdint>
#include <span>

#include "bleota/bytes.hpp"
#include "bleota/result.hpp"
#include "bleota/status.hpp"

namespace bleota {

// `count` consecutive sectors of `size` bytes. A device is a list of runs, so mixed sector sizes
// (STM32F4: 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB) are described exactly.
struct SectorRun {
  uint32_t size;
  uint32_t count;
};

struct Sector {
  uint32_t offset;
  uint32_t size;
  uint32_t index;
};

class FlashGeometry {
 public:
  constexpr FlashGeometry(std::span<const SectorRun> runs, uint32_t write_align,
                          uint8_t erase_value)
      : runs_(runs), write_align_(write_align), erase_value_(erase_value) {}

  uint32_t total_size() const;
  uint32_t sector_count() const;
  uint32_t write_align() const { return write_align_; }
  uint8_t erase_value() const { return erase_value_; }
  std::span<const SectorRun> runs() const { return runs_; }

  // The sector holding `offset`, or kOutOfRange.
  Result<Sector> SectorAt(uint32_t offset) const;
  // The sector with index `index` (0-based across all runs), or kOutOfRange.
  Result<Sector> SectorByIndex(uint32_t index) const;
  // True when `offset` is the first byte of a sector (or the end of the device).
  bool IsSectorBoundary(uint32_t offset) const;

 private:
  std::span<const SectorRun> runs_;
  uint32_t write_align_;
  uint8_t erase_value_;
};

class Flash {
 public:
  virtual const FlashGeometry& geometry() const = 0;
  virtual Status Read(uint32_t offset, ByteSpan out) = 0;
  // `offset` and data.size() must be multiples of write_align().
  virtual Status Program(uint32_t offset, ConstByteSpan data) = 0;
  // [offset, offset+size) must start and end on sector boundaries.
  virtual Status Erase(uint32_t offset, uint32_t size) = 0;

 protected:
  ~Flash() = default;
};

}  // namespace bleota
