// `bleota image verify` and `bleota image decrypt` on the host, through the device's verifier
// and decryptor (bleota_core), so the host accepts exactly what a device accepts.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bleota/host/keys.hpp"
#include "bleota/host/secret_bytes.hpp"
#include "bleota/image/image_verifier.hpp"
#include "bleota/status.hpp"

namespace bleota::host {

// Keys that decrypt ENC TLVs: a P-256 private key (ENC_EC256), an X25519 private key
// (ENC_X25519) and/or an AES-KW KEK (ENC_KW).
struct DecryptionKeySet {
  std::vector<PrivateKey> private_keys;
  std::optional<SecretBytes> kek;
};

struct VerifyRequest {
  std::vector<PublicKey> trusted_keys;  // ecdsa-p256 or ed25519
  DecryptionKeySet decryption;
  bool payload_decrypted = false;  // ENCRYPTED image whose payload already holds the plaintext
  bool allow_unsigned = false;     // accept an image with a SHA256 TLV and no signature
  bool allow_ram_load = false;
};

struct VerifyReport {
  Status status;               // ok, or the first failed check (StatusCodeName = check id)
  image::ImageFault fault;     // where it failed, when the device code says
  image::VerifiedImage image;  // valid when status.ok()

  bool ok() const { return status.ok(); }
  std::string check_id() const { return status.name(); }
  // "OK" or "<check id>: <meaning> (<field> <value>, limit <limit>)".
  std::string Describe() const;
};

// Never throws for image problems (they are the report's status); throws HostError(kKey) for
// keys of the wrong type.
VerifyReport VerifyImageBytes(std::span<const uint8_t> file, const VerifyRequest& request);

// Decrypts the payload of an encrypted image and returns the whole file with the plaintext
// payload (header, TLVs and any trailer unchanged): what MCUboot leaves in the primary slot.
// Checks the result against the SHA256 TLV. Throws HostError: kImage for a malformed or
// unencrypted image, kVerifyFailed when the key cannot be unwrapped or the hash does not match,
// kKey for keys of the wrong type.
std::vector<uint8_t> DecryptImageBytes(std::span<const uint8_t> file, const DecryptionKeySet& keys);

}  // namespace bleota::host
