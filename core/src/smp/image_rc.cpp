#include "bleota/smp/image_rc.hpp"

namespace bleota::smp {

SmpRc ImageRcToV1(uint16_t image_rc) {
  switch (static_cast<ImageRc>(image_rc)) {
    case ImageRc::kOk:
      return SmpRc::kOk;
    case ImageRc::kNoImage:
    case ImageRc::kNoTlvs:
      return SmpRc::kNoEntry;
    case ImageRc::kNoFreeSlot:
    case ImageRc::kCurrentVersionIsNewer:
    case ImageRc::kImageAlreadyPending:
      return SmpRc::kBadState;
    case ImageRc::kNoFreeMemory:
      return SmpRc::kNoMemory;
    case ImageRc::kInvalidSlot:
    case ImageRc::kInvalidPageOffset:
    case ImageRc::kInvalidOffset:
    case ImageRc::kInvalidLength:
    case ImageRc::kInvalidImageHeader:
    case ImageRc::kInvalidHash:
    case ImageRc::kInvalidFlashAddress:
      return SmpRc::kInvalid;
    default:
      return SmpRc::kUnknown;
  }
}

ImageRc ImageRcForCheck(StatusCode code) {
  switch (code) {
    case StatusCode::kImageHeaderMagic:
      return ImageRc::kInvalidImageHeaderMagic;
    case StatusCode::kImageHeaderSize:
    case StatusCode::kImageBounds:
    case StatusCode::kImageProtectTlvSize:
      return ImageRc::kInvalidImageHeader;
    case StatusCode::kImageProtTlvMagic:
    case StatusCode::kImageTlvMagic:
    case StatusCode::kImageTlvBounds:
      return ImageRc::kInvalidTlv;
    case StatusCode::kImageMissingTlv:
      return ImageRc::kNoTlvs;
    case StatusCode::kImageUnsupported:
      return ImageRc::kInvalidImageVectorTable;
    case StatusCode::kImageKeyHash:
    case StatusCode::kImagePubKey:
      return ImageRc::kHashNotFound;
    case StatusCode::kImageHash:
    case StatusCode::kImageSignature:
    case StatusCode::kImageEncKeyUnwrap:
      return ImageRc::kInvalidHash;
    case StatusCode::kFlashIo:
    case StatusCode::kFlashAlignment:
    case StatusCode::kOutOfRange:
      return ImageRc::kFlashReadFailed;
    default:
      return ImageRc::kUnknown;
  }
}

}  // namespace bleota::smp
