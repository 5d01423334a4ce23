// Factory provisioning of a simulated device: the key OTP record from the key files the
// `bleota image` tools write, and the factory images.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <vector>

namespace bleota::sim {

struct KeyFiles {
  // Public (or private) keys images may be signed with: ECDSA P-256 or Ed25519, 1..4 of them.
  std::vector<std::filesystem::path> signing_keys;
  // The device's private key for encrypted images: P-256 (ENC_EC256) or X25519 (ENC_X25519).
  std::optional<std::filesystem::path> encryption_key;
  // An AES-KW key-encryption key (ENC_KW), 16 or 32 bytes raw or base64.
  std::optional<std::filesystem::path> kek;
};

// The key OTP record (docs/spec/boot-state.md, "Key OTP") for these keys. Throws
// host::HostError(kKey) for a key of the wrong type, kUsage for a wrong number of signing keys.
std::vector<uint8_t> KeyOtpRecordFromFiles(const KeyFiles& files);

}  // namespace bleota::sim
