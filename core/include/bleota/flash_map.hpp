// Named areas of flash (bootloader, primary, secondary, golden, swap...) and bounded access to
// them.
#pragma once

#include <cstdint>
#include <span>

#include "bleota/flash.hpp"
#include "bleota/readable.hpp"

namespace bleota {

enum class AreaId : uint8_t {
  kBootloader,
  kBootState,
  kPrimary,
  kSecondary,
  kGolden,
  kSwap,
  kUser,
  kUploadState,  // the app's upload resume journal (optional)
};

const char* AreaIdName(AreaId id);

// A window [offset, offset+size) of one flash device. Every access is checked against the window,
// so code that handles an area cannot touch its neighbours.
class FlashArea final : public Readable {
 public:
  FlashArea(AreaId id, Flash& flash, uint32_t offset, uint32_t size)
      : id_(id), flash_(&flash), offset_(offset), size_(size) {}

  AreaId id() const { return id_; }
  uint32_t offset() const { return offset_; }
  uint32_t size() const override { return size_; }
  Flash& flash() const { return *flash_; }
  uint32_t write_align() const { return flash_->geometry().write_align(); }
  uint8_t erase_value() const { return flash_->geometry().erase_value(); }

  Status Read(uint32_t offset, ByteSpan out) override;
  Status Program(uint32_t offset, ConstByteSpan data);
  Status Erase(uint32_t offset, uint32_t size);
  Status EraseAll() { return Erase(0, size_); }

  // The sector (offset relative to this area) that holds area offset `offset`.
  Result<Sector> SectorAt(uint32_t offset) const;

  // Checks that the area starts and ends on sector boundaries of its device.
  Status Validate() const;

 private:
  AreaId id_;
  Flash* flash_;
  uint32_t offset_;
  uint32_t size_;
};

// A fixed table of areas, looked up by id. Does not own the areas.
class FlashMap {
 public:
  explicit FlashMap(std::span<FlashArea> areas) : areas_(areas) {}
  // nullptr when the layout has no such area (e.g. no golden slot configured).
  FlashArea* Find(AreaId id);
  // Checks every area is sector aligned and areas on the same device do not overlap.
  Status Validate() const;
  std::span<FlashArea> areas() { return areas_; }

 private:
  std::span<FlashArea> areas_;
};

}  // namespace bleota
