// RFC 3394 AES key unwrap (MCUboot's ENC_KW) on mbedTLS's NIST KW module.
#include <mbedtls/nist_kw.h>

#include "backend.hpp"
#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {
namespace {

constexpr size_t kSemiblock = 8;

}  // namespace

Status AesKeyUnwrap(ConstByteSpan kek, ConstByteSpan wrapped, ByteSpan key_out) {
  if (kek.size() != 16 && kek.size() != 32) return StatusCode::kInvalidArgument;
  // RFC 3394 wraps at least two 64-bit semiblocks.
  if (key_out.size() < 2 * kSemiblock || key_out.size() % kSemiblock != 0 ||
      wrapped.size() != key_out.size() + kSemiblock) {
    return StatusCode::kInvalidArgument;
  }
  backend::PrepareAllocator();

  mbedtls_nist_kw_context ctx;
  mbedtls_nist_kw_init(&ctx);
  Status status = Status::Ok();
  int ret = mbedtls_nist_kw_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, kek.data(),
                                   static_cast<unsigned int>(kek.size() * 8), /*is_wrap=*/0);
  if (ret != 0) {
    status = StatusCode::kCryptoError;
  } else {
    size_t out_len = 0;
    ret = mbedtls_nist_kw_unwrap(&ctx, MBEDTLS_KW_MODE_KW, wrapped.data(), wrapped.size(),
                                 key_out.data(), &out_len, key_out.size());
    if (ret == MBEDTLS_ERR_CIPHER_AUTH_FAILED) {
      status = StatusCode::kImageEncKeyUnwrap;
    } else if (ret != 0 || out_len != key_out.size()) {
      status = StatusCode::kCryptoError;
    }
  }
  mbedtls_nist_kw_free(&ctx);
  // Never hand out a key that failed its integrity check.
  if (!status.ok()) SecureZero(key_out);
  return status;
}

}  // namespace bleota::crypto
