// HMAC-SHA256 and HKDF-SHA256 (RFC 2104, RFC 5869) on mbedTLS's md layer.
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>

#include "backend.hpp"
#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {
namespace {

// RFC 5869: the output is at most 255 hash blocks.
constexpr size_t kHkdfMaxOutput = 255 * kSha256Size;

}  // namespace

Status HmacSha256(ConstByteSpan key, ConstByteSpan data, Digest out) {
  backend::PrepareAllocator();
  const mbedtls_md_info_t* md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  if (md == nullptr) return StatusCode::kCryptoError;
  return backend::FromBackend(
      mbedtls_md_hmac(md, key.data(), key.size(), data.data(), data.size(), out.data()));
}

Status HkdfSha256(ConstByteSpan salt, ConstByteSpan ikm, ConstByteSpan info, ByteSpan out) {
  if (out.empty() || out.size() > kHkdfMaxOutput) return StatusCode::kInvalidArgument;
  backend::PrepareAllocator();
  const mbedtls_md_info_t* md = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  if (md == nullptr) return StatusCode::kCryptoError;
  // mbedTLS substitutes the zero salt only for a null pointer.
  const uint8_t* salt_ptr = salt.empty() ? nullptr : salt.data();
  return backend::FromBackend(mbedtls_hkdf(md, salt_ptr, salt.size(), ikm.data(), ikm.size(),
                                           info.data(), info.size(), out.data(), out.size()));
}

}  // namespace bleota::crypto
