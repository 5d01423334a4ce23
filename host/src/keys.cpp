#include "bleota/host/keys.hpp"

#include <sodium.h>

#include <array>
#include <string>

#include "bleota/host/error.hpp"
#include "bleota/host/random.hpp"
#include "p256.hpp"

namespace bleota::host {

std::string_view KeyTypeName(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "ecdsa-p256";
    case KeyType::kEd25519:
      return "ed25519";
    case KeyType::kX25519:
      return "x25519";
  }
  return "unknown";
}

std::optional<KeyType> KeyTypeFromName(std::string_view name) {
  for (KeyType type : {KeyType::kEcdsaP256, KeyType::kEd25519, KeyType::kX25519}) {
    if (KeyTypeName(type) == name) return type;
  }
  return std::nullopt;
}

PublicKey DerivePublicKey(KeyType type, std::span<const uint8_t> secret) {
  if (secret.size() != kPrivateKeyBytes) {
    ThrowKey(std::string(KeyTypeName(type)) + " private key must be 32 bytes, got " +
             std::to_string(secret.size()));
  }
  EnsureSodiumReady();
  PublicKey pub{type, {}};
  switch (type) {
    case KeyType::kEcdsaP256:
      pub.raw = p256::PublicFromScalar(secret);
      break;
    case KeyType::kEd25519: {
      std::array<uint8_t, crypto_sign_PUBLICKEYBYTES> pk{};
      SecretBytes sk(crypto_sign_SECRETKEYBYTES);
      if (crypto_sign_seed_keypair(pk.data(), sk.data(), secret.data()) != 0) {
        ThrowInternal("libsodium failed to derive the Ed25519 public key");
      }
      pub.raw.assign(pk.begin(), pk.end());
      break;
    }
    case KeyType::kX25519: {
      std::array<uint8_t, crypto_scalarmult_BYTES> pk{};
      if (crypto_scalarmult_base(pk.data(), secret.data()) != 0) {
        ThrowKey("X25519 private key gives an all-zero public key");
      }
      pub.raw.assign(pk.begin(), pk.end());
      break;
    }
  }
  return pub;
}

PrivateKey GenerateKey(KeyType type) {
  if (type == KeyType::kEcdsaP256) {
    p256::KeyPair pair = p256::Generate();
    return PrivateKey{type, std::move(pair.scalar), PublicKey{type, std::move(pair.point)}};
  }
  // Ed25519 seeds and X25519 scalars are any 32 random bytes (RFC 8032, RFC 7748).
  SecretBytes secret(kPrivateKeyBytes);
  RandomBytes(secret.span());
  PublicKey pub = DerivePublicKey(type, secret.span());
  return PrivateKey{type, std::move(secret), std::move(pub)};
}

}  // namespace bleota::host
