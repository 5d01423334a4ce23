// The MCUboot image trailer at the end of a slot, as `imgtool sign --pad [--confirm]` writes it,
// and finding one in a padded image file (for `bleota image info`).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

namespace bleota::host {

inline constexpr uint32_t kDefaultMaxAlign = 8;
inline constexpr uint32_t kDefaultMaxSectors = 128;
inline constexpr uint32_t kBootMagicSize = 16;

struct TrailerOptions {
  uint32_t align = 1;                     // flash write size: 1, 2, 4, 8, 16 or 32
  uint32_t max_align = kDefaultMaxAlign;  // 8, 16 or 32
  uint32_t max_sectors = kDefaultMaxSectors;
  bool overwrite_only = false;
  bool encrypted = false;
  bool save_enctlv = false;  // MCUboot keeps the whole ENC TLV in the trailer, not just the key
  uint32_t enctlv_len = 0;   // length of the ENC TLV value (with save_enctlv)
};

// imgtool's _trailer_size(): swap status (max_sectors * 3 * align), two key slots when encrypted,
// image_ok/copy_done/swap_info/swap_size (4 * max_align), the magic (align_up(16, max_align)).
// Overwrite-only: 2 * max_align + align_up(16, max_align).
uint32_t TrailerSize(const TrailerOptions& options);

// The boot magic: the standard 16 bytes for max_align 8; for larger max_align the u16 max_align
// (little-endian) followed by imgtool's 14-byte alternative magic.
std::array<uint8_t, kBootMagicSize> BootMagic(uint32_t max_align);

// Offset of image_ok from the end of the slot: align_up(16, max_align) + max_align.
uint32_t ImageOkOffsetFromEnd(uint32_t max_align);

// Appends erased_val bytes up to slot_size with the magic in the last 16 bytes and, with
// `confirm` (and not overwrite_only), image_ok = 0x01. The caller checked the image fits.
void PadToSlot(std::vector<uint8_t>& image, uint32_t slot_size, const TrailerOptions& options,
               bool confirm, uint8_t erased_val);

// A trailer found at the end of a padded image file.
struct TrailerInfo {
  uint32_t slot_size = 0;  // the file size
  uint32_t max_align = 0;  // 8 for the standard magic, else from the alternative magic
  uint32_t magic_offset = 0;
  uint32_t image_ok_offset = 0;
  uint8_t image_ok = 0;
  uint32_t copy_done_offset = 0;
  uint8_t copy_done = 0;
  uint32_t swap_info_offset = 0;
  uint8_t swap_info = 0;
  uint32_t swap_size_offset = 0;
  uint32_t swap_size = 0;
};

// Looks for the boot magic in the last 16 bytes of `file`, after the image proper which ends at
// `image_end`. nullopt when there is no trailer (no magic, or no room for its fields).
std::optional<TrailerInfo> FindTrailer(std::span<const uint8_t> file, uint32_t image_end);

}  // namespace bleota::host
