#include "bleota/host/key_der.hpp"

#include <mbedtls/ecp.h>
#include <mbedtls/error.h>
#include <mbedtls/pk.h>

#include <algorithm>
#include <array>
#include <string>

#include "bleota/host/error.hpp"
#include "p256.hpp"

namespace bleota::host {
namespace {

using Bytes = std::vector<uint8_t>;

// SubjectPublicKeyInfo prefixes: SEQUENCE { AlgorithmIdentifier, BIT STRING (0 unused bits) }.
// id-ecPublicKey (1.2.840.10045.2.1) with prime256v1 (1.2.840.10045.3.1.7), RFC 5480.
constexpr std::array<uint8_t, 26> kP256SpkiPrefix = {
    0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01,
    0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00};
// id-Ed25519 (1.3.101.112) and id-X25519 (1.3.101.110), RFC 8410; the OID's last byte differs.
constexpr std::array<uint8_t, 12> kEd25519SpkiPrefix = {0x30, 0x2a, 0x30, 0x05, 0x06, 0x03,
                                                        0x2b, 0x65, 0x70, 0x03, 0x21, 0x00};
constexpr uint8_t kOidLastEd25519 = 0x70;
constexpr uint8_t kOidLastX25519 = 0x6e;
// Where the OID's last byte sits in the SubjectPublicKeyInfo and PKCS#8 layouts.
constexpr size_t kSpkiOidLastOffset = 8;
constexpr size_t kPkcs8OidLastOffset = 11;

// PKCS#8 version 0: SEQUENCE { INTEGER 0, AlgorithmIdentifier, OCTET STRING { OCTET STRING k } }.
constexpr std::array<uint8_t, 16> kEd25519Pkcs8V0Prefix = {
    0x30, 0x2e, 0x02, 0x01, 0x00, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
// PKCS#8 version 1 (RFC 5958 OneAsymmetricKey) adds [1] IMPLICIT BIT STRING publicKey.
constexpr std::array<uint8_t, 16> kEd25519Pkcs8V1Prefix = {
    0x30, 0x51, 0x02, 0x01, 0x01, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x04, 0x22, 0x04, 0x20};
constexpr std::array<uint8_t, 3> kPkcs8V1PublicKeyTag = {0x81, 0x21, 0x00};
constexpr size_t kCurve25519Pkcs8V0Bytes = kEd25519Pkcs8V0Prefix.size() + 32;
constexpr size_t kCurve25519Pkcs8V1Bytes =
    kEd25519Pkcs8V1Prefix.size() + 32 + kPkcs8V1PublicKeyTag.size() + 32;

// OpenSSL's PKCS#8 for P-256: PrivateKeyInfo { 0, {id-ecPublicKey, prime256v1},
// OCTET STRING { ECPrivateKey { 1, OCTET STRING d, [1] { BIT STRING Q } } } }.
constexpr std::array<uint8_t, 36> kP256Pkcs8Prefix = {
    0x30, 0x81, 0x87, 0x02, 0x01, 0x00, 0x30, 0x13, 0x06, 0x07, 0x2a, 0x86,
    0x48, 0xce, 0x3d, 0x02, 0x01, 0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d,
    0x03, 0x01, 0x07, 0x04, 0x6d, 0x30, 0x6b, 0x02, 0x01, 0x01, 0x04, 0x20};
constexpr std::array<uint8_t, 5> kP256Pkcs8PublicKeyTag = {0xa1, 0x44, 0x03, 0x42, 0x00};

// `der` starts with `prefix`, except for the OID's last byte at `oid_offset`, which is oid_last.
template <size_t N>
bool HasCurve25519Prefix(std::span<const uint8_t> der, const std::array<uint8_t, N>& prefix,
                         size_t oid_offset, uint8_t oid_last) {
  if (der.size() < N) return false;
  for (size_t i = 0; i < N; ++i) {
    const uint8_t expected = i == oid_offset ? oid_last : prefix[i];
    if (der[i] != expected) return false;
  }
  return true;
}

// The Curve25519 key type whose OID sits where the fixed layouts have it, if any.
// A DER SEQUENCE with the 1.3.101.x OID prefix (2b 65) right before `oid_offset`.
std::optional<KeyType> Curve25519TypeAt(std::span<const uint8_t> der, size_t oid_offset) {
  if (der.size() <= oid_offset || der[0] != 0x30 || der[oid_offset - 2] != 0x2b ||
      der[oid_offset - 1] != 0x65) {
    return std::nullopt;
  }
  if (der[oid_offset] == kOidLastEd25519) return KeyType::kEd25519;
  if (der[oid_offset] == kOidLastX25519) return KeyType::kX25519;
  return std::nullopt;
}

uint8_t OidLast(KeyType type) {
  return type == KeyType::kEd25519 ? kOidLastEd25519 : kOidLastX25519;
}

std::string MbedtlsMessage(int ret) {
  char buffer[128] = {};
  mbedtls_strerror(ret, buffer, sizeof(buffer));
  return buffer;
}

// An mbedTLS pk context freed on scope exit.
class PkContext {
 public:
  PkContext() { mbedtls_pk_init(&pk_); }
  ~PkContext() { mbedtls_pk_free(&pk_); }
  PkContext(const PkContext&) = delete;
  PkContext& operator=(const PkContext&) = delete;
  mbedtls_pk_context* get() { return &pk_; }

  // The P-256 key pair inside, or a key error naming what the key is instead.
  mbedtls_ecp_keypair* P256(std::string_view source) {
    const mbedtls_pk_type_t type = mbedtls_pk_get_type(&pk_);
    if (type != MBEDTLS_PK_ECKEY && type != MBEDTLS_PK_ECKEY_DH && type != MBEDTLS_PK_ECDSA) {
      ThrowKey(std::string(source) + ": unsupported key type " + mbedtls_pk_get_name(&pk_) +
               " (expected ecdsa-p256, ed25519 or x25519)");
    }
    mbedtls_ecp_keypair* ec = mbedtls_pk_ec(pk_);
    if (ec->grp.id != MBEDTLS_ECP_DP_SECP256R1) {
      ThrowKey(std::string(source) + ": EC key is not on curve P-256 (secp256r1)");
    }
    return ec;
  }

 private:
  mbedtls_pk_context pk_;
};

Bytes WritePoint(mbedtls_ecp_keypair* ec) {
  Bytes point(kP256PointBytes);
  size_t length = 0;
  if (mbedtls_ecp_point_write_binary(&ec->grp, &ec->Q, MBEDTLS_ECP_PF_UNCOMPRESSED, &length,
                                     point.data(), point.size()) != 0 ||
      length != point.size()) {
    ThrowInternal("mbedTLS failed to write a P-256 point");
  }
  return point;
}

PrivateKey Curve25519PrivateKey(KeyType type, std::span<const uint8_t> secret,
                                std::span<const uint8_t> embedded_public, std::string_view source) {
  PrivateKey key{type, SecretBytes(secret), DerivePublicKey(type, secret)};
  if (!embedded_public.empty() &&
      !std::equal(embedded_public.begin(), embedded_public.end(), key.public_key.raw.begin(),
                  key.public_key.raw.end())) {
    ThrowKey(std::string(source) + ": the public key stored with the " +
             std::string(KeyTypeName(type)) + " private key does not match it");
  }
  return key;
}

}  // namespace

Bytes SpkiDer(const PublicKey& key) {
  Bytes der;
  if (key.type == KeyType::kEcdsaP256) {
    if (key.raw.size() != kP256PointBytes) ThrowKey("P-256 public key must be a 65-byte point");
    der.assign(kP256SpkiPrefix.begin(), kP256SpkiPrefix.end());
  } else {
    if (key.raw.size() != kCurve25519KeyBytes) {
      ThrowKey(std::string(KeyTypeName(key.type)) + " public key must be 32 bytes");
    }
    der.assign(kEd25519SpkiPrefix.begin(), kEd25519SpkiPrefix.end());
    der[kSpkiOidLastOffset] = OidLast(key.type);
  }
  der.insert(der.end(), key.raw.begin(), key.raw.end());
  return der;
}

PublicKey ParseSpkiDer(std::span<const uint8_t> der, std::string_view source) {
  if (const auto type = Curve25519TypeAt(der, kSpkiOidLastOffset)) {
    if (der.size() != kEd25519SpkiPrefix.size() + kCurve25519KeyBytes ||
        !HasCurve25519Prefix(der, kEd25519SpkiPrefix, kSpkiOidLastOffset, OidLast(*type))) {
      ThrowKey(std::string(source) + ": malformed " + std::string(KeyTypeName(*type)) +
               " SubjectPublicKeyInfo (expected the 44-byte RFC 8410 layout, got " +
               std::to_string(der.size()) + " bytes)");
    }
    return PublicKey{*type, Bytes(der.begin() + kEd25519SpkiPrefix.size(), der.end())};
  }
  PkContext pk;
  const int ret = mbedtls_pk_parse_public_key(pk.get(), der.data(), der.size());
  if (ret != 0) {
    ThrowKey(std::string(source) + ": not a valid public key (" + MbedtlsMessage(ret) + ")");
  }
  return PublicKey{KeyType::kEcdsaP256, WritePoint(pk.P256(source))};
}

SecretBytes Pkcs8Der(const PrivateKey& key) {
  if (key.secret.size() != kPrivateKeyBytes) ThrowKey("private key must be 32 bytes");
  Bytes der;
  der.reserve(160);  // no reallocation, so no stray copy of the secret is left in freed memory
  if (key.type == KeyType::kEcdsaP256) {
    if (key.public_key.raw.size() != kP256PointBytes) ThrowKey("P-256 point must be 65 bytes");
    der.assign(kP256Pkcs8Prefix.begin(), kP256Pkcs8Prefix.end());
    der.insert(der.end(), key.secret.data(), key.secret.data() + key.secret.size());
    der.insert(der.end(), kP256Pkcs8PublicKeyTag.begin(), kP256Pkcs8PublicKeyTag.end());
    der.insert(der.end(), key.public_key.raw.begin(), key.public_key.raw.end());
  } else {
    der.assign(kEd25519Pkcs8V0Prefix.begin(), kEd25519Pkcs8V0Prefix.end());
    der[kPkcs8OidLastOffset] = OidLast(key.type);
    der.insert(der.end(), key.secret.data(), key.secret.data() + key.secret.size());
  }
  SecretBytes out(der);
  std::fill(der.begin(), der.end(), 0);
  return out;
}

PrivateKey ParsePrivateKeyDer(std::span<const uint8_t> der, std::string_view source) {
  if (const auto type = Curve25519TypeAt(der, kPkcs8OidLastOffset)) {
    const uint8_t oid_last = OidLast(*type);
    if (der.size() == kCurve25519Pkcs8V0Bytes &&
        HasCurve25519Prefix(der, kEd25519Pkcs8V0Prefix, kPkcs8OidLastOffset, oid_last)) {
      return Curve25519PrivateKey(*type, der.subspan(kEd25519Pkcs8V0Prefix.size(), 32), {}, source);
    }
    constexpr size_t kTagOffset = kEd25519Pkcs8V1Prefix.size() + 32;
    if (der.size() == kCurve25519Pkcs8V1Bytes &&
        HasCurve25519Prefix(der, kEd25519Pkcs8V1Prefix, kPkcs8OidLastOffset, oid_last) &&
        std::equal(kPkcs8V1PublicKeyTag.begin(), kPkcs8V1PublicKeyTag.end(),
                   der.begin() + kTagOffset)) {
      return Curve25519PrivateKey(*type, der.subspan(kEd25519Pkcs8V1Prefix.size(), 32),
                                  der.subspan(kTagOffset + kPkcs8V1PublicKeyTag.size(), 32),
                                  source);
    }
    ThrowKey(std::string(source) + ": unsupported " + std::string(KeyTypeName(*type)) +
             " PKCS#8 layout (expected the 48-byte RFC 8410 form or the 83-byte form with the "
             "public key; got " +
             std::to_string(der.size()) + " bytes)");
  }
  PkContext pk;
  const int ret = mbedtls_pk_parse_key(pk.get(), der.data(), der.size(), nullptr, 0);
  if (ret == MBEDTLS_ERR_PK_PASSWORD_REQUIRED) {
    ThrowKey(std::string(source) + ": password-protected keys are not supported");
  }
  if (ret != 0) {
    ThrowKey(std::string(source) + ": not a valid private key (" + MbedtlsMessage(ret) + ")");
  }
  mbedtls_ecp_keypair* ec = pk.P256(source);
  SecretBytes scalar(kPrivateKeyBytes);
  if (mbedtls_mpi_write_binary(&ec->d, scalar.data(), scalar.size()) != 0) {
    ThrowKey(std::string(source) + ": P-256 private scalar is too large");
  }
  PrivateKey key{KeyType::kEcdsaP256, std::move(scalar), {}};
  key.public_key = DerivePublicKey(KeyType::kEcdsaP256, key.secret.span());
  // mbedTLS takes an embedded public key as given; refuse a file whose halves disagree.
  if (WritePoint(ec) != key.public_key.raw) {
    ThrowKey(std::string(source) +
             ": the public key stored with the P-256 private key does not "
             "match it");
  }
  return key;
}

}  // namespace bleota::host
