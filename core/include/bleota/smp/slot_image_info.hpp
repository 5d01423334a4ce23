// What the image group reports about the image in a slot: its version, the SHA256 TLV (the hash
// clients name images by) and its header flags. Read the way Zephyr's img_mgmt_read_info does:
// a slot whose header is erased holds no image; an image without exactly one SHA256 TLV is not
// listed. The image is not verified here.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

#include "bleota/crypto/crypto.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/readable.hpp"
#include "bleota/smp/image_rc.hpp"

namespace bleota::smp {

struct SlotImageInfo {
  image::ImageVersion version;
  uint8_t hash[crypto::kSha256Size] = {};
  uint32_t flags = 0;
  uint32_t tlv_end = 0;  // end of the image proper
};

// kOk and `info` filled, or: kNoImage (erased header), kInvalidImageHeaderMagic,
// kInvalidImageHeader (sizes outside the slot), kNoTlvs (TLV info magic), kInvalidTlv (TLV
// bounds), kTlvMultipleHashesFound, kHashNotFound, kFlashReadFailed.
ImageRc ReadSlotImageInfo(Readable& slot, SlotImageInfo& info);

// "major.minor.revision", plus ".build" when build != 0 (Zephyr's img_mgmt_ver_str).
inline constexpr size_t kImageVersionTextMax = sizeof("255.255.65535.4294967295") - 1;
std::string_view FormatImageVersion(const image::ImageVersion& version,
                                    std::span<char, kImageVersionTextMax> out);

}  // namespace bleota::smp
