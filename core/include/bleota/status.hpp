// Error values for device code: no exceptions, every failure is a value the caller must look at.
#pragma once

#include <cstdint>

namespace bleota {

enum class StatusCode : uint8_t {
  kOk = 0,
  // Generic.
  kInvalidArgument,
  kOutOfRange,
  kFailedPrecondition,
  kResourceExhausted,
  kNotFound,
  kUnsupported,
  kPermissionDenied,
  kDataLoss,
  kInternal,
  // Flash.
  kFlashAlignment,  // offset or length not a multiple of the write/erase unit
  kFlashNotErased,  // program over bits that are already programmed
  kFlashIo,         // the device reported an error
  // Crypto.
  kCryptoError,  // the backend failed (bad key encoding, internal error)
  // Image checks: one code per check id of docs/spec/image-format.md.
  kImageHeaderMagic,
  kImageHeaderSize,
  kImageBounds,
  kImageProtectTlvSize,
  kImageProtTlvMagic,
  kImageTlvMagic,
  kImageTlvBounds,
  kImageHash,
  kImageKeyHash,
  kImagePubKey,
  kImageSignature,
  kImageEncKeyUnwrap,
  kImageMissingTlv,
  kImageUnsupported,
};

// A short stable name ("image_hash", "flash_alignment"...) for logs and tests.
const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  constexpr Status() = default;
  constexpr Status(StatusCode code) : code_(code) {}  // NOLINT: implicit by design

  static constexpr Status Ok() { return Status(); }

  constexpr bool ok() const { return code_ == StatusCode::kOk; }
  constexpr StatusCode code() const { return code_; }
  const char* name() const { return StatusCodeName(code_); }

  // Marks a status as deliberately ignored.
  constexpr void IgnoreError() const {}

  friend constexpr bool operator==(Status a, Status b) { return a.code_ == b.code_; }

 private:
  StatusCode code_ = StatusCode::kOk;
};

}  // namespace bleota

#define BLEOTA_CONCAT_INNER(a, b) a##b
#define BLEOTA_CONCAT(a, b) BLEOTA_CONCAT_INNER(a, b)

// Returns the status from the enclosing function when it is not ok.
#define BLEOTA_TRY(expr)                                     \
  do {                                                       \
    const ::bleota::Status bleota_try_status_ = (expr);      \
    if (!bleota_try_status_.ok()) return bleota_try_status_; \
  } while (0)

// Declares/assigns `lhs` from a Result<T>, returning its status when it is an error.
#define BLEOTA_ASSIGN_OR_RETURN(lhs, expr) \
  BLEOTA_ASSIGN_OR_RETURN_IMPL(BLEOTA_CONCAT(bleota_result_, __LINE__), lhs, expr)
#define BLEOTA_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                 \
  if (!tmp.ok()) return tmp.status();                \
  lhs = static_cast<decltype(tmp)&&>(tmp).value()
