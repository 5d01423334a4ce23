#include "bleota/smp/slot_image_info.hpp"

#include "bleota/image/tlv.hpp"

namespace bleota::smp {
namespace {

ImageRc RcForLayoutFailure(StatusCode code) {
  switch (code) {
    case StatusCode::kImageProtTlvMagic:
    case StatusCode::kImageTlvMagic:
      return ImageRc::kNoTlvs;
    case StatusCode::kImageTlvBounds:
      return ImageRc::kInvalidTlv;
    case StatusCode::kImageHeaderSize:
    case StatusCode::kImageBounds:
    case StatusCode::kImageProtectTlvSize:
      return ImageRc::kInvalidImageHeader;
    default:
      return ImageRc::kFlashReadFailed;
  }
}

// Appends the decimal digits of `value` at out[at...]; returns the new length.
size_t AppendDecimal(uint32_t value, std::span<char, kImageVersionTextMax> out, size_t at) {
  char digits[10];
  size_t count = 0;
  do {
    digits[count++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  while (count > 0 && at < out.size()) out[at++] = digits[--count];
  return at;
}

}  // namespace

ImageRc ReadSlotImageInfo(Readable& slot, SlotImageInfo& info) {
  uint8_t raw[image::kImageHeaderSize];
  if (slot.size() < sizeof(raw) || !slot.Read(0, raw).ok()) return ImageRc::kFlashReadFailed;
  const image::ImageHeader header = image::DecodeImageHeader(raw);
  if (header.magic != image::kImageMagic) {
    // An erased header (either erase polarity) means an empty slot.
    return header.magic == 0xFFFFFFFFu || header.magic == 0 ? ImageRc::kNoImage
                                                            : ImageRc::kInvalidImageHeaderMagic;
  }
  Result<image::ImageLayout> layout = image::ParseImageHeader(slot);
  if (!layout.ok()) return RcForLayoutFailure(layout.status().code());

  image::TlvIterator it(slot, *layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  bool found = false;
  for (;;) {
    Result<bool> more = it.Next(entry);
    if (!more.ok()) return RcForLayoutFailure(more.status().code());
    if (!*more) break;
    if (entry.type != image::kTlvSha256 || entry.length != crypto::kSha256Size) continue;
    if (found) return ImageRc::kTlvMultipleHashesFound;
    if (!slot.Read(entry.value_offset, info.hash).ok()) return ImageRc::kFlashReadFailed;
    found = true;
  }
  if (!found) return ImageRc::kHashNotFound;
  info.version = header.version;
  info.flags = header.flags;
  info.tlv_end = layout->tlv_end;
  return ImageRc::kOk;
}

std::string_view FormatImageVersion(const image::ImageVersion& version,
                                    std::span<char, kImageVersionTextMax> out) {
  size_t at = AppendDecimal(version.major, out, 0);
  out[at++] = '.';
  at = AppendDecimal(version.minor, out, at);
  out[at++] = '.';
  at = AppendDecimal(version.revision, out, at);
  if (version.build != 0) {
    out[at++] = '.';
    at = AppendDecimal(version.build, out, at);
  }
  return std::string_view(out.data(), at);
}

}  // namespace bleota::smp
