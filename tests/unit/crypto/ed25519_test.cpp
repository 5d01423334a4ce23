// Ed25519 verification: RFC 8032 section 7.1 tests 1-3, an imgtool image signature, tampering.
#include <array>
#include <string>

#include <gtest/gtest.h>

#include "bleota/crypto/crypto.hpp"
#include "crypto_test_util.hpp"

namespace bleota::crypto {
namespace {

using test::Bytes;
using test::Hex;

struct Rfc8032Case {
  Bytes public_key;
  Bytes message;
  Bytes signature;
};

std::vector<Rfc8032Case> Rfc8032Cases() {
  return {
      {Hex("d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a"),
       {},
       Hex("e5564300c360ac729086e2cc806e828a84877f1eb8e5d974d873e065224901555fb8821590a33bacc61e3"
           "9701cf9b46bd25bf5f0595bbe24655141438e7a100b")},
      {Hex("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c"), Hex("72"),
       Hex("92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3"
           "613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00")},
      {Hex("fc51cd8e6218a1a38da47ed00230f0580816ed13ba3303ac5deb911548908025"), Hex("af82"),
       Hex("6291d657deec24024827e69c3abe01a30ce548a284743a445e3680d7db5ac3ac18ff9b538d16f290ae67f"
           "760984dc6594a7c15e9716ed28dc027beceea1ec40a")},
  };
}

Status Verify(const Bytes& key, const Bytes& message, const Bytes& sig) {
  return Ed25519Verify(std::span<const uint8_t, kEd25519PublicKeySize>(key.data(), key.size()),
                       message,
                       std::span<const uint8_t, kEd25519SignatureSize>(sig.data(), sig.size()));
}

TEST(Ed25519, Rfc8032Tests1To3Verify) {
  for (const auto& c : Rfc8032Cases()) {
    EXPECT_TRUE(Verify(c.public_key, c.message, c.signature).ok());
  }
}

TEST(Ed25519, FlippedBitsAreRejected) {
  for (const auto& c : Rfc8032Cases()) {
    for (size_t bit : {0u, 255u, 256u, 511u}) {
      Bytes sig = c.signature;
      sig[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
      EXPECT_EQ(Verify(c.public_key, c.message, sig).code(), StatusCode::kImageSignature) << bit;
    }
    Bytes key = c.public_key;
    key[3] ^= 0x10;
    EXPECT_EQ(Verify(key, c.message, c.signature).code(), StatusCode::kImageSignature);
    Bytes message = c.message;
    message.push_back(0);
    EXPECT_EQ(Verify(c.public_key, message, c.signature).code(), StatusCode::kImageSignature);
  }
}

TEST(Ed25519, VerifiesImgtoolImageSignatureOverDigest) {
  const Bytes key = Hex(test::ManifestKey("sign-ed25519").at("public_raw_hex").get<std::string>());
  const auto& image = test::ManifestImage("ed25519_h200");
  const Bytes file = test::ReadVectorFile(image.at("file"));
  const Bytes digest = Hex(image.at("sha256").get<std::string>());
  const Bytes sig = test::TlvValue(image, file, 0x24);
  EXPECT_TRUE(Verify(key, digest, sig).ok());
  Bytes other = digest;
  other[0] ^= 1;
  EXPECT_EQ(Verify(key, other, sig).code(), StatusCode::kImageSignature);
}

}  // namespace
}  // namespace bleota::crypto
