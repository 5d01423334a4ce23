// Streaming image verification: hash, key and signature checks read the slot in small chunks
// (never the whole image) and decrypt encrypted payloads on the fly.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "bleota/bytes.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/tlv.hpp"
#include "bleota/readable.hpp"
#include "bleota/result.hpp"
#include "bleota/status.hpp"

namespace bleota::image {

enum class KeyAlgorithm : uint8_t { kEcdsaP256, kEd25519 };

inline constexpr size_t kEcdsaP256SpkiSize = 91;
inline constexpr size_t kEd25519SpkiSize = 44;  // the raw key is its last 32 bytes

// A key images may be signed with: its SubjectPublicKeyInfo DER, as imgtool embeds it (PUBKEY)
// and hashes it (KEYHASH).
struct TrustedKey {
  KeyAlgorithm algorithm = KeyAlgorithm::kEcdsaP256;
  ConstByteSpan spki_der;
};

// Checks a trusted key's DER has the exact P-256 / Ed25519 SPKI shape; kInvalidArgument if not.
Status ValidateTrustedKey(const TrustedKey& key);

enum class PayloadForm : uint8_t {
  kAsStored,   // an ENCRYPTED image still holds ciphertext: decrypt while hashing
  kDecrypted,  // the ENCRYPTED flag is set but the payload already holds the plaintext
};

inline constexpr size_t kDefaultChunkSize = 256;

struct VerifyOptions {
  std::span<const TrustedKey> keys;
  DecryptionKeys decryption;
  PayloadForm payload_form = PayloadForm::kAsStored;
  bool allow_unsigned = false;  // accept images with a SHA256 TLV but no signature
  bool allow_ram_load = false;  // accept the RAM_LOAD flag
  // Read buffer for streaming. Empty: an internal kDefaultChunkSize stack buffer. Reads from
  // the slot are never larger than this buffer.
  ByteSpan work_buffer;
};

enum class SignatureKind : uint8_t { kNone, kEcdsaP256, kEd25519 };
enum class KeyReference : uint8_t { kNone, kKeyHash, kPubKey };

struct VerifiedImage {
  ImageLayout layout;
  uint8_t hash[crypto::kSha256Size] =
      {};  // SHA-256 over header + plaintext payload + protected TLVs
  SignatureKind signature = SignatureKind::kNone;
  KeyReference key_reference = KeyReference::kNone;
  int key_index = -1;         // index into VerifyOptions::keys; -1 for an accepted unsigned image
  bool encrypted = false;     // the header has an ENCRYPTED flag
  uint16_t enc_tlv_type = 0;  // ENC TLV used to decrypt while hashing; 0 if none was used
  ProtectedTlvs protected_tlvs;
};

// SHA-256 over [0, layout.hash_region_end()), payload passed through `decryptor` when it is
// given (open). Reads at most work_buffer.size() bytes at a time.
Status ComputeImageHash(Readable& image, const ImageLayout& layout, ImageDecryptor* decryptor,
                        ByteSpan work_buffer, crypto::Digest out);

// Verifies an image in `slot`. Checks, first failure wins:
//   1. ParseImageHeader's checks (bounds, header_magic, header_size, tlv_prot_magic,
//      protect_tlv_size, tlv_magic, tlv_bounds)
//   2. flags: compressed, unknown bits, both AES bits, RAM_LOAD unless allowed -> image_unsupported
//   3. walk of both TLV areas: tlv_bounds; protected SEC_CNT/DEPENDENCY; unsupported hash,
//      signature or encryption TLV types -> image_unsupported; duplicates -> the TLV's check id;
//      no SHA256 / no signature (unless allow_unsigned) / no KEYHASH-PUBKEY for a signature /
//      no ENC TLV in an encrypted image -> missing_tlv
//   4. enc_key_unwrap (encrypted image, kAsStored only)
//   5. hash (constant-time compare with the SHA256 TLV)
//   6. keyhash / pubkey: the image names a trusted key of the signature's algorithm
//   7. signature
Result<VerifiedImage> VerifyImage(Readable& slot, const VerifyOptions& options,
                                  ImageFault* fault = nullptr);

}  // namespace bleota::image
