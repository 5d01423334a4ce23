// Round trips through the device code for every combination of signing key, key format,
// encryption and trailer/security counter options: sign with bleota, verify with the device
// verifier (core), decrypt with the device decryptor, compare with the plaintext payload.
#include <gtest/gtest.h>

#include <tuple>

#include "bleota/host/error.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/image_check.hpp"
#include "bleota/host/image_inspect.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/image/image_header.hpp"
#include "host_test_support.hpp"

namespace bleota::host {
namespace {

using test::VectorBytes;
using test::VectorDir;

enum class Signer { kEcdsaP256, kEd25519 };
enum class Encryption {
  kNone,
  kEc256Aes128,
  kEc256Aes256,
  kX25519Aes128,
  kX25519Aes256,
  kKw128,
  kKw256
};
enum class Extras { kNone, kSecurityCounterPadConfirm };

using Combination = std::tuple<Signer, PublicKeyFormat, Encryption, Extras>;

struct Keys {
  PrivateKey ecdsa = LoadPrivateKeyFile(VectorDir() / "keys/sign-ecdsa-p256-priv.pem");
  PrivateKey ed25519 = LoadPrivateKeyFile(VectorDir() / "keys/sign-ed25519-priv.pem");
  PrivateKey wrong = LoadPrivateKeyFile(VectorDir() / "keys/wrong-ecdsa-p256-priv.pem");
  PrivateKey enc_ec256 = LoadPrivateKeyFile(VectorDir() / "keys/enc-ec256-priv.pem");
  PrivateKey enc_x25519 = LoadPrivateKeyFile(VectorDir() / "keys/enc-x25519-priv.pem");
  SecretBytes kek128 = LoadKekFile(VectorDir() / "keys/enc-aes128kw.bin");
  SecretBytes kek256 = LoadKekFile(VectorDir() / "keys/enc-aes256kw.b64");
};

const Keys& TestKeys() {
  static const Keys keys;
  return keys;
}

std::optional<ImageEncryption> EncryptionFor(Encryption e) {
  const Keys& k = TestKeys();
  ImageEncryption enc;
  switch (e) {
    case Encryption::kNone:
      return std::nullopt;
    case Encryption::kEc256Aes128:
    case Encryption::kEc256Aes256:
      enc.recipient = k.enc_ec256.public_key;
      enc.key_bits = e == Encryption::kEc256Aes128 ? 128 : 256;
      break;
    case Encryption::kX25519Aes128:
    case Encryption::kX25519Aes256:
      enc.recipient = k.enc_x25519.public_key;
      enc.key_bits = e == Encryption::kX25519Aes128 ? 128 : 256;
      break;
    case Encryption::kKw128:
      enc.kek = k.kek128;
      enc.key_bits = 128;
      break;
    case Encryption::kKw256:
      enc.kek = k.kek256;
      enc.key_bits = 256;
      break;
  }
  return enc;
}

DecryptionKeySet AllDecryptionKeys() {
  const Keys& k = TestKeys();
  DecryptionKeySet keys;
  keys.private_keys = {k.enc_ec256, k.enc_x25519};
  keys.kek = k.kek128;
  return keys;
}

DecryptionKeySet DecryptionKeysFor(Encryption e) {
  DecryptionKeySet keys = AllDecryptionKeys();
  if (e == Encryption::kKw256) keys.kek = TestKeys().kek256;
  return keys;
}

class RoundTripTest : public ::testing::TestWithParam<Combination> {};

TEST_P(RoundTripTest, SignVerifyDecrypt) {
  const auto [signer, key_format, encryption, extras] = GetParam();
  const Keys& k = TestKeys();
  const PrivateKey& signing_key = signer == Signer::kEcdsaP256 ? k.ecdsa : k.ed25519;
  const std::vector<uint8_t> payload = VectorBytes("payloads/p12345.bin");  // odd size

  ImageBuildOptions o;
  o.header_size = 0x200;
  o.pad_header = true;
  o.version = ParseVersion("2.7.9+1234");
  o.slot_size = 0x8000;
  o.public_key_format = key_format;
  o.signing_key = &signing_key;
  o.encryption = EncryptionFor(encryption);
  if (extras == Extras::kSecurityCounterPadConfirm) {
    o.security_counter = 77;
    o.pad = true;
    o.confirm = true;
    o.align = 4;
  }
  const std::vector<uint8_t> image = BuildImage(payload, o);

  // The device verifier accepts it with the signing key (and decryption keys when encrypted).
  VerifyRequest request;
  request.trusted_keys = {k.wrong.public_key, signing_key.public_key};
  request.decryption = DecryptionKeysFor(encryption);
  const VerifyReport report = VerifyImageBytes(image, request);
  ASSERT_TRUE(report.ok()) << report.Describe();
  EXPECT_EQ(report.image.key_index, 1);
  EXPECT_EQ(report.image.encrypted, encryption != Encryption::kNone);
  EXPECT_EQ(report.image.protected_tlvs.has_security_counter,
            extras == Extras::kSecurityCounterPadConfirm);
  if (extras == Extras::kSecurityCounterPadConfirm) {
    EXPECT_EQ(report.image.protected_tlvs.security_counter, 77u);
  }

  // Another key is refused by KEYHASH/PUBKEY.
  VerifyRequest wrong = request;
  wrong.trusted_keys = {k.wrong.public_key};
  const VerifyReport refused = VerifyImageBytes(image, wrong);
  EXPECT_EQ(refused.status.code(), key_format == PublicKeyFormat::kHash ? StatusCode::kImageKeyHash
                                                                        : StatusCode::kImagePubKey)
      << refused.Describe();

  const ImageReport info = InspectImage(image);
  const uint32_t padded = encryption == Encryption::kNone
                              ? static_cast<uint32_t>(payload.size())
                              : AlignUp(0x200 + static_cast<uint32_t>(payload.size()), 16) - 0x200;
  EXPECT_EQ(info.layout.header.img_size, padded);
  if (extras == Extras::kSecurityCounterPadConfirm) {
    ASSERT_EQ(image.size(), 0x8000u);
    ASSERT_TRUE(info.trailer.has_value());
    EXPECT_EQ(info.trailer->image_ok, 0x01);
    EXPECT_EQ(info.trailer->max_align, 8u);
  } else {
    EXPECT_EQ(image.size(), info.layout.tlv_end);
  }

  std::vector<uint8_t> plain_payload(payload);
  plain_payload.resize(padded, 0);  // encryption padding is zeros
  if (encryption == Encryption::kNone) {
    EXPECT_TRUE(std::equal(plain_payload.begin(), plain_payload.end(), image.begin() + 0x200));
    return;
  }
  // The payload is ciphertext...
  EXPECT_FALSE(std::equal(plain_payload.begin(), plain_payload.end(), image.begin() + 0x200));
  // ...which the device decryptor turns back into the payload.
  const std::vector<uint8_t> decrypted = DecryptImageBytes(image, DecryptionKeysFor(encryption));
  ASSERT_EQ(decrypted.size(), image.size());
  EXPECT_TRUE(std::equal(plain_payload.begin(), plain_payload.end(), decrypted.begin() + 0x200));
  EXPECT_TRUE(std::equal(image.begin(), image.begin() + 0x200, decrypted.begin()));
  EXPECT_TRUE(
      std::equal(image.begin() + 0x200 + padded, image.end(), decrypted.begin() + 0x200 + padded));
  // The decrypted form verifies as such (what a primary slot holds after the swap).
  VerifyRequest as_decrypted = request;
  as_decrypted.decryption = {};
  as_decrypted.payload_decrypted = true;
  EXPECT_TRUE(VerifyImageBytes(decrypted, as_decrypted).ok());

  // Without the decryption key the image cannot be checked.
  VerifyRequest no_key = request;
  no_key.decryption = {};
  EXPECT_EQ(VerifyImageBytes(image, no_key).status.code(), StatusCode::kImageEncKeyUnwrap);
}

std::string CombinationName(const ::testing::TestParamInfo<Combination>& info) {
  const auto [signer, key_format, encryption, extras] = info.param;
  static const char* kEnc[] = {"Clear",        "Ec256Aes128", "Ec256Aes256", "X25519Aes128",
                               "X25519Aes256", "Kw128",       "Kw256"};
  return std::string(signer == Signer::kEcdsaP256 ? "EcdsaP256" : "Ed25519") +
         (key_format == PublicKeyFormat::kHash ? "_KeyHash_" : "_PubKey_") +
         kEnc[static_cast<int>(encryption)] + (extras == Extras::kNone ? "" : "_SecCntPadConfirm");
}

INSTANTIATE_TEST_SUITE_P(
    AllCombinations, RoundTripTest,
    ::testing::Combine(::testing::Values(Signer::kEcdsaP256, Signer::kEd25519),
                       ::testing::Values(PublicKeyFormat::kHash, PublicKeyFormat::kFull),
                       ::testing::Values(Encryption::kNone, Encryption::kEc256Aes128,
                                         Encryption::kEc256Aes256, Encryption::kX25519Aes128,
                                         Encryption::kX25519Aes256, Encryption::kKw128,
                                         Encryption::kKw256),
                       ::testing::Values(Extras::kNone, Extras::kSecurityCounterPadConfirm)),
    CombinationName);

TEST(RoundTrip, WrongDecryptionKeyFailsTheUnwrapCheck) {
  const Keys& k = TestKeys();
  ImageBuildOptions o;
  o.header_size = 0x20;
  o.pad_header = true;
  o.signing_key = &k.ecdsa;
  o.encryption = EncryptionFor(Encryption::kEc256Aes128);
  const std::vector<uint8_t> image = BuildImage(VectorBytes("payloads/p1000.bin"), o);
  DecryptionKeySet wrong;
  wrong.private_keys = {k.wrong};  // a P-256 key, but not the one the image was encrypted to
  try {
    DecryptImageBytes(image, wrong);
    FAIL() << "decrypted with the wrong key";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kVerifyFailed);
    EXPECT_NE(std::string(e.what()).find("enc_key_unwrap"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace bleota::host
