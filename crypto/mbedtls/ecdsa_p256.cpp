// ECDSA P-256 signature verification on mbedTLS. Accepts the public key as SubjectPublicKeyInfo
// DER (what imgtool embeds) or as the raw uncompressed point.
#include <mbedtls/asn1.h>
#include <mbedtls/bignum.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/ecp.h>
#include <mbedtls/oid.h>

#include <cstring>

#include "backend.hpp"
#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {
namespace {

// SEQUENCE { r INTEGER, s INTEGER } with two 33-byte integers.
constexpr size_t kMaxDerSignatureSize = 72;

bool OidEquals(const mbedtls_asn1_buf& oid, const char* expected, size_t expected_size) {
  return oid.tag == MBEDTLS_ASN1_OID && oid.len == expected_size &&
         std::memcmp(oid.p, expected, expected_size) == 0;
}

// SubjectPublicKeyInfo ::= SEQUENCE { algorithm AlgorithmIdentifier, subjectPublicKey BIT STRING }
// with algorithm id-ecPublicKey and parameters prime256v1. Returns the point inside the BIT STRING.
Status PointFromSpki(ConstByteSpan spki, ConstByteSpan& point) {
  auto* p = const_cast<unsigned char*>(spki.data());
  const unsigned char* const end = p + spki.size();
  size_t len = 0;
  if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED | MBEDTLS_ASN1_SEQUENCE) != 0 ||
      p + len != end) {
    return StatusCode::kCryptoError;
  }
  mbedtls_asn1_buf alg{};
  mbedtls_asn1_buf params{};
  if (mbedtls_asn1_get_alg(&p, end, &alg, &params) != 0) return StatusCode::kCryptoError;
  alg.tag = MBEDTLS_ASN1_OID;
  if (!OidEquals(alg, MBEDTLS_OID_EC_ALG_UNRESTRICTED,
                 MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_ALG_UNRESTRICTED)) ||
      !OidEquals(params, MBEDTLS_OID_EC_GRP_SECP256R1,
                 MBEDTLS_OID_SIZE(MBEDTLS_OID_EC_GRP_SECP256R1))) {
    return StatusCode::kCryptoError;
  }
  if (mbedtls_asn1_get_bitstring_null(&p, end, &len) != 0 || p + len != end ||
      len != kP256PointSize) {
    return StatusCode::kCryptoError;
  }
  point = ConstByteSpan(p, len);
  return Status::Ok();
}

bool IsAllocationFailure(int ret) {
  return ret == MBEDTLS_ERR_MPI_ALLOC_FAILED || ret == MBEDTLS_ERR_ECP_ALLOC_FAILED;
}

}  // namespace

Status EcdsaP256VerifyDigest(ConstByteSpan public_key, ConstDigest digest,
                             ConstByteSpan der_signature) {
  ConstByteSpan point;
  if (public_key.size() == kP256PointSize) {
    point = public_key;
  } else {
    BLEOTA_TRY(PointFromSpki(public_key, point));
  }
  if (point[0] != 0x04) return StatusCode::kCryptoError;  // only uncompressed points
  if (der_signature.empty() || der_signature.size() > kMaxDerSignatureSize) {
    return StatusCode::kImageSignature;
  }
  backend::PrepareAllocator();

  mbedtls_ecdsa_context ctx;
  mbedtls_ecdsa_init(&ctx);
  Status status = Status::Ok();
  if (mbedtls_ecp_group_load(&ctx.grp, MBEDTLS_ECP_DP_SECP256R1) != 0 ||
      mbedtls_ecp_point_read_binary(&ctx.grp, &ctx.Q, point.data(), point.size()) != 0 ||
      mbedtls_ecp_check_pubkey(&ctx.grp, &ctx.Q) != 0) {
    status = StatusCode::kCryptoError;
  } else {
    const int ret = mbedtls_ecdsa_read_signature(&ctx, digest.data(), digest.size(),
                                                 der_signature.data(), der_signature.size());
    if (IsAllocationFailure(ret)) {
      status = StatusCode::kCryptoError;
    } else if (ret != 0) {
      // Mismatch, malformed DER or trailing bytes: the signature does not verify.
      status = StatusCode::kImageSignature;
    }
  }
  mbedtls_ecdsa_free(&ctx);
  return status;
}

}  // namespace bleota::crypto
