#include "bleota/image/image_verifier.hpp"

#include <cstring>

namespace bleota::image {

namespace {

// DER SubjectPublicKeyInfo prefixes; the key bytes follow (64-byte X||Y after 0x04, or 32 bytes).
constexpr uint8_t kEcdsaP256SpkiPrefix[] = {0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48,
                                            0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00, 0x04};
constexpr uint8_t kEd25519SpkiPrefix[] = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                          0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};

constexpr size_t kMaxEcdsaSignatureSize = 72;  // DER of two 33-byte INTEGERs
constexpr size_t kMinEcdsaSignatureSize = 8;   // DER of two 1-byte INTEGERs
// One stack buffer serves the PUBKEY value and then the signature.
constexpr size_t kKeyOrSignatureBufferSize = kEcdsaP256SpkiSize;
static_assert(kKeyOrSignatureBufferSize >= kMaxEcdsaSignatureSize);
static_assert(kKeyOrSignatureBufferSize >= crypto::kEd25519SignatureSize);

// The unprotected TLVs the verifier acts on, found in one bounded walk.
struct TlvScan {
  TlvEntry sha256;
  TlvEntry key;
  TlvEntry signature;
  TlvEntry enc;
  bool has_sha256 = false;
  bool has_enc = false;
  KeyReference key_reference = KeyReference::kNone;
  SignatureKind signature_kind = SignatureKind::kNone;
};

bool IsVerifierTlv(uint16_t type) {
  switch (type) {
    case kTlvKeyHash:
    case kTlvPubKey:
    case kTlvSha256:
    case kTlvSha384:
    case kTlvSha512:
    case kTlvRsa2048Pss:
    case kTlvEcdsa224:
    case kTlvEcdsaSig:
    case kTlvRsa3072Pss:
    case kTlvEd25519:
    case kTlvSigPure:
    case kTlvEncRsa2048:
    case kTlvEncKw:
    case kTlvEncEc256:
    case kTlvEncX25519:
    case kTlvEncX25519Sha512:
      return true;
    default:
      return false;
  }
}

Status ScanUnprotectedEntry(const TlvEntry& entry, TlvScan& scan, ImageFault* fault) {
  switch (entry.type) {
    case kTlvSha256:
      if (scan.has_sha256) {
        return ReportFault(fault, StatusCode::kImageHash, "sha256_count", 2, 1);
      }
      if (entry.length != crypto::kSha256Size) {
        return ReportFault(fault, StatusCode::kImageHash, "sha256_len", entry.length,
                           crypto::kSha256Size);
      }
      scan.sha256 = entry;
      scan.has_sha256 = true;
      return Status::Ok();
    case kTlvKeyHash:
    case kTlvPubKey: {
      const bool keyhash = entry.type == kTlvKeyHash;
      const StatusCode code = keyhash ? StatusCode::kImageKeyHash : StatusCode::kImagePubKey;
      if (scan.key_reference != KeyReference::kNone) {
        return ReportFault(fault, code, "key_tlv_count", 2, 1);
      }
      if (keyhash && entry.length != crypto::kSha256Size) {
        return ReportFault(fault, code, "keyhash_len", entry.length, crypto::kSha256Size);
      }
      scan.key = entry;
      scan.key_reference = keyhash ? KeyReference::kKeyHash : KeyReference::kPubKey;
      return Status::Ok();
    }
    case kTlvEcdsaSig:
    case kTlvEd25519: {
      if (scan.signature_kind != SignatureKind::kNone) {
        return ReportFault(fault, StatusCode::kImageSignature, "signature_count", 2, 1);
      }
      const bool ecdsa = entry.type == kTlvEcdsaSig;
      if (ecdsa &&
          (entry.length < kMinEcdsaSignatureSize || entry.length > kMaxEcdsaSignatureSize)) {
        return ReportFault(fault, StatusCode::kImageSignature, "signature_len", entry.length,
                           kMaxEcdsaSignatureSize);
      }
      if (!ecdsa && entry.length != crypto::kEd25519SignatureSize) {
        return ReportFault(fault, StatusCode::kImageSignature, "signature_len", entry.length,
                           crypto::kEd25519SignatureSize);
      }
      scan.signature = entry;
      scan.signature_kind = ecdsa ? SignatureKind::kEcdsaP256 : SignatureKind::kEd25519;
      return Status::Ok();
    }
    case kTlvEncKw:
    case kTlvEncEc256:
    case kTlvEncX25519:
      if (scan.has_enc) {
        return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_tlv_count", 2, 1);
      }
      scan.enc = entry;
      scan.has_enc = true;
      return Status::Ok();
    default:
      // Other verifier TLV types are hashes, signatures or key transports bleota does not do.
      if (IsVerifierTlv(entry.type)) {
        return ReportFault(fault, StatusCode::kImageUnsupported, "tlv_type", entry.type, 0);
      }
      return Status::Ok();  // vendor and informational TLVs
  }
}

Status ScanTlvs(Readable& slot, const ImageLayout& layout, TlvScan& scan, ImageFault* fault) {
  TlvIterator it(slot, layout, TlvArea::kBoth);
  TlvEntry entry;
  while (true) {
    BLEOTA_ASSIGN_OR_RETURN(const bool more, it.Next(entry, fault));
    if (!more) return Status::Ok();
    if (entry.is_protected) {
      // A hash, key or signature inside the hashed area makes no sense: refuse, do not guess.
      if (IsVerifierTlv(entry.type)) {
        return ReportFault(fault, StatusCode::kImageUnsupported, "protected_tlv_type", entry.type,
                           0);
      }
      continue;
    }
    BLEOTA_TRY(ScanUnprotectedEntry(entry, scan, fault));
  }
}

Status CheckFlags(const ImageLayout& layout, const VerifyOptions& options, ImageFault* fault) {
  const uint32_t flags = layout.header.flags;
  if (layout.unknown_flags != 0) {
    return ReportFault(fault, StatusCode::kImageUnsupported, "flags", layout.unknown_flags,
                       kFlagsKnown);
  }
  if ((flags & kFlagsCompressed) != 0) {
    return ReportFault(fault, StatusCode::kImageUnsupported, "flags", flags & kFlagsCompressed, 0);
  }
  if (EncryptionKeySize(flags) == kInvalidKeySize) {
    return ReportFault(fault, StatusCode::kImageUnsupported, "flags", flags & kFlagsEncrypted,
                       kFlagEncryptedAes128);
  }
  if ((flags & kFlagRamLoad) != 0 && !options.allow_ram_load) {
    return ReportFault(fault, StatusCode::kImageUnsupported, "flags", kFlagRamLoad, 0);
  }
  return Status::Ok();
}

Status CheckScanComplete(const TlvScan& scan, const ImageLayout& layout,
                         const VerifyOptions& options, ImageFault* fault) {
  if (!scan.has_sha256) {
    return ReportFault(fault, StatusCode::kImageMissingTlv, "sha256", 0, 1);
  }
  if (scan.signature_kind == SignatureKind::kNone && !options.allow_unsigned) {
    return ReportFault(fault, StatusCode::kImageMissingTlv, "signature", 0, 1);
  }
  if (scan.signature_kind != SignatureKind::kNone && scan.key_reference == KeyReference::kNone) {
    return ReportFault(fault, StatusCode::kImageMissingTlv, "keyhash", 0, 1);
  }
  if (layout.encrypted() && options.payload_form == PayloadForm::kAsStored && !scan.has_enc) {
    return ReportFault(fault, StatusCode::kImageMissingTlv, "enc_tlv", 0, 1);
  }
  return Status::Ok();
}

KeyAlgorithm AlgorithmFor(SignatureKind kind) {
  return kind == SignatureKind::kEd25519 ? KeyAlgorithm::kEd25519 : KeyAlgorithm::kEcdsaP256;
}

// Index of the trusted key of `algorithm` that the KEYHASH/PUBKEY TLV names.
Result<int> FindKey(Readable& slot, const TlvScan& scan, std::span<const TrustedKey> keys,
                    ByteSpan value_buffer, ImageFault* fault) {
  const KeyAlgorithm algorithm = AlgorithmFor(scan.signature_kind);
  const bool keyhash = scan.key_reference == KeyReference::kKeyHash;
  const StatusCode miss = keyhash ? StatusCode::kImageKeyHash : StatusCode::kImagePubKey;
  if (scan.key.length > value_buffer.size()) {
    return ReportFault(fault, miss, "pubkey_len", scan.key.length,
                       static_cast<uint32_t>(value_buffer.size()));
  }
  BLEOTA_TRY(ReadTlvValue(slot, scan.key, value_buffer));
  const ConstByteSpan named = value_buffer.first(scan.key.length);
  uint8_t key_hash[crypto::kSha256Size];
  for (size_t i = 0; i < keys.size(); ++i) {
    if (keys[i].algorithm != algorithm) continue;
    bool match = false;
    if (keyhash) {
      BLEOTA_TRY(crypto::Sha256Digest(keys[i].spki_der, key_hash));
      match = crypto::ConstantTimeEqual(named, key_hash);
    } else {
      match = named.size() == keys[i].spki_der.size() &&
              crypto::ConstantTimeEqual(named, keys[i].spki_der);
    }
    if (match) return static_cast<int>(i);
  }
  return ReportFault(fault, miss, keyhash ? "keyhash" : "pubkey", 0,
                     static_cast<uint32_t>(keys.size()));
}

Status CheckSignature(Readable& slot, const TlvScan& scan, const TrustedKey& key,
                      crypto::ConstDigest hash, ByteSpan value_buffer, ImageFault* fault) {
  BLEOTA_TRY(ReadTlvValue(slot, scan.signature, value_buffer));
  const ConstByteSpan signature = value_buffer.first(scan.signature.length);
  Status status;
  if (scan.signature_kind == SignatureKind::kEcdsaP256) {
    status = crypto::EcdsaP256VerifyDigest(key.spki_der, hash, signature);
  } else {
    const ConstByteSpan raw_key = key.spki_der.last(crypto::kEd25519PublicKeySize);
    status = crypto::Ed25519Verify(raw_key.first<crypto::kEd25519PublicKeySize>(), hash,
                                   signature.first<crypto::kEd25519SignatureSize>());
  }
  if (!status.ok()) {
    // `value` keeps the backend's own code (kImageSignature or e.g. kCryptoError) for logs.
    return ReportFault(fault, StatusCode::kImageSignature, "signature",
                       static_cast<uint32_t>(status.code()), 0);
  }
  return Status::Ok();
}

// Hashes [begin, end) in work-buffer-sized reads, decrypting when `decryptor` is given.
Status HashRange(Readable& image, crypto::Sha256& sha, uint32_t begin, uint32_t end,
                 ImageDecryptor* decryptor, uint32_t payload_offset, ByteSpan work) {
  const uint32_t chunk = work.size() > UINT32_MAX ? UINT32_MAX : static_cast<uint32_t>(work.size());
  for (uint32_t offset = begin; offset < end;) {
    const uint32_t n = (end - offset) < chunk ? (end - offset) : chunk;
    const ByteSpan piece = work.first(n);
    BLEOTA_TRY(image.Read(offset, piece));
    if (decryptor != nullptr) BLEOTA_TRY(decryptor->Crypt(offset - payload_offset, piece));
    BLEOTA_TRY(sha.Update(piece));
    offset += n;
  }
  return Status::Ok();
}

}  // namespace

Status ValidateTrustedKey(const TrustedKey& key) {
  if (key.algorithm != KeyAlgorithm::kEcdsaP256 && key.algorithm != KeyAlgorithm::kEd25519) {
    return StatusCode::kInvalidArgument;
  }
  const bool ecdsa = key.algorithm == KeyAlgorithm::kEcdsaP256;
  const ConstByteSpan prefix =
      ecdsa ? ConstByteSpan(kEcdsaP256SpkiPrefix) : ConstByteSpan(kEd25519SpkiPrefix);
  const size_t size = ecdsa ? kEcdsaP256SpkiSize : kEd25519SpkiSize;
  if (key.spki_der.size() != size ||
      std::memcmp(key.spki_der.data(), prefix.data(), prefix.size()) != 0) {
    return StatusCode::kInvalidArgument;
  }
  return Status::Ok();
}

Status ComputeImageHash(Readable& image, const ImageLayout& layout, ImageDecryptor* decryptor,
                        ByteSpan work_buffer, crypto::Digest out) {
  if (work_buffer.empty()) return StatusCode::kInvalidArgument;
  if (decryptor != nullptr && !decryptor->is_open()) return StatusCode::kFailedPrecondition;
  const uint32_t payload_end = layout.payload_offset + layout.payload_size;
  crypto::Sha256 sha;
  BLEOTA_TRY(sha.Start());
  BLEOTA_TRY(HashRange(image, sha, 0, layout.payload_offset, nullptr, 0, work_buffer));
  BLEOTA_TRY(HashRange(image, sha, layout.payload_offset, payload_end, decryptor,
                       layout.payload_offset, work_buffer));
  BLEOTA_TRY(HashRange(image, sha, payload_end, layout.hash_region_end(), nullptr, 0, work_buffer));
  return sha.Finish(out);
}

namespace {

// The helpers below run one after the other, so the ECIES scratch, the chunk buffer and the AES
// state are never on the stack together, nor during the signature check.

[[gnu::noinline]] Status UnwrapEncTlv(Readable& slot, const ImageLayout& layout,
                                      const TlvScan& scan, const VerifyOptions& options,
                                      ImageKey& key, ImageFault* fault) {
  uint8_t value[kMaxEncTlvSize];
  if (scan.enc.length > sizeof(value)) {
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_tlv_len", scan.enc.length,
                       kMaxEncTlvSize);
  }
  BLEOTA_TRY(ReadTlvValue(slot, scan.enc, value));
  return UnwrapImageKey(scan.enc.type, ConstByteSpan(value, scan.enc.length),
                        EncryptionKeySize(layout.header.flags), options.decryption, key, fault);
}

// Hashes the image, decrypting the payload with `key` when it is given.
[[gnu::noinline]] Status HashImage(Readable& slot, const ImageLayout& layout,
                                   const VerifyOptions& options, const ImageKey* key,
                                   crypto::Digest hash) {
  uint8_t default_work[kDefaultChunkSize];
  const ByteSpan work = options.work_buffer.empty() ? ByteSpan(default_work) : options.work_buffer;
  if (key == nullptr) return ComputeImageHash(slot, layout, nullptr, work, hash);
  ImageDecryptor decryptor;  // its destructor wipes the key schedule
  BLEOTA_TRY(decryptor.Open(*key, layout.payload_size));
  return ComputeImageHash(slot, layout, &decryptor, work, hash);
}

}  // namespace

Result<VerifiedImage> VerifyImage(Readable& slot, const VerifyOptions& options, ImageFault* fault) {
  for (const TrustedKey& key : options.keys) {
    if (!ValidateTrustedKey(key).ok()) {
      return ReportFault(fault, StatusCode::kInvalidArgument, "trusted_key", 0, 0);
    }
  }

  VerifiedImage verified;
  BLEOTA_ASSIGN_OR_RETURN(verified.layout, ParseImageHeader(slot, fault));
  const ImageLayout& layout = verified.layout;
  BLEOTA_TRY(CheckFlags(layout, options, fault));

  TlvScan scan;
  BLEOTA_TRY(ScanTlvs(slot, layout, scan, fault));
  BLEOTA_ASSIGN_OR_RETURN(verified.protected_tlvs, ReadProtectedTlvs(slot, layout, fault));
  BLEOTA_TRY(CheckScanComplete(scan, layout, options, fault));

  verified.encrypted = layout.encrypted();
  const bool decrypt = verified.encrypted && options.payload_form == PayloadForm::kAsStored;
  {
    ImageKey key;  // wiped by its destructor
    if (decrypt) {
      BLEOTA_TRY(UnwrapEncTlv(slot, layout, scan, options, key, fault));
      verified.enc_tlv_type = scan.enc.type;
    }
    BLEOTA_TRY(HashImage(slot, layout, options, decrypt ? &key : nullptr, verified.hash));
  }
  uint8_t expected_hash[crypto::kSha256Size];
  BLEOTA_TRY(ReadTlvValue(slot, scan.sha256, expected_hash));
  if (!crypto::ConstantTimeEqual(expected_hash, verified.hash)) {
    return ReportFault(fault, StatusCode::kImageHash, "sha256", 0, 0);
  }

  if (scan.signature_kind == SignatureKind::kNone) return verified;  // allow_unsigned
  verified.signature = scan.signature_kind;
  verified.key_reference = scan.key_reference;

  // Holds the PUBKEY value, then the signature.
  uint8_t value[kKeyOrSignatureBufferSize];
  BLEOTA_ASSIGN_OR_RETURN(verified.key_index, FindKey(slot, scan, options.keys, value, fault));
  BLEOTA_TRY(CheckSignature(slot, scan, options.keys[static_cast<size_t>(verified.key_index)],
                            verified.hash, value, fault));
  return verified;
}

}  // namespace bleota::image
