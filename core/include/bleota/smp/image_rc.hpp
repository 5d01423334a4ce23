// Image management group (SMP group 1) result codes: Zephyr's IMG_MGMT_ERR values, which the
// Python smp package (smpmgr) knows as IMG_MGMT_ERR 0..33 and nRF Connect Device Manager shows by
// name. bleota uses only codes in that range so every client can decode its errors
// (docs/spec/smp-image.md lists which command returns which code and why).
#pragma once

#include <cstdint>

#include "bleota/smp/smp_rc.hpp"
#include "bleota/status.hpp"

namespace bleota::smp {

inline constexpr uint16_t kImageGroupId = 1;

enum class ImageRc : uint16_t {
  kOk = 0,
  kUnknown = 1,
  kFlashConfigQueryFail = 2,
  kNoImage = 3,
  kNoTlvs = 4,
  kInvalidTlv = 5,
  kTlvMultipleHashesFound = 6,
  kTlvInvalidSize = 7,
  kHashNotFound = 8,
  kNoFreeSlot = 9,
  kFlashOpenFailed = 10,
  kFlashReadFailed = 11,
  kFlashWriteFailed = 12,
  kFlashEraseFailed = 13,
  kInvalidSlot = 14,
  kNoFreeMemory = 15,
  kFlashContextAlreadySet = 16,
  kFlashContextNotSet = 17,
  kFlashAreaDeviceNull = 18,
  kInvalidPageOffset = 19,
  kInvalidOffset = 20,
  kInvalidLength = 21,
  kInvalidImageHeader = 22,
  kInvalidImageHeaderMagic = 23,
  kInvalidHash = 24,
  kInvalidFlashAddress = 25,
  kVersionGetFailed = 26,
  kCurrentVersionIsNewer = 27,
  kImageAlreadyPending = 28,
  kInvalidImageVectorTable = 29,
  kInvalidImageTooLarge = 30,
  kInvalidImageDataOverrun = 31,
  kImageConfirmationDenied = 32,
  kImageSettingTestToActiveDenied = 33,
};

// The generic code a v1 client gets (Zephyr's img_mgmt_translate_error_code): NO_IMAGE, NO_TLVS
// -> kNoEntry; NO_FREE_SLOT, CURRENT_VERSION_IS_NEWER, IMAGE_ALREADY_PENDING -> kBadState;
// NO_FREE_MEMORY -> kNoMemory; INVALID_SLOT, INVALID_PAGE_OFFSET, INVALID_OFFSET, INVALID_LENGTH,
// INVALID_IMAGE_HEADER, INVALID_HASH, INVALID_FLASH_ADDRESS -> kInvalid; everything else
// kUnknown.
SmpRc ImageRcToV1(uint16_t image_rc);

// The outcome of a command that failed with `rc`.
constexpr SmpOutcome ImageError(ImageRc rc) {
  return SmpOutcome::Group(kImageGroupId, static_cast<uint16_t>(rc));
}

// The image-group code for an image check that failed (bleota::image check codes, see
// docs/spec/smp-image.md "Image checks"): magic -> INVALID_IMAGE_HEADER_MAGIC; header sizes and
// bounds -> INVALID_IMAGE_HEADER; TLV area magic and bounds -> INVALID_TLV; a required TLV missing
// -> NO_TLVS; flags or TLVs this bootloader cannot boot -> INVALID_IMAGE_VECTOR_TABLE; a signing
// key the device does not hold -> HASH_NOT_FOUND; hash, signature or image key that does not check
// -> INVALID_HASH; flash errors -> FLASH_READ_FAILED; anything else UNKNOWN.
ImageRc ImageRcForCheck(StatusCode code);

}  // namespace bleota::smp
