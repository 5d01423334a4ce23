#include "bleota/smp/image_acceptance.hpp"

#include <cstring>

#include "bleota/crypto/crypto.hpp"

namespace bleota::smp {
namespace {

// The SHA256 TLV value of a parsed image (kHashNotFound when it has none of 32 bytes).
ImageRc ReadHashTlv(Readable& slot, const image::ImageLayout& layout, uint8_t* out) {
  image::TlvIterator it(slot, layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  for (;;) {
    Result<bool> more = it.Next(entry);
    if (!more.ok()) return ImageRcForCheck(more.status().code());
    if (!*more) return ImageRc::kNoTlvs;
    if (entry.type == image::kTlvSha256 && entry.length == crypto::kSha256Size) {
      return slot.Read(entry.value_offset, ByteSpan(out, crypto::kSha256Size)).ok()
                 ? ImageRc::kOk
                 : ImageRc::kFlashReadFailed;
    }
  }
}

// The trusted key a KEYHASH/PUBKEY entry names, or nullptr.
const image::TrustedKey* NamedKey(ConstByteSpan named, uint16_t type, const ImageChecks& checks) {
  for (const image::TrustedKey& key : checks.keys) {
    if (type == image::kTlvKeyHash) {
      uint8_t digest[crypto::kSha256Size];
      if (!crypto::Sha256Digest(key.spki_der, digest).ok()) return nullptr;
      if (named.size() == sizeof(digest) &&
          std::memcmp(digest, named.data(), sizeof(digest)) == 0) {
        return &key;
      }
    } else if (named.size() == key.spki_der.size() &&
               std::memcmp(key.spki_der.data(), named.data(), named.size()) == 0) {
      return &key;
    }
  }
  return nullptr;
}

// Without the image key the payload cannot be hashed, but the signature over the SHA256 TLV
// can still be checked: it proves the stated hash is the signer's (the bootloader then checks
// the decrypted payload against it). Pure signatures (over the whole image) are left to it.
ImageRc CheckStatedHashSignature(Readable& slot, const image::ImageLayout& layout,
                                 const ImageChecks& checks, crypto::ConstDigest hash) {
  image::TlvIterator it(slot, layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  const image::TrustedKey* key = nullptr;
  image::TlvEntry signature;
  bool has_signature = false, pure = false;
  for (;;) {
    Result<bool> more = it.Next(entry);
    if (!more.ok()) return ImageRcForCheck(more.status().code());
    if (!*more) break;
    if (entry.type == image::kTlvSigPure) pure = true;
    if (entry.type == image::kTlvEcdsaSig || entry.type == image::kTlvEd25519) {
      signature = entry;
      has_signature = true;
    }
    if (entry.type == image::kTlvKeyHash || entry.type == image::kTlvPubKey) {
      uint8_t named[image::kEcdsaP256SpkiSize];
      if (entry.length > sizeof(named)) return ImageRc::kHashNotFound;
      if (!image::ReadTlvValue(slot, entry, named).ok()) return ImageRc::kFlashReadFailed;
      key = NamedKey(ConstByteSpan(named, entry.length), entry.type, checks);
      if (key == nullptr) return ImageRc::kHashNotFound;
    }
  }
  if (!has_signature) return checks.allow_unsigned ? ImageRc::kOk : ImageRc::kNoTlvs;
  if (key == nullptr) return ImageRc::kNoTlvs;
  if (pure) return ImageRc::kOk;
  uint8_t value[72];  // a DER ECDSA P-256 signature or an Ed25519 signature
  if (signature.length > sizeof(value)) return ImageRc::kInvalidHash;
  if (!image::ReadTlvValue(slot, signature, value).ok()) return ImageRc::kFlashReadFailed;
  Status verified = StatusCode::kImageSignature;
  if (signature.type == image::kTlvEcdsaSig && key->algorithm == image::KeyAlgorithm::kEcdsaP256) {
    verified =
        crypto::EcdsaP256VerifyDigest(key->spki_der, hash, ConstByteSpan(value, signature.length));
  } else if (signature.type == image::kTlvEd25519 &&
             key->algorithm == image::KeyAlgorithm::kEd25519 &&
             signature.length == crypto::kEd25519SignatureSize &&
             key->spki_der.size() == image::kEd25519SpkiSize) {
    verified = crypto::Ed25519Verify(key->spki_der.last<crypto::kEd25519PublicKeySize>(), hash,
                                     std::span<const uint8_t, crypto::kEd25519SignatureSize>(
                                         value, crypto::kEd25519SignatureSize));
  }
  return verified.ok() ? ImageRc::kOk : ImageRc::kInvalidHash;
}

}  // namespace

ImageRc CheckHeaderFlags(const image::ImageHeader& header, const ImageChecks& checks) {
  const uint32_t flags = header.flags;
  if ((flags & ~image::kFlagsKnown) != 0 || (flags & image::kFlagsCompressed) != 0 ||
      image::EncryptionKeySize(flags) == image::kInvalidKeySize ||
      ((flags & image::kFlagRamLoad) != 0 && !checks.allow_ram_load)) {
    return ImageRc::kInvalidImageVectorTable;
  }
  return ImageRc::kOk;
}

ImageRc CheckKeyReference(Readable& image, const image::ImageLayout& layout,
                          const ImageChecks& checks) {
  if (checks.keys.empty()) return ImageRc::kOk;
  image::TlvIterator it(image, layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  for (;;) {
    Result<bool> more = it.Next(entry);
    if (!more.ok()) return ImageRcForCheck(more.status().code());
    if (!*more) return ImageRc::kOk;
    if (entry.type != image::kTlvKeyHash && entry.type != image::kTlvPubKey) continue;
    uint8_t named[image::kEcdsaP256SpkiSize];
    if (entry.length > sizeof(named)) return ImageRc::kHashNotFound;
    if (!image::ReadTlvValue(image, entry, named).ok()) return ImageRc::kFlashReadFailed;
    if (NamedKey(ConstByteSpan(named, entry.length), entry.type, checks) == nullptr) {
      return ImageRc::kHashNotFound;
    }
  }
}

ImageRc CheckSecurityCounter(const image::ProtectedTlvs& tlvs, const ImageChecks& checks) {
  if (checks.counter == nullptr) return ImageRc::kOk;
  Result<uint32_t> stored = checks.counter->ReadSecurityCounter();
  if (!stored.ok()) return ImageRc::kFlashReadFailed;
  const uint32_t image_counter = tlvs.has_security_counter ? tlvs.security_counter : 0;
  return image_counter >= *stored ? ImageRc::kOk : ImageRc::kImageConfirmationDenied;
}

ImageRc CheckImage(Readable& slot, image::PayloadForm form, const ImageChecks& checks,
                   ByteSpan work, CheckedImage& checked) {
  Result<image::ImageLayout> layout = image::ParseImageHeader(slot);
  if (!layout.ok()) return ImageRcForCheck(layout.status().code());
  const bool needs_image_key = layout->encrypted() && form == image::PayloadForm::kAsStored;
  if (needs_image_key && checks.decryption == nullptr) {
    checked.depth = ImageCheckDepth::kWithoutKeys;
    ImageRc rc = CheckHeaderFlags(layout->header, checks);
    if (rc != ImageRc::kOk) return rc;
    Result<image::ProtectedTlvs> tlvs = image::ReadProtectedTlvs(slot, *layout);
    if (!tlvs.ok()) return ImageRcForCheck(tlvs.status().code());
    rc = ReadHashTlv(slot, *layout, checked.hash_tlv);
    if (rc != ImageRc::kOk) return rc;
    rc = CheckStatedHashSignature(slot, *layout, checks, checked.hash_tlv);
    if (rc != ImageRc::kOk) return rc;
    return CheckSecurityCounter(*tlvs, checks);
  }
  checked.depth = ImageCheckDepth::kFull;
  image::VerifyOptions options;
  options.keys = checks.keys;
  if (checks.decryption != nullptr) options.decryption = *checks.decryption;
  options.payload_form = form;
  options.allow_unsigned = checks.allow_unsigned;
  options.allow_ram_load = checks.allow_ram_load;
  options.work_buffer = work;
  Result<image::VerifiedImage> verified = image::VerifyImage(slot, options);
  if (!verified.ok()) return ImageRcForCheck(verified.status().code());
  std::memcpy(checked.hash_tlv, verified->hash, sizeof(checked.hash_tlv));
  return CheckSecurityCounter(verified->protected_tlvs, checks);
}

}  // namespace bleota::smp
