#include "bleota/host/image_trailer.hpp"

#include <algorithm>

#include "bleota/bytes.hpp"
#include "bleota/host/error.hpp"

namespace bleota::host {
namespace {

constexpr std::array<uint8_t, kBootMagicSize> kStandardMagic = {
    0x77, 0xc2, 0x95, 0xf3, 0x60, 0xd2, 0xef, 0x7f, 0x35, 0x52, 0x50, 0x0f, 0x2c, 0xb6, 0x79, 0x80};
// Bytes 2..15 of the magic when max_align > 8; bytes 0..1 hold max_align.
constexpr std::array<uint8_t, kBootMagicSize - 2> kAlternativeMagicTail = {
    0x2d, 0xe1, 0x5d, 0x29, 0x41, 0x0b, 0x8d, 0x77, 0x67, 0x9c, 0x11, 0x0f, 0x1f, 0x8a};

}  // namespace

uint32_t TrailerSize(const TrailerOptions& o) {
  const uint32_t magic_field = AlignUp(kBootMagicSize, o.max_align);
  if (o.overwrite_only) return o.max_align * 2 + magic_field;
  uint32_t size = o.max_sectors * 3 * o.align;
  if (o.encrypted) {
    const uint32_t key_field =
        o.save_enctlv ? AlignUp(o.enctlv_len, o.max_align) : AlignUp(kBootMagicSize, o.max_align);
    size += key_field * 2;
  }
  size += o.max_align * 4;
  return size + magic_field;
}

std::array<uint8_t, kBootMagicSize> BootMagic(uint32_t max_align) {
  if (max_align == kDefaultMaxAlign) return kStandardMagic;
  std::array<uint8_t, kBootMagicSize> magic{};
  StoreLe16(magic.data(), static_cast<uint16_t>(max_align));
  std::copy(kAlternativeMagicTail.begin(), kAlternativeMagicTail.end(), magic.begin() + 2);
  return magic;
}

uint32_t ImageOkOffsetFromEnd(uint32_t max_align) {
  return AlignUp(kBootMagicSize, max_align) + max_align;
}

void PadToSlot(std::vector<uint8_t>& image, uint32_t slot_size, const TrailerOptions& options,
               bool confirm, uint8_t erased_val) {
  if (image.size() + TrailerSize(options) > slot_size) {
    ThrowInternal("PadToSlot called for an image that does not fit");
  }
  image.resize(slot_size, erased_val);
  const auto magic = BootMagic(options.max_align);
  std::copy(magic.begin(), magic.end(), image.end() - kBootMagicSize);
  if (confirm && !options.overwrite_only) {
    image[slot_size - ImageOkOffsetFromEnd(options.max_align)] = 0x01;
  }
}

std::optional<TrailerInfo> FindTrailer(std::span<const uint8_t> file, uint32_t image_end) {
  if (file.size() < kBootMagicSize || file.size() > UINT32_MAX || image_end > file.size()) {
    return std::nullopt;
  }
  const auto tail = file.last(kBootMagicSize);
  uint32_t max_align = 0;
  if (std::equal(tail.begin(), tail.end(), kStandardMagic.begin())) {
    max_align = kDefaultMaxAlign;
  } else if (std::equal(tail.begin() + 2, tail.end(), kAlternativeMagicTail.begin())) {
    max_align = LoadLe16(tail.data());
    if (max_align != 16 && max_align != 32) return std::nullopt;
  } else {
    return std::nullopt;
  }
  TrailerInfo info;
  info.slot_size = static_cast<uint32_t>(file.size());
  info.max_align = max_align;
  // Fields (image_ok, copy_done, swap_info, swap_size) sit below the magic, one per max_align.
  const uint32_t fields_size = AlignUp(kBootMagicSize, max_align) + 4 * max_align;
  if (info.slot_size - image_end < fields_size) return std::nullopt;
  info.magic_offset = info.slot_size - kBootMagicSize;
  info.image_ok_offset = info.slot_size - ImageOkOffsetFromEnd(max_align);
  info.copy_done_offset = info.image_ok_offset - max_align;
  info.swap_info_offset = info.copy_done_offset - max_align;
  info.swap_size_offset = info.swap_info_offset - max_align;
  info.image_ok = file[info.image_ok_offset];
  info.copy_done = file[info.copy_done_offset];
  info.swap_info = file[info.swap_info_offset];
  info.swap_size = LoadLe32(file.data() + info.swap_size_offset);
  return info;
}

}  // namespace bleota::host
