#include "bleota/host/image_signature.hpp"

#include <sodium.h>

#include "bleota/host/error.hpp"
#include "bleota/host/random.hpp"
#include "bleota/image/tlv.hpp"
#include "p256.hpp"

namespace bleota::host {

uint16_t SignatureTlvType(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return image::kTlvEcdsaSig;
    case KeyType::kEd25519:
      return image::kTlvEd25519;
    case KeyType::kX25519:
      break;
  }
  ThrowKey(
      "an x25519 key cannot sign images (it is for ENC_X25519 encryption); use an "
      "ecdsa-p256 or ed25519 key");
}

std::vector<uint8_t> SignImageDigest(const PrivateKey& key, std::span<const uint8_t, 32> digest) {
  if (key.type == KeyType::kEcdsaP256) return p256::SignDigest(key.secret.span(), digest);
  if (key.type != KeyType::kEd25519) SignatureTlvType(key.type);  // throws for X25519
  EnsureSodiumReady();
  std::vector<uint8_t> public_key(crypto_sign_PUBLICKEYBYTES);
  SecretBytes expanded(crypto_sign_SECRETKEYBYTES);
  if (key.secret.size() != crypto_sign_SEEDBYTES ||
      crypto_sign_seed_keypair(public_key.data(), expanded.data(), key.secret.data()) != 0) {
    ThrowKey("Ed25519 private key must be a 32-byte seed");
  }
  std::vector<uint8_t> signature(crypto_sign_BYTES);
  if (crypto_sign_detached(signature.data(), nullptr, digest.data(), digest.size(),
                           expanded.data()) != 0) {
    ThrowInternal("libsodium failed to sign");
  }
  return signature;
}

}  // namespace bleota::host
