#include "bleota/status.hpp"

namespace bleota {

const char* StatusCodeName(StatusCode code) {
  switch (code) {
    case StatusCode::kOk:
      return "ok";
    case StatusCode::kInvalidArgument:
      return "invalid_argument";
    case StatusCode::kOutOfRange:
      return "out_of_range";
    case StatusCode::kFailedPrecondition:
      return "failed_precondition";
    case StatusCode::kResourceExhausted:
      return "resource_exhausted";
    case StatusCode::kNotFound:
      return "not_found";
    case StatusCode::kUnsupported:
      return "unsupported";
    case StatusCode::kPermissionDenied:
      return "permission_denied";
    case StatusCode::kDataLoss:
      return "data_loss";
    case StatusCode::kInternal:
      return "internal";
    case StatusCode::kFlashAlignment:
      return "flash_alignment";
    case StatusCode::kFlashNotErased:
      return "flash_not_erased";
    case StatusCode::kFlashIo:
      return "flash_io";
    case StatusCode::kCryptoError:
      return "crypto_error";
    case StatusCode::kImageHeaderMagic:
      return "header_magic";
    case StatusCode::kImageHeaderSize:
      return "header_size";
    case StatusCode::kImageBounds:
      return "bounds";
    case StatusCode::kImageProtectTlvSize:
      return "protect_tlv_size";
    case StatusCode::kImageProtTlvMagic:
      return "tlv_prot_magic";
    case StatusCode::kImageTlvMagic:
      return "tlv_magic";
    case StatusCode::kImageTlvBounds:
      return "tlv_bounds";
    case StatusCode::kImageHash:
      return "hash";
    case StatusCode::kImageKeyHash:
      return "keyhash";
    case StatusCode::kImagePubKey:
      return "pubkey";
    case StatusCode::kImageSignature:
      return "signature";
    case StatusCode::kImageEncKeyUnwrap:
      return "enc_key_unwrap";
    case StatusCode::kImageMissingTlv:
      return "missing_tlv";
    case StatusCode::kImageUnsupported:
      return "image_unsupported";
  }
  return "unknown";
}

}  // namespace bleota
