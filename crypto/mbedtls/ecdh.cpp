// Key agreement for image encryption: ECDH on P-256 (ENC_EC256) and X25519 (ENC_X25519), both on
// mbedTLS's ECP module. With no RNG passed, mbedTLS blinds the scalar multiplication with a DRBG
// seeded from the private key.
#include <mbedtls/bignum.h>
#include <mbedtls/ecdh.h>
#include <mbedtls/ecp.h>

#include "backend.hpp"
#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {
namespace {

// Owns the mbedTLS objects of one key agreement and frees them on every path.
struct Agreement {
  Agreement() {
    mbedtls_ecp_group_init(&group);
    mbedtls_ecp_point_init(&peer);
    mbedtls_mpi_init(&scalar);
    mbedtls_mpi_init(&shared);
  }
  ~Agreement() {
    mbedtls_mpi_free(&shared);
    mbedtls_mpi_free(&scalar);
    mbedtls_ecp_point_free(&peer);
    mbedtls_ecp_group_free(&group);
  }
  Agreement(const Agreement&) = delete;
  Agreement& operator=(const Agreement&) = delete;

  mbedtls_ecp_group group;
  mbedtls_ecp_point peer;
  mbedtls_mpi scalar;
  mbedtls_mpi shared;
};

}  // namespace

Status EcdhP256(std::span<const uint8_t, kP256PrivateKeySize> private_key, ConstByteSpan peer_point,
                std::span<uint8_t, 32> shared) {
  if (peer_point.size() != kP256PointSize || peer_point[0] != 0x04) {
    return StatusCode::kInvalidArgument;
  }
  backend::PrepareAllocator();
  Agreement a;
  if (mbedtls_ecp_group_load(&a.group, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
      mbedtls_mpi_read_binary(&a.scalar, private_key.data(), private_key.size()) != 0 ||
      mbedtls_ecp_check_privkey(&a.group, &a.scalar) != 0 ||
      mbedtls_ecp_point_read_binary(&a.group, &a.peer, peer_point.data(), peer_point.size()) != 0 ||
      mbedtls_ecp_check_pubkey(&a.group, &a.peer) != 0 ||
      mbedtls_ecdh_compute_shared(&a.group, &a.shared, &a.peer, &a.scalar, nullptr, nullptr) != 0 ||
      mbedtls_mpi_write_binary(&a.shared, shared.data(), shared.size()) != 0) {
    SecureZero(shared);
    return StatusCode::kCryptoError;
  }
  return Status::Ok();
}

Status X25519(std::span<const uint8_t, kX25519KeySize> private_key,
              std::span<const uint8_t, kX25519KeySize> peer_public, std::span<uint8_t, 32> shared) {
  // RFC 7748 section 5: clamp the scalar (mbedTLS only accepts clamped ones).
  uint8_t clamped[kX25519KeySize];
  for (size_t i = 0; i < kX25519KeySize; ++i) clamped[i] = private_key[i];
  clamped[0] &= 248;
  clamped[31] &= 127;
  clamped[31] |= 64;

  backend::PrepareAllocator();
  Status status = Status::Ok();
  {
    Agreement a;
    // Little-endian encodings; mbedTLS masks the top bit of the u-coordinate as RFC 7748 asks,
    // and rejects low-order peer points (an all-zero shared secret).
    if (mbedtls_ecp_group_load(&a.group, MBEDTLS_ECP_DP_CURVE25519) != 0 ||
        mbedtls_mpi_read_binary_le(&a.scalar, clamped, sizeof(clamped)) != 0 ||
        mbedtls_ecp_point_read_binary(&a.group, &a.peer, peer_public.data(), peer_public.size()) !=
            0 ||
        mbedtls_ecdh_compute_shared(&a.group, &a.shared, &a.peer, &a.scalar, nullptr, nullptr) !=
            0 ||
        mbedtls_mpi_write_binary_le(&a.shared, shared.data(), shared.size()) != 0) {
      SecureZero(shared);
      status = StatusCode::kCryptoError;
    }
  }
  SecureZero(clamped);
  return status;
}

}  // namespace bleota::crypto
