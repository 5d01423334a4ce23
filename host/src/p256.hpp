// P-256 operations of the host tools on top of mbedTLS (internal to bleota_host).
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include "bleota/host/secret_bytes.hpp"

namespace bleota::host::p256 {

// d*G as an uncompressed point. Throws HostError(kKey) when d is not in [1, n-1].
std::vector<uint8_t> PublicFromScalar(std::span<const uint8_t> scalar);

struct KeyPair {
  SecretBytes scalar;          // 32 bytes, big-endian
  std::vector<uint8_t> point;  // 65 bytes, uncompressed
};
KeyPair Generate();

// DER ECDSA signature (70..72 bytes) of a SHA-256 digest.
std::vector<uint8_t> SignDigest(std::span<const uint8_t> scalar,
                                std::span<const uint8_t, 32> digest);

// ECDH: the 32-byte X coordinate of scalar*peer. Throws HostError(kKey) for an invalid point.
SecretBytes Ecdh(std::span<const uint8_t> scalar, std::span<const uint8_t> peer_point);

}  // namespace bleota::host::p256
