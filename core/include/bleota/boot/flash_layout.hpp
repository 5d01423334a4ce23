// The bootloader's flash layout from a short description: areas placed one after another from
// `base` in the order bootloader | boot state | upload state | primary | secondary | swap |
// golden, each checked against the device's sector map (docs/spec/boot-state.md, "Flash layout").
#pragma once

#include <cstdint>

#include "bleota/boot/bootloader.hpp"
#include "bleota/flash_map.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

struct LayoutDescription {
  uint32_t base = 0;  // device offset of the bootloader area
  uint32_t bootloader_size = 0;
  uint32_t boot_state_size = 0;  // at least two sectors
  // 0: no upload state area (the app cannot resume uploads across resets); else at least two
  // sectors. Placed right after the boot state, so layouts without it are unchanged.
  uint32_t upload_state_size = 0;
  uint32_t slot_size = 0;    // primary and secondary each
  uint32_t swap_size = 0;    // 0: no swap area (images may then fill all but one sector)
  uint32_t golden_size = 0;  // 0: no golden slot
};

class BootLayout {
 public:
  // kOutOfRange when the areas do not fit the device, kFlashAlignment when one does not start
  // and end on sector boundaries, kInvalidArgument for sizes the swap cannot use (slots of mixed
  // sector sizes, a swap area whose first sector differs, a boot state of one sector, a golden
  // slot smaller than a slot, a boot or upload state of one sector).
  static Result<BootLayout> Create(Flash& flash, const LayoutDescription& description);

  // Pointers into this object: valid while it lives.
  BootAreas areas();

 private:
  explicit BootLayout(Flash& flash);

  FlashArea bootloader_, boot_state_, upload_state_, primary_, secondary_, swap_, golden_;
  bool has_upload_state_ = false;
  bool has_swap_ = false;
  bool has_golden_ = false;
};

}  // namespace bleota::boot
