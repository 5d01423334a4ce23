#include "bleota/boot/device_keys.hpp"

#include <cstring>

#include "bleota/crc32.hpp"
#include "bleota/crypto/crypto.hpp"

namespace bleota::boot {
namespace {

// Layout: header {magic u32, version u8, signing_count u8, 0 u16}; signing entries
// {algorithm u8, spki_len u8, 0 u16, spki[92]}; secrets {ec256[32], x25519[32], kek[32],
// ec256_size u8, x25519_size u8, kek_size u8, 0 u8}; crc32 over everything before it.
uint32_t SecretsOffset(uint32_t count) {
  return kKeyOtpHeaderSize + count * kKeyOtpSigningEntrySize;
}

}  // namespace

image::DecryptionKeys DeviceKeys::decryption() const {
  image::DecryptionKeys d;
  d.ec256_private = ConstByteSpan(ec256_private, ec256_size);
  d.x25519_private = ConstByteSpan(x25519_private, x25519_size);
  d.kek = ConstByteSpan(kek, kek_size);
  return d;
}

void DeviceKeys::Wipe() {
  crypto::SecureZero(ByteSpan(&spki[0][0], sizeof(spki)));
  crypto::SecureZero(ec256_private);
  crypto::SecureZero(x25519_private);
  crypto::SecureZero(kek);
  for (image::TrustedKey& key : trusted) key = image::TrustedKey();
  signing_count = ec256_size = x25519_size = kek_size = 0;
}

Status EncodeKeyOtp(const DeviceKeys& keys, ByteSpan out) {
  const uint32_t count = keys.signing_count;
  if (count > kMaxSigningKeys || out.size() < KeyOtpSize(count))
    return StatusCode::kInvalidArgument;
  std::memset(out.data(), 0, KeyOtpSize(count));
  StoreLe32(&out[0], kKeyOtpMagic);
  out[4] = kKeyOtpVersion;
  out[5] = static_cast<uint8_t>(count);
  for (uint32_t i = 0; i < count; ++i) {
    const image::TrustedKey& key = keys.trusted[i];
    BLEOTA_TRY(image::ValidateTrustedKey(key));
    uint8_t* entry = &out[kKeyOtpHeaderSize + i * kKeyOtpSigningEntrySize];
    entry[0] = static_cast<uint8_t>(key.algorithm);
    entry[1] = static_cast<uint8_t>(key.spki_der.size());
    std::memcpy(entry + 4, key.spki_der.data(), key.spki_der.size());
  }
  uint8_t* secrets = &out[SecretsOffset(count)];
  if (keys.ec256_size > 32 || keys.x25519_size > 32 || keys.kek_size > 32) {
    return StatusCode::kInvalidArgument;
  }
  std::memcpy(secrets, keys.ec256_private, 32);
  std::memcpy(secrets + 32, keys.x25519_private, 32);
  std::memcpy(secrets + 64, keys.kek, 32);
  secrets[96] = keys.ec256_size;
  secrets[97] = keys.x25519_size;
  secrets[98] = keys.kek_size;
  const uint32_t crc_at = KeyOtpSize(count) - 4;
  StoreLe32(&out[crc_at], Crc32(ConstByteSpan(out.data(), crc_at)));
  return Status::Ok();
}

Status LoadDeviceKeys(Platform& platform, uint32_t offset, DeviceKeys& keys) {
  keys.Wipe();
  uint8_t header[kKeyOtpHeaderSize];
  BLEOTA_TRY(platform.ReadOtp(offset, header));
  const uint32_t count = header[5];
  if (LoadLe32(header) != kKeyOtpMagic || header[4] != kKeyOtpVersion || count == 0 ||
      count > kMaxSigningKeys) {
    return StatusCode::kDataLoss;
  }
  // CRC over the whole record, read in small pieces.
  uint32_t crc = Crc32(header);
  const uint32_t crc_at = KeyOtpSize(count) - 4;
  uint8_t chunk[32];
  for (uint32_t at = kKeyOtpHeaderSize; at < crc_at;) {
    const uint32_t n = crc_at - at < sizeof(chunk) ? crc_at - at : sizeof(chunk);
    BLEOTA_TRY(platform.ReadOtp(offset + at, ByteSpan(chunk, n)));
    crc = Crc32(ConstByteSpan(chunk, n), crc);
    at += n;
  }
  crypto::SecureZero(chunk);
  uint8_t stored[4];
  BLEOTA_TRY(platform.ReadOtp(offset + crc_at, stored));
  if (LoadLe32(stored) != crc) return StatusCode::kDataLoss;

  for (uint32_t i = 0; i < count; ++i) {
    uint8_t entry_header[4];
    const uint32_t entry = offset + kKeyOtpHeaderSize + i * kKeyOtpSigningEntrySize;
    BLEOTA_TRY(platform.ReadOtp(entry, entry_header));
    if (entry_header[0] > static_cast<uint8_t>(image::KeyAlgorithm::kEd25519) ||
        entry_header[1] > kKeyOtpSpkiField) {
      keys.Wipe();
      return StatusCode::kDataLoss;
    }
    BLEOTA_TRY(platform.ReadOtp(entry + 4, keys.spki[i]));
    keys.trusted[i].algorithm = static_cast<image::KeyAlgorithm>(entry_header[0]);
    keys.trusted[i].spki_der = ConstByteSpan(keys.spki[i], entry_header[1]);
    if (!image::ValidateTrustedKey(keys.trusted[i]).ok()) {
      keys.Wipe();
      return StatusCode::kDataLoss;
    }
  }
  keys.signing_count = static_cast<uint8_t>(count);
  const uint32_t secrets = offset + SecretsOffset(count);
  uint8_t sizes[4];
  BLEOTA_TRY(platform.ReadOtp(secrets + 96, sizes));
  if ((sizes[0] != 0 && sizes[0] != 32) || (sizes[1] != 0 && sizes[1] != 32) ||
      (sizes[2] != 0 && sizes[2] != 16 && sizes[2] != 32)) {
    keys.Wipe();
    return StatusCode::kDataLoss;
  }
  BLEOTA_TRY(platform.ReadOtp(secrets, keys.ec256_private));
  BLEOTA_TRY(platform.ReadOtp(secrets + 32, keys.x25519_private));
  BLEOTA_TRY(platform.ReadOtp(secrets + 64, keys.kek));
  keys.ec256_size = sizes[0];
  keys.x25519_size = sizes[1];
  keys.kek_size = sizes[2];
  return Status::Ok();
}

}  // namespace bleota::boot
