// Key types and in-memory keys of the host tools. Encodings live in key_der.hpp / key_pem.hpp,
// files in key_files.hpp.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "bleota/host/secret_bytes.hpp"

namespace bleota::host {

enum class KeyType {
  kEcdsaP256,  // signing (ECDSASIG) or ENC_EC256 encryption
  kEd25519,    // signing (ED25519)
  kX25519,     // ENC_X25519 encryption
};

// "ecdsa-p256", "ed25519", "x25519": imgtool's -t names.
std::string_view KeyTypeName(KeyType type);
std::optional<KeyType> KeyTypeFromName(std::string_view name);

inline constexpr size_t kP256PointBytes = 65;  // 0x04 || X || Y
inline constexpr size_t kCurve25519KeyBytes = 32;
inline constexpr size_t kPrivateKeyBytes = 32;

struct PublicKey {
  KeyType type = KeyType::kEcdsaP256;
  // P-256: the uncompressed point (65 bytes); Ed25519/X25519: the 32-byte key.
  std::vector<uint8_t> raw;

  friend bool operator==(const PublicKey&, const PublicKey&) = default;
};

struct PrivateKey {
  KeyType type = KeyType::kEcdsaP256;
  // P-256: the big-endian scalar d; Ed25519: the RFC 8032 seed; X25519: the RFC 7748 scalar.
  SecretBytes secret;
  PublicKey public_key;
};

// The public key of a 32-byte private key of `type` (d*G, Ed25519 from seed, X25519 base mult).
PublicKey DerivePublicKey(KeyType type, std::span<const uint8_t> secret);

// A new random key. Throws HostError(kInternal) if the backend fails.
PrivateKey GenerateKey(KeyType type);

}  // namespace bleota::host
