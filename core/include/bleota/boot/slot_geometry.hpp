// The sectors a swap moves: primary P[0..n), and the "logical secondary" L[0..n] = the secondary
// slot's n sectors followed by the first sector of the swap area. The swap area is the one spare
// sector that lets an image fill the whole slot (docs/spec/boot-state.md, "Swap").
#pragma once

#include <cstdint>

#include "bleota/flash_map.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

struct SectorRef {
  FlashArea* area;
  uint32_t offset;  // area-relative
};

class SlotGeometry {
 public:
  // Primary and secondary must have the same size and one uniform sector size; the swap area
  // (optional) must start with a sector of that size.
  static Result<SlotGeometry> Create(FlashArea& primary, FlashArea& secondary, FlashArea* swap);

  uint32_t sector_size() const { return sector_size_; }
  uint32_t slot_sectors() const { return slot_sectors_; }
  // Sectors an image may occupy: the whole slot with a swap area, one less without.
  uint32_t max_image_sectors() const {
    return swap_ != nullptr ? slot_sectors_ : slot_sectors_ - 1;
  }
  uint32_t max_image_size() const { return max_image_sectors() * sector_size_; }

  SectorRef Primary(uint32_t index) const { return {primary_, index * sector_size_}; }
  // index in [0, slot_sectors]; slot_sectors means the swap area's sector.
  SectorRef Logical(uint32_t index) const;

  FlashArea& primary() const { return *primary_; }
  FlashArea& secondary() const { return *secondary_; }

 private:
  SlotGeometry() = default;
  FlashArea* primary_ = nullptr;
  FlashArea* secondary_ = nullptr;
  FlashArea* swap_ = nullptr;
  uint32_t sector_size_ = 0;
  uint32_t slot_sectors_ = 0;
};

// Sectors an image of `image_size` bytes occupies.
inline uint32_t SectorsFor(uint32_t image_size, uint32_t sector_size) {
  return image_size / sector_size + (image_size % sector_size != 0 ? 1u : 0u);
}

}  // namespace bleota::boot
