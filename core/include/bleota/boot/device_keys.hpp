// The device's keys as provisioned in key OTP (docs/spec/boot-state.md, "Key OTP"): the public
// keys images may be signed with and the private keys that unwrap image keys. The bootloader
// copies them to RAM at boot, uses them, and wipes the copy; key OTP is locked before the jump.
#pragma once

#include <cstdint>

#include "bleota/boot/platform.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_verifier.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

inline constexpr uint32_t kKeyOtpMagic = 0x59454b42;  // "BKEY"
inline constexpr uint8_t kKeyOtpVersion = 1;
inline constexpr uint32_t kMaxSigningKeys = 4;
inline constexpr uint32_t kKeyOtpSpkiField = 92;  // 91-byte P-256 SPKI, padded to a word
inline constexpr uint32_t kKeyOtpHeaderSize = 8;
inline constexpr uint32_t kKeyOtpSigningEntrySize = 4 + kKeyOtpSpkiField;
inline constexpr uint32_t kKeyOtpSecretsSize = 32 + 32 + 32 + 4;  // ec256, x25519, kek, lengths
inline constexpr uint32_t KeyOtpSize(uint32_t signing_keys) {
  return kKeyOtpHeaderSize + signing_keys * kKeyOtpSigningEntrySize + kKeyOtpSecretsSize + 4;
}

// RAM copy of the keys. Wipe() (and the destructor) clear every byte.
struct DeviceKeys {
  uint8_t signing_count = 0;
  uint8_t spki[kMaxSigningKeys][kKeyOtpSpkiField] = {};
  image::TrustedKey trusted[kMaxSigningKeys] = {};
  uint8_t ec256_private[32] = {};
  uint8_t x25519_private[32] = {};
  uint8_t kek[32] = {};
  uint8_t ec256_size = 0, x25519_size = 0, kek_size = 0;

  DeviceKeys() = default;
  ~DeviceKeys() { Wipe(); }
  DeviceKeys(const DeviceKeys&) = delete;
  DeviceKeys& operator=(const DeviceKeys&) = delete;

  std::span<const image::TrustedKey> keys() const { return {trusted, signing_count}; }
  image::DecryptionKeys decryption() const;
  void Wipe();
};

// Encodes keys into the OTP record (host provisioning and tests). `out` must hold
// KeyOtpSize(signing_count) bytes.
Status EncodeKeyOtp(const DeviceKeys& keys, ByteSpan out);

// Reads the record at `offset` of OTP into `keys`. kDataLoss when the record is missing or
// damaged (magic, version, CRC, counts or key shapes), kPermissionDenied when key OTP is
// already locked.
Status LoadDeviceKeys(Platform& platform, uint32_t offset, DeviceKeys& keys);

}  // namespace bleota::boot
