// Signing an image hash the way imgtool 2.4 does: ECDSA P-256 -> DER signature (TLV ECDSASIG)
// over the SHA-256 digest; Ed25519 -> 64-byte pure Ed25519 signature (TLV ED25519) of the
// 32-byte digest itself.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "bleota/host/keys.hpp"

namespace bleota::host {

// The unprotected TLV type that holds a signature by a key of `type`. Throws HostError(kKey) for
// X25519 (an encryption-only key).
uint16_t SignatureTlvType(KeyType type);

// ECDSA: 70..72-byte DER, nonce per RFC 6979 (mbedTLS's deterministic ECDSA; imgtool's nonces are
// random, so its signature bytes differ). Ed25519: 64 bytes, deterministic as in imgtool.
std::vector<uint8_t> SignImageDigest(const PrivateKey& key, std::span<const uint8_t, 32> digest);

}  // namespace bleota::host
