// Ed25519 (pure, RFC 8032) verification with libsodium.
#include <sodium/crypto_sign_ed25519.h>

#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {

Status Ed25519Verify(std::span<const uint8_t, kEd25519PublicKeySize> public_key,
                     ConstByteSpan message,
                     std::span<const uint8_t, kEd25519SignatureSize> signature) {
  static_assert(kEd25519PublicKeySize == crypto_sign_ed25519_PUBLICKEYBYTES);
  static_assert(kEd25519SignatureSize == crypto_sign_ed25519_BYTES);
  // libsodium rejects non-canonical and small-order encodings as well as mismatches.
  if (crypto_sign_ed25519_verify_detached(signature.data(), message.data(), message.size(),
                                          public_key.data()) != 0) {
    return StatusCode::kImageSignature;
  }
  return Status::Ok();
}

}  // namespace bleota::crypto
