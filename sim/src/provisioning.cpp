#include "bleota/simdev/provisioning.hpp"

#include <algorithm>
#include <string>

#include "bleota/boot/device_keys.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/key_der.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/keys.hpp"

namespace bleota::sim {

std::vector<uint8_t> KeyOtpRecordFromFiles(const KeyFiles& files) {
  if (files.signing_keys.empty() || files.signing_keys.size() > boot::kMaxSigningKeys) {
    host::ThrowUsage("a device needs 1 to " + std::to_string(boot::kMaxSigningKeys) +
                     " signing keys, got " + std::to_string(files.signing_keys.size()));
  }
  boot::DeviceKeys keys;
  // The DER of each key must outlive EncodeKeyOtp (TrustedKey holds a span).
  std::vector<std::vector<uint8_t>> spkis;
  spkis.reserve(files.signing_keys.size());
  for (const std::filesystem::path& path : files.signing_keys) {
    const host::PublicKey key = host::LoadPublicKeyFile(path);
    image::KeyAlgorithm algorithm;
    if (key.type == host::KeyType::kEcdsaP256) {
      algorithm = image::KeyAlgorithm::kEcdsaP256;
    } else if (key.type == host::KeyType::kEd25519) {
      algorithm = image::KeyAlgorithm::kEd25519;
    } else {
      host::ThrowKey(path.string() + ": an X25519 key cannot verify signatures");
    }
    spkis.push_back(host::SpkiDer(key));
    keys.trusted[keys.signing_count] = {algorithm, spkis.back()};
    ++keys.signing_count;
  }
  if (files.encryption_key) {
    const host::PrivateKey key = host::LoadPrivateKeyFile(*files.encryption_key);
    const std::span<const uint8_t> secret = key.secret.span();
    if (secret.size() != 32) host::ThrowKey(files.encryption_key->string() + ": bad key size");
    if (key.type == host::KeyType::kEcdsaP256) {
      std::copy(secret.begin(), secret.end(), keys.ec256_private);
      keys.ec256_size = 32;
    } else if (key.type == host::KeyType::kX25519) {
      std::copy(secret.begin(), secret.end(), keys.x25519_private);
      keys.x25519_size = 32;
    } else {
      host::ThrowKey(files.encryption_key->string() +
                     ": an encryption key must be ecdsa-p256 (ENC_EC256) or x25519 (ENC_X25519)");
    }
  }
  if (files.kek) {
    const host::SecretBytes kek = host::LoadKekFile(*files.kek);
    std::copy(kek.span().begin(), kek.span().end(), keys.kek);
    keys.kek_size = static_cast<uint8_t>(kek.size());
  }
  std::vector<uint8_t> record(boot::KeyOtpSize(keys.signing_count));
  const Status encoded = boot::EncodeKeyOtp(keys, record);
  if (!encoded.ok()) {
    host::ThrowKey(std::string("cannot encode the key OTP record: ") + encoded.name());
  }
  return record;
}

}  // namespace bleota::sim
