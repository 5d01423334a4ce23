// Protecting an encrypted image's AES key for the device, as the ENC TLV value:
//   ENC_EC256 / ENC_X25519 (ECIES, as imgtool 2.4): ephemeral public key || HMAC tag || AES-CTR
//     encrypted key, with HKDF-SHA256(ECDH secret, salt 0, "MCUBoot_ECIES_v1") giving the key
//     that encrypts the image key (first keylen bytes) and the 32-byte HMAC key (last 32);
//   ENC_KW: RFC 3394 AES key wrap under a pre-shared KEK (as newt).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bleota/host/keys.hpp"

namespace bleota::host {

struct EncTlv {
  uint16_t type = 0;
  std::vector<uint8_t> value;
};

// `recipient` is the device's P-256 (ENC_EC256) or X25519 (ENC_X25519) public key; image_key is
// 16 or 32 bytes. A fresh ephemeral key is generated per call. Throws HostError(kKey) for an
// Ed25519 recipient.
EncTlv EncryptImageKeyEcies(const PublicKey& recipient, std::span<const uint8_t> image_key);

// ENC_KW: `kek` and `image_key` are 16 or 32 bytes each; the value is image_key.size() + 8 bytes.
EncTlv WrapImageKeyKw(std::span<const uint8_t> kek, std::span<const uint8_t> image_key);

}  // namespace bleota::host
