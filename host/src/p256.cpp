#include "p256.hpp"

#include <mbedtls/ecdh.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>

#include <string>

#include "bleota/host/error.hpp"
#include "bleota/host/random.hpp"

namespace bleota::host::p256 {
namespace {

constexpr size_t kScalarBytes = 32;
constexpr size_t kPointBytes = 65;

// An mbedTLS key pair on P-256, freed (and its scalar wiped) on scope exit.
class Keypair {
 public:
  Keypair() {
    mbedtls_ecp_keypair_init(&kp_);
    Check(mbedtls_ecp_group_load(&kp_.grp, MBEDTLS_ECP_DP_SECP256R1), "loading the P-256 group");
  }
  ~Keypair() { mbedtls_ecp_keypair_free(&kp_); }
  Keypair(const Keypair&) = delete;
  Keypair& operator=(const Keypair&) = delete;

  mbedtls_ecp_keypair* get() { return &kp_; }

  void SetScalar(std::span<const uint8_t> scalar) {
    if (scalar.size() != kScalarBytes) {
      ThrowKey("P-256 private key must be 32 bytes, got " + std::to_string(scalar.size()));
    }
    Check(mbedtls_mpi_read_binary(&kp_.d, scalar.data(), scalar.size()), "reading the scalar");
    if (mbedtls_ecp_check_privkey(&kp_.grp, &kp_.d) != 0) {
      ThrowKey("P-256 private key is not in the range [1, n-1]");
    }
  }
  void ComputePublic() {
    Check(mbedtls_ecp_mul(&kp_.grp, &kp_.Q, &kp_.d, &kp_.grp.G, MbedtlsRandom, nullptr),
          "computing the public key");
  }
  std::vector<uint8_t> Point() {
    std::vector<uint8_t> out(kPointBytes);
    size_t length = 0;
    Check(mbedtls_ecp_point_write_binary(&kp_.grp, &kp_.Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &length,
                                         out.data(), out.size()),
          "writing the public point");
    if (length != kPointBytes) ThrowInternal("P-256 point has an unexpected length");
    return out;
  }
  SecretBytes Scalar() {
    SecretBytes out(kScalarBytes);
    Check(mbedtls_mpi_write_binary(&kp_.d, out.data(), out.size()), "writing the scalar");
    return out;
  }

  static void Check(int ret, const char* what) {
    if (ret != 0)
      ThrowInternal(std::string("mbedTLS failed ") + what + " (" + std::to_string(ret) + ")");
  }

 private:
  mbedtls_ecp_keypair kp_;
};

}  // namespace

std::vector<uint8_t> PublicFromScalar(std::span<const uint8_t> scalar) {
  Keypair kp;
  kp.SetScalar(scalar);
  kp.ComputePublic();
  return kp.Point();
}

KeyPair Generate() {
  Keypair kp;
  Keypair::Check(mbedtls_ecp_gen_key(MBEDTLS_ECP_DP_SECP256R1, kp.get(), MbedtlsRandom, nullptr),
                 "generating a P-256 key");
  return KeyPair{kp.Scalar(), kp.Point()};
}

std::vector<uint8_t> SignDigest(std::span<const uint8_t> scalar,
                                std::span<const uint8_t, 32> digest) {
  Keypair kp;
  kp.SetScalar(scalar);
  std::vector<uint8_t> signature(MBEDTLS_ECDSA_MAX_LEN);
  size_t length = 0;
  Keypair::Check(
      mbedtls_ecdsa_write_signature(kp.get(), MBEDTLS_MD_SHA256, digest.data(), digest.size(),
                                    signature.data(), &length, MbedtlsRandom, nullptr),
      "signing");
  signature.resize(length);
  return signature;
}

SecretBytes Ecdh(std::span<const uint8_t> scalar, std::span<const uint8_t> peer_point) {
  Keypair kp;
  kp.SetScalar(scalar);
  mbedtls_ecp_point peer;
  mbedtls_ecp_point_init(&peer);
  mbedtls_mpi shared;
  mbedtls_mpi_init(&shared);
  const bool point_ok = peer_point.size() == kPointBytes && peer_point[0] == 0x04 &&
                        mbedtls_ecp_point_read_binary(&kp.get()->grp, &peer, peer_point.data(),
                                                      peer_point.size()) == 0 &&
                        mbedtls_ecp_check_pubkey(&kp.get()->grp, &peer) == 0;
  int ret = 0;
  if (point_ok) {
    ret = mbedtls_ecdh_compute_shared(&kp.get()->grp, &shared, &peer, &kp.get()->d, MbedtlsRandom,
                                      nullptr);
  }
  SecretBytes out(kScalarBytes);
  if (point_ok && ret == 0) ret = mbedtls_mpi_write_binary(&shared, out.data(), out.size());
  mbedtls_mpi_free(&shared);
  mbedtls_ecp_point_free(&peer);
  if (!point_ok) ThrowKey("P-256 public key is not a valid uncompressed curve point");
  Keypair::Check(ret, "computing the ECDH shared secret");
  return out;
}

}  // namespace bleota::host::p256
