#include "bleota/image/image_decryptor.hpp"

#include <new>

#include "bleota/image/tlv.hpp"

namespace bleota::image {

namespace {

constexpr char kEciesInfo[] = "MCUBoot_ECIES_v1";

// RFC 7748 ignores the top bit of a u-coordinate and reduces values >= p = 2^255 - 19, so several
// encodings give the same key. Only the canonical one (what imgtool writes) is accepted: a
// changed ENC TLV byte must never go unnoticed.
bool IsCanonicalX25519(ConstByteSpan u) {
  if ((u[31] & 0x80) != 0) return false;
  if (u[31] != 0x7f) return true;
  for (size_t i = 30; i >= 1; --i) {
    if (u[i] != 0xff) return true;
  }
  return u[0] < 0xed;
}

// ECIES (ENC_EC256 / ENC_X25519): ephemeral public key || HMAC tag || encrypted image key.
Status UnwrapEcies(uint16_t tlv_type, ConstByteSpan value, uint8_t key_size,
                   const DecryptionKeys& keys, ImageKey& key, ImageFault* fault) {
  const bool p256 = tlv_type == kTlvEncEc256;
  const size_t point_size = p256 ? crypto::kP256PointSize : crypto::kX25519KeySize;
  const size_t expected_size = point_size + kEciesTagSize + key_size;
  if (value.size() != expected_size) {
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_tlv_len",
                       static_cast<uint32_t>(value.size()), static_cast<uint32_t>(expected_size));
  }
  const ConstByteSpan private_key = p256 ? keys.ec256_private : keys.x25519_private;
  const char* private_name = p256 ? "ec256_private_key" : "x25519_private_key";
  if (private_key.size() != 32) {
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, private_name,
                       static_cast<uint32_t>(private_key.size()), 32);
  }
  const ConstByteSpan ephemeral = value.first(point_size);
  const ConstByteSpan tag = value.subspan(point_size, kEciesTagSize);
  const ConstByteSpan encrypted_key = value.subspan(point_size + kEciesTagSize, key_size);

  if (!p256 && !IsCanonicalX25519(ephemeral)) {
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_ephemeral_key", 0, 0);
  }

  uint8_t shared[32];
  Status status =
      p256 ? crypto::EcdhP256(private_key.first<crypto::kP256PrivateKeySize>(), ephemeral, shared)
           : crypto::X25519(private_key.first<crypto::kX25519KeySize>(),
                            ephemeral.first<crypto::kX25519KeySize>(), shared);
  // derived = AES key (key_size) || HMAC key (32).
  uint8_t derived[kMaxImageKeySize + 32];
  const ByteSpan derived_used(derived, key_size + 32u);
  if (status.ok()) {
    const ConstByteSpan info(reinterpret_cast<const uint8_t*>(kEciesInfo), sizeof(kEciesInfo) - 1);
    status = crypto::HkdfSha256({}, shared, info, derived_used);
  }
  crypto::SecureZero(shared);
  if (!status.ok()) {
    crypto::SecureZero(derived);
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_ecdh", 0, 0);
  }

  // The tag authenticates the encrypted key; nothing is decrypted before it matches.
  uint8_t mac[crypto::kSha256Size];
  status = crypto::HmacSha256(derived_used.subspan(key_size), encrypted_key, mac);
  if (!status.ok() || !crypto::ConstantTimeEqual(mac, tag)) {
    crypto::SecureZero(derived);
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_tag", 0, 0);
  }
  {
    crypto::AesCtr ctr;
    status = ctr.SetKey(derived_used.first(key_size));
    if (status.ok()) status = ctr.Crypt(0, encrypted_key, ByteSpan(key.bytes, key_size));
  }
  crypto::SecureZero(derived);
  if (!status.ok()) {
    key.Clear();
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_key_decrypt", 0, 0);
  }
  key.size = key_size;
  return Status::Ok();
}

Status UnwrapAesKw(ConstByteSpan value, uint8_t key_size, const DecryptionKeys& keys, ImageKey& key,
                   ImageFault* fault) {
  const size_t expected_size = key_size + kAesKwOverhead;
  if (value.size() != expected_size) {
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_tlv_len",
                       static_cast<uint32_t>(value.size()), static_cast<uint32_t>(expected_size));
  }
  if (keys.kek.size() != 16 && keys.kek.size() != 32) {
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "kek",
                       static_cast<uint32_t>(keys.kek.size()), 16);
  }
  const Status status = crypto::AesKeyUnwrap(keys.kek, value, ByteSpan(key.bytes, key_size));
  if (!status.ok()) {
    key.Clear();
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_kw", 0, 0);
  }
  key.size = key_size;
  return Status::Ok();
}

}  // namespace

ImageKey::~ImageKey() { Clear(); }

void ImageKey::Clear() {
  crypto::SecureZero(bytes);
  size = 0;
}

bool IsSupportedEncTlv(uint16_t tlv_type) {
  return tlv_type == kTlvEncKw || tlv_type == kTlvEncEc256 || tlv_type == kTlvEncX25519;
}

Status UnwrapImageKey(uint16_t tlv_type, ConstByteSpan tlv_value, uint8_t key_size,
                      const DecryptionKeys& keys, ImageKey& key, ImageFault* fault) {
  key.Clear();
  if (key_size != 16 && key_size != 32) {
    return ReportFault(fault, StatusCode::kImageUnsupported, "enc_key_size", key_size, 32);
  }
  switch (tlv_type) {
    case kTlvEncKw:
      return UnwrapAesKw(tlv_value, key_size, keys, key, fault);
    case kTlvEncEc256:
    case kTlvEncX25519:
      return UnwrapEcies(tlv_type, tlv_value, key_size, keys, key, fault);
    default:
      return ReportFault(fault, StatusCode::kImageUnsupported, "enc_tlv_type", tlv_type, 0);
  }
}

Status UnwrapImageKey(Readable& image, const ImageLayout& layout, const DecryptionKeys& keys,
                      ImageKey& key, ImageFault* fault) {
  key.Clear();
  const uint8_t key_size = EncryptionKeySize(layout.header.flags);
  if (key_size == 0 || key_size == kInvalidKeySize) {
    return ReportFault(fault, StatusCode::kImageUnsupported, "flags", layout.header.flags,
                       kFlagsEncrypted);
  }
  TlvIterator it(image, layout, TlvArea::kUnprotected);
  TlvEntry entry;
  TlvEntry enc;
  uint32_t enc_count = 0;
  uint16_t unsupported_type = 0;
  while (true) {
    BLEOTA_ASSIGN_OR_RETURN(const bool more, it.Next(entry, fault));
    if (!more) break;
    if (IsSupportedEncTlv(entry.type)) {
      enc = entry;
      ++enc_count;
    } else if (entry.type == kTlvEncRsa2048 || entry.type == kTlvEncX25519Sha512) {
      unsupported_type = entry.type;
    }
  }
  if (enc_count > 1) {
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_tlv_count", enc_count, 1);
  }
  if (enc_count == 0) {
    if (unsupported_type != 0) {
      return ReportFault(fault, StatusCode::kImageUnsupported, "enc_tlv_type", unsupported_type, 0);
    }
    return ReportFault(fault, StatusCode::kImageMissingTlv, "enc_tlv", 0, 1);
  }
  if (enc.length > kMaxEncTlvSize) {
    return ReportFault(fault, StatusCode::kImageEncKeyUnwrap, "enc_tlv_len", enc.length,
                       kMaxEncTlvSize);
  }
  uint8_t value[kMaxEncTlvSize];
  BLEOTA_TRY(ReadTlvValue(image, enc, value));
  return UnwrapImageKey(enc.type, ConstByteSpan(value, enc.length), key_size, keys, key, fault);
}

Status ImageDecryptor::Open(const ImageKey& key, uint32_t payload_size) {
  Close();
  if (key.size != 16 && key.size != 32) return StatusCode::kInvalidArgument;
  const Status status = aes_.SetKey(key.span());
  if (!status.ok()) {
    Close();
    return status;
  }
  payload_size_ = payload_size;
  open_ = true;
  return Status::Ok();
}

Status ImageDecryptor::Open(Readable& image, const ImageLayout& layout, const DecryptionKeys& keys,
                            ImageFault* fault) {
  Close();
  ImageKey key;  // wiped by its destructor
  BLEOTA_TRY(UnwrapImageKey(image, layout, keys, key, fault));
  return Open(key, layout.payload_size);
}

Status ImageDecryptor::Crypt(uint32_t payload_offset, ByteSpan data) {
  if (!open_) return StatusCode::kFailedPrecondition;
  if (data.size() > payload_size_ ||
      !RangeWithin(payload_offset, static_cast<uint32_t>(data.size()), payload_size_)) {
    return StatusCode::kOutOfRange;
  }
  return aes_.Crypt(payload_offset, data, data);
}

void ImageDecryptor::Close() {
  // AesCtr has no reset; destroying it wipes the key schedule, and a fresh one takes its place.
  aes_.~AesCtr();
  ::new (static_cast<void*>(&aes_)) crypto::AesCtr();
  payload_size_ = 0;
  open_ = false;
}

}  // namespace bleota::image
