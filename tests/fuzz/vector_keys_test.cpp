// The key constants of vector_keys.hpp against tests/vectors/imgtool: public keys and KEKs equal
// the manifest and key files, and every private key yields its published public key.
#include "vector_keys.hpp"

#include <gtest/gtest.h>
#include <sodium.h>

#include <array>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "bleota/crypto/crypto.hpp"

namespace bleota::vectors {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes ReadVectorFile(const std::string& relative) {
  std::ifstream in(std::string(BLEOTA_VECTOR_DIR) + "/" + relative, std::ios::binary);
  EXPECT_TRUE(in) << relative;
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes FromHex(const std::string& hex) {
  Bytes out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

const nlohmann::json& ManifestKey(const std::string& name) {
  static const nlohmann::json manifest = nlohmann::json::parse(ReadVectorFile("manifest.json"));
  for (const nlohmann::json& key : manifest.at("keys")) {
    if (key.at("name") == name) return key;
  }
  ADD_FAILURE() << "manifest has no key " << name;
  static const nlohmann::json none = nlohmann::json::object();
  return none;
}

Bytes ManifestHex(const std::string& key, const char* field) {
  return FromHex(ManifestKey(key).value(field, std::string()));
}

template <size_t N>
Bytes AsBytes(const uint8_t (&array)[N]) {
  return Bytes(array, array + N);
}

// The uncompressed P-256 base point G (SEC 2).
constexpr uint8_t kP256Generator[crypto::kP256PointSize] = {
    0x04, 0x6b, 0x17, 0xd1, 0xf2, 0xe1, 0x2c, 0x42, 0x47, 0xf8, 0xbc, 0xe6, 0xe5,
    0x63, 0xa4, 0x40, 0xf2, 0x77, 0x03, 0x7d, 0x81, 0x2d, 0xeb, 0x33, 0xa0, 0xf4,
    0xa1, 0x39, 0x45, 0xd8, 0x98, 0xc2, 0x96, 0x4f, 0xe3, 0x42, 0xe2, 0xfe, 0x1a,
    0x7f, 0x9b, 0x8e, 0xe7, 0xeb, 0x4a, 0x7c, 0x0f, 0x9e, 0x16, 0x2b, 0xce, 0x33,
    0x57, 0x6b, 0x31, 0x5e, 0xce, 0xcb, 0xb6, 0x40, 0x68, 0x37, 0xbf, 0x51, 0xf5};

// X coordinate of d*G: ECDH with the base point as the peer.
Bytes P256PublicX(const uint8_t (&scalar)[crypto::kP256PrivateKeySize]) {
  std::array<uint8_t, 32> x{};
  EXPECT_TRUE(crypto::EcdhP256(scalar, kP256Generator, x).ok());
  return Bytes(x.begin(), x.end());
}

Bytes RawPublicX(const std::string& key) {
  const Bytes raw = ManifestHex(key, "public_raw_hex");
  EXPECT_EQ(raw.size(), crypto::kP256PointSize);
  return raw.size() == crypto::kP256PointSize ? Bytes(raw.begin() + 1, raw.begin() + 33) : Bytes();
}

TEST(VectorKeysTest, SigningPublicKeysMatchManifest) {
  EXPECT_EQ(AsBytes(kSignEcdsaP256Spki), ManifestHex("sign-ecdsa-p256", "public_spki_der_hex"));
  EXPECT_EQ(AsBytes(kSignEd25519Spki), ManifestHex("sign-ed25519", "public_spki_der_hex"));
  EXPECT_EQ(AsBytes(kWrongEcdsaP256Spki), ManifestHex("wrong-ecdsa-p256", "public_spki_der_hex"));
}

TEST(VectorKeysTest, KeksMatchKeyFiles) {
  EXPECT_EQ(AsBytes(kEncAes128Kek), ReadVectorFile("keys/enc-aes128kw.bin"));
  EXPECT_EQ(AsBytes(kEncAes256Kek), ReadVectorFile("keys/enc-aes256kw.bin"));
}

TEST(VectorKeysTest, P256PrivateScalarsYieldPublishedKeys) {
  EXPECT_EQ(P256PublicX(kSignEcdsaP256Private), RawPublicX("sign-ecdsa-p256"));
  EXPECT_EQ(P256PublicX(kEncEc256Private), RawPublicX("enc-ec256"));
  // The signing SPKI ends with the same point.
  EXPECT_EQ(Bytes(std::end(kSignEcdsaP256Spki) - 64, std::end(kSignEcdsaP256Spki) - 32),
            RawPublicX("sign-ecdsa-p256"));
}

TEST(VectorKeysTest, X25519PrivateYieldsPublishedKey) {
  constexpr uint8_t kBasePoint[crypto::kX25519KeySize] = {9};
  std::array<uint8_t, 32> public_key{};
  ASSERT_TRUE(crypto::X25519(kEncX25519Private, kBasePoint, public_key).ok());
  EXPECT_EQ(Bytes(public_key.begin(), public_key.end()),
            ManifestHex("enc-x25519", "public_raw_hex"));
}

TEST(VectorKeysTest, Ed25519SeedYieldsPublishedKey) {
  ASSERT_GE(sodium_init(), 0);
  uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
  uint8_t secret_key[crypto_sign_SECRETKEYBYTES];
  ASSERT_EQ(crypto_sign_seed_keypair(public_key, secret_key, kSignEd25519Seed), 0);
  EXPECT_EQ(Bytes(public_key, public_key + sizeof(public_key)),
            ManifestHex("sign-ed25519", "public_raw_hex"));
  EXPECT_EQ(Bytes(std::end(kSignEd25519Spki) - 32, std::end(kSignEd25519Spki)),
            Bytes(public_key, public_key + sizeof(public_key)));
}

}  // namespace
}  // namespace bleota::vectors
