// Encrypted images: unwrapping the image's AES key from its ENC TLV (ECIES-P256, ECIES-X25519,
// AES-KW) and decrypting the payload with AES-CTR, in any order and in small pieces.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/readable.hpp"
#include "bleota/status.hpp"

namespace bleota::image {

inline constexpr size_t kMaxImageKeySize = 32;
inline constexpr size_t kEciesTagSize = 32;
inline constexpr size_t kAesKwOverhead = 8;
// Largest ENC TLV value bleota accepts: ECIES-P256 with an AES-256 key.
inline constexpr size_t kMaxEncTlvSize = crypto::kP256PointSize + kEciesTagSize + kMaxImageKeySize;

// The device's decryption keys; each is optional (empty span when the device has none).
struct DecryptionKeys {
  ConstByteSpan ec256_private;   // raw P-256 private scalar, 32 bytes (ENC_EC256)
  ConstByteSpan x25519_private;  // X25519 private key, 32 bytes (ENC_X25519)
  ConstByteSpan kek;             // AES-KW key-encryption key, 16 or 32 bytes (ENC_KW)
};

// An image's AES-CTR key. Clear() and the destructor wipe it.
struct ImageKey {
  uint8_t bytes[kMaxImageKeySize] = {};
  uint8_t size = 0;

  ImageKey() = default;
  ~ImageKey();
  ImageKey(const ImageKey&) = delete;
  ImageKey& operator=(const ImageKey&) = delete;

  void Clear();
  ConstByteSpan span() const { return ConstByteSpan(bytes, size); }
};

// True for the ENC TLV types bleota can unwrap (ENC_KW, ENC_EC256, ENC_X25519).
bool IsSupportedEncTlv(uint16_t tlv_type);

// Unwraps the image key held in one ENC TLV value; `key_size` (16 or 32) comes from the header
// flags (EncryptionKeySize). Fails with kImageEncKeyUnwrap when the value has the wrong length,
// the device has no key of that kind, the ECIES HMAC tag does not match (checked before the key
// is decrypted) or the AES-KW integrity check fails; kImageUnsupported for other ENC TLV types.
Status UnwrapImageKey(uint16_t tlv_type, ConstByteSpan tlv_value, uint8_t key_size,
                      const DecryptionKeys& keys, ImageKey& key, ImageFault* fault = nullptr);

// Finds the one ENC TLV in the unprotected area of an encrypted image and unwraps it.
// kImageMissingTlv when there is none, kImageEncKeyUnwrap when there are several (ambiguous),
// kImageUnsupported when the image is not encrypted or both AES flags are set.
Status UnwrapImageKey(Readable& image, const ImageLayout& layout, const DecryptionKeys& keys,
                      ImageKey& key, ImageFault* fault = nullptr);

// AES-CTR over the payload: the counter block is 0 at the first payload byte (hdr_size), so
// any piece can be decrypted on its own. Close() and the destructor wipe the key schedule.
class ImageDecryptor {
 public:
  ImageDecryptor() = default;
  ~ImageDecryptor() = default;  // aes_'s destructor wipes the key schedule
  ImageDecryptor(const ImageDecryptor&) = delete;
  ImageDecryptor& operator=(const ImageDecryptor&) = delete;

  // Uses an already unwrapped key; Crypt() is limited to [0, payload_size).
  Status Open(const ImageKey& key, uint32_t payload_size);
  // Unwraps the image's key (see UnwrapImageKey) and opens with it.
  Status Open(Readable& image, const ImageLayout& layout, const DecryptionKeys& keys,
              ImageFault* fault = nullptr);

  // Decrypts `data` in place; `payload_offset` counts from the first payload byte. CTR is its own
  // inverse, so this also encrypts. kFailedPrecondition when not open, kOutOfRange past the
  // payload.
  Status Crypt(uint32_t payload_offset, ByteSpan data);

  void Close();
  bool is_open() const { return open_; }

 private:
  crypto::AesCtr aes_;
  uint32_t payload_size_ = 0;
  bool open_ = false;
};

}  // namespace bleota::image
