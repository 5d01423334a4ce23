// DER encodings of keys, as imgtool/OpenSSL write them:
//   public keys:  SubjectPublicKeyInfo (RFC 5480 for P-256, RFC 8410 for Ed25519/X25519);
//   private keys: PKCS#8 (RFC 5208/5958), and SEC1 ECPrivateKey (RFC 5915) on input for P-256.
// The Curve25519 layouts are fixed size and parsed byte for byte with bounds checks.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "bleota/host/keys.hpp"

namespace bleota::host {

// What imgtool puts in the PUBKEY TLV and hashes for KEYHASH: 91 bytes (P-256) or 44 bytes.
std::vector<uint8_t> SpkiDer(const PublicKey& key);

// Parses a SubjectPublicKeyInfo. `source` names the input in errors. Throws HostError(kKey).
PublicKey ParseSpkiDer(std::span<const uint8_t> der, std::string_view source);

// PKCS#8 PrivateKeyInfo in OpenSSL's layout (P-256: ECPrivateKey with the public key and without
// the curve parameters inside, the curve in the AlgorithmIdentifier).
SecretBytes Pkcs8Der(const PrivateKey& key);

// Parses PKCS#8 (P-256, Ed25519, X25519; version 0, or version 1 with the public key) or SEC1
// ECPrivateKey (P-256). Checks an embedded public key matches the private key.
// Throws HostError(kKey).
PrivateKey ParsePrivateKeyDer(std::span<const uint8_t> der, std::string_view source);

}  // namespace bleota::host
