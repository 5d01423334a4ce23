// ECDSA P-256 verification: RFC 6979 A.2.5 signatures, imgtool image signatures, and rejection
// of mismatches, malformed DER and malformed keys.
#include <array>
#include <string>

#include <gtest/gtest.h>

#include "bleota/crypto/crypto.hpp"
#include "crypto_test_util.hpp"

namespace bleota::crypto {
namespace {

using test::Ascii;
using test::Bytes;
using test::Hex;

// RFC 6979 A.2.5 public key U = xG.
const Bytes kRawKey =
    Hex("0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
        "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");

Bytes Spki(const Bytes& raw_point) {
  Bytes der = Hex("3059301306072a8648ce3d020106082a8648ce3d030107034200");
  der.insert(der.end(), raw_point.begin(), raw_point.end());
  return der;
}

// DER SEQUENCE { INTEGER r, INTEGER s } for 32-byte big-endian r and s.
Bytes DerSignature(const Bytes& r, const Bytes& s) {
  auto integer = [](Bytes v) {
    while (v.size() > 1 && v[0] == 0 && v[1] < 0x80) v.erase(v.begin());
    if (v[0] & 0x80) v.insert(v.begin(), 0);
    Bytes out = {0x02, static_cast<uint8_t>(v.size())};
    out.insert(out.end(), v.begin(), v.end());
    return out;
  };
  Bytes body = integer(r);
  const Bytes si = integer(s);
  body.insert(body.end(), si.begin(), si.end());
  Bytes out = {0x30, static_cast<uint8_t>(body.size())};
  out.insert(out.end(), body.begin(), body.end());
  return out;
}

std::array<uint8_t, kSha256Size> Digest(const Bytes& message) {
  std::array<uint8_t, kSha256Size> d{};
  EXPECT_TRUE(Sha256Digest(message, d).ok());
  return d;
}

const Bytes kSampleSig =
    DerSignature(Hex("EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716"),
                 Hex("F7CB1C942D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8"));
const Bytes kTestSig =
    DerSignature(Hex("F1ABB023518351CD71D881567B1EA663ED3EFCF6C5132B354F28D3B0B7D38367"),
                 Hex("019F4113742A2B14BD25926B49C649155F267E60D3814B4C0CC84250E46F0083"));

TEST(EcdsaP256, Rfc6979VectorsVerifyWithRawAndSpkiKeys) {
  for (const Bytes& key : {kRawKey, Spki(kRawKey)}) {
    EXPECT_TRUE(EcdsaP256VerifyDigest(key, Digest(Ascii("sample")), kSampleSig).ok());
    EXPECT_TRUE(EcdsaP256VerifyDigest(key, Digest(Ascii("test")), kTestSig).ok());
  }
}

TEST(EcdsaP256, MismatchIsSignatureError) {
  // Signature of "test" presented for "sample".
  EXPECT_EQ(EcdsaP256VerifyDigest(kRawKey, Digest(Ascii("sample")), kTestSig).code(),
            StatusCode::kImageSignature);
  auto digest = Digest(Ascii("sample"));
  digest[31] ^= 1;
  EXPECT_EQ(EcdsaP256VerifyDigest(kRawKey, digest, kSampleSig).code(), StatusCode::kImageSignature);
  Bytes sig = kSampleSig;
  sig[10] ^= 0x40;  // inside r
  EXPECT_EQ(EcdsaP256VerifyDigest(kRawKey, Digest(Ascii("sample")), sig).code(),
            StatusCode::kImageSignature);
}

TEST(EcdsaP256, MalformedDerIsSignatureError) {
  const auto digest = Digest(Ascii("sample"));
  Bytes trailing = kSampleSig;
  trailing.push_back(0);
  Bytes bad_length = kSampleSig;
  bad_length[1] = static_cast<uint8_t>(bad_length[1] + 1);
  Bytes truncated(kSampleSig.begin(), kSampleSig.end() - 1);
  for (const Bytes& sig : {trailing, bad_length, truncated, Bytes{}, Bytes(72, 0x30),
                           Bytes(73, 0x00), Hex("3006020100020100")}) {
    EXPECT_EQ(EcdsaP256VerifyDigest(kRawKey, digest, sig).code(), StatusCode::kImageSignature);
  }
}

TEST(EcdsaP256, MalformedKeysAreRejected) {
  const auto digest = Digest(Ascii("sample"));
  Bytes off_curve = kRawKey;
  off_curve[64] ^= 1;
  Bytes compressed_tag = kRawKey;
  compressed_tag[0] = 0x02;
  Bytes bad_oid = Spki(kRawKey);
  bad_oid[21] ^= 1;  // prime256v1 -> another curve OID
  Bytes spki_trailing = Spki(kRawKey);
  spki_trailing.push_back(0);
  for (const Bytes& key : {off_curve, compressed_tag, bad_oid, spki_trailing, Spki(off_curve),
                           Bytes(kRawKey.begin(), kRawKey.end() - 1), Bytes{}}) {
    EXPECT_EQ(EcdsaP256VerifyDigest(key, digest, kSampleSig).code(), StatusCode::kCryptoError);
  }
}

TEST(EcdsaP256, VerifiesImgtoolImageSignatures) {
  const auto& key = test::ManifestKey("sign-ecdsa-p256");
  const Bytes spki = Hex(key.at("public_spki_der_hex").get<std::string>());
  const Bytes raw = Hex(key.at("public_raw_hex").get<std::string>());
  const auto& wrong = test::ManifestKey("wrong-ecdsa-p256");
  const Bytes wrong_spki = Hex(wrong.at("public_spki_der_hex").get<std::string>());
  for (const char* name : {"ecdsa_p256_h200", "ecdsa_p256_large", "enc_kw_aes128"}) {
    const auto& image = test::ManifestImage(name);
    const Bytes file = test::ReadVectorFile(image.at("file"));
    const Bytes digest = Hex(image.at("sha256").get<std::string>());
    const Bytes sig = test::TlvValue(image, file, 0x22);
    const ConstDigest d(digest.data(), kSha256Size);
    EXPECT_TRUE(EcdsaP256VerifyDigest(spki, d, sig).ok()) << name;
    EXPECT_TRUE(EcdsaP256VerifyDigest(raw, d, sig).ok()) << name;
    EXPECT_EQ(EcdsaP256VerifyDigest(wrong_spki, d, sig).code(), StatusCode::kImageSignature)
        << name;
  }
}

}  // namespace
}  // namespace bleota::crypto
