// The crypto interface device code uses. One backend is linked in (mbedTLS + libsodium's Ed25519
// today; a hardware engine later); callers never see the backend's types. No heap, no exceptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "bleota/bytes.hpp"
#include "bleota/status.hpp"

namespace bleota::crypto {

inline constexpr size_t kSha256Size = 32;
inline constexpr size_t kP256PrivateKeySize = 32;
inline constexpr size_t kP256PointSize = 65;  // uncompressed: 0x04 || X || Y
inline constexpr size_t kX25519KeySize = 32;
inline constexpr size_t kEd25519PublicKeySize = 32;
inline constexpr size_t kEd25519SignatureSize = 64;

using Digest = std::span<uint8_t, kSha256Size>;
using ConstDigest = std::span<const uint8_t, kSha256Size>;

// Opaque state sizes; each backend static_asserts its contexts fit.
inline constexpr size_t kSha256StateBytes = 128;
inline constexpr size_t kAesStateBytes = 320;

// Streaming SHA-256. The destructor wipes the state.
class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  Status Start();
  Status Update(ConstByteSpan data);
  Status Finish(Digest out);

 private:
  alignas(8) uint8_t state_[kSha256StateBytes];
};

Status Sha256Digest(ConstByteSpan data, Digest out);
Status HmacSha256(ConstByteSpan key, ConstByteSpan data, Digest out);
// HKDF-SHA256 (RFC 5869); empty salt means a zero-filled salt of hash length.
Status HkdfSha256(ConstByteSpan salt, ConstByteSpan ikm, ConstByteSpan info, ByteSpan out);

// AES-CTR with a 16-byte big-endian counter block that starts at zero (MCUboot's image
// encryption). Random access: Crypt() takes the keystream position, so a slot can be decrypted
// sector by sector in any order. The destructor wipes the key schedule.
class AesCtr {
 public:
  AesCtr();
  ~AesCtr();
  AesCtr(const AesCtr&) = delete;
  AesCtr& operator=(const AesCtr&) = delete;

  // key.size() must be 16 or 32.
  Status SetKey(ConstByteSpan key);
  // out.size() must equal in.size(); in and out may be the same buffer.
  Status Crypt(uint32_t stream_offset, ConstByteSpan in, ByteSpan out);

 private:
  alignas(8) uint8_t state_[kAesStateBytes];
  bool has_key_ = false;
};

// RFC 3394 AES key unwrap. wrapped.size() == key_out.size() + 8; kek is 16 or 32 bytes.
// Fails with kImageEncKeyUnwrap when the integrity check fails.
Status AesKeyUnwrap(ConstByteSpan kek, ConstByteSpan wrapped, ByteSpan key_out);

// ECDSA P-256 verify of a DER signature over a SHA-256 digest. `public_key` is either the
// SubjectPublicKeyInfo DER (91 bytes) or the raw uncompressed point (65 bytes).
// kImageSignature when the signature does not verify.
Status EcdsaP256VerifyDigest(ConstByteSpan public_key, ConstDigest digest,
                             ConstByteSpan der_signature);

// Ed25519 (pure) verify of `message`. kImageSignature when it does not verify.
Status Ed25519Verify(std::span<const uint8_t, kEd25519PublicKeySize> public_key,
                     ConstByteSpan message,
                     std::span<const uint8_t, kEd25519SignatureSize> signature);

// ECDH on P-256: raw private scalar, uncompressed peer point -> 32-byte shared X coordinate.
Status EcdhP256(std::span<const uint8_t, kP256PrivateKeySize> private_key, ConstByteSpan peer_point,
                std::span<uint8_t, 32> shared);

// X25519 (RFC 7748).
Status X25519(std::span<const uint8_t, kX25519KeySize> private_key,
              std::span<const uint8_t, kX25519KeySize> peer_public, std::span<uint8_t, 32> shared);

// Compares without an early exit, so timing does not tell where two digests differ.
bool ConstantTimeEqual(ConstByteSpan a, ConstByteSpan b);

// Wipes secrets in a way the compiler cannot remove.
void SecureZero(ByteSpan bytes);

}  // namespace bleota::crypto
