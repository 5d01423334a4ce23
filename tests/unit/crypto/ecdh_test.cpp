// Key agreement: ECDH P-256 (RFC 5903 section 8.1), X25519 (RFC 7748 sections 5.2 and 6.1), and
// MCUboot's ECIES key derivation against imgtool's ENC_EC256 / ENC_X25519 images, which also
// exercises HKDF, HMAC and AES-CTR together.
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

template <size_t N>
std::span<const uint8_t, N> Fixed(const Bytes& b) {
  return std::span<const uint8_t, N>(b.data(), N);
}

Bytes P256(const Bytes& priv, const Bytes& peer) {
  std::array<uint8_t, 32> shared{};
  EXPECT_TRUE(EcdhP256(Fixed<32>(priv), peer, shared).ok());
  return Bytes(shared.begin(), shared.end());
}

Bytes X(const Bytes& priv, const Bytes& peer) {
  std::array<uint8_t, 32> shared{};
  EXPECT_TRUE(X25519(Fixed<32>(priv), Fixed<32>(peer), shared).ok());
  return Bytes(shared.begin(), shared.end());
}

// RFC 5903 8.1: initiator i, responder r.
const Bytes kP256I = Hex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433");
const Bytes kP256GI =
    Hex("04DAD0B65394221CF9B051E1FECA5787D098DFE637FC90B9EF945D0C3772581180"
        "5271A0461CDB8252D61F1C456FA3E59AB1F45B33ACCF5F58389E0577B8990BB3");
const Bytes kP256R = Hex("C6EF9C5D78AE012A011164ACB397CE2088685D8F06BF9BE0B283AB46476BEE53");
const Bytes kP256GR =
    Hex("04D12DFB5289C8D4F81208B70270398C342296970A0BCCB74C736FC7554494BF63"
        "56FBF3CA366CC23E8157854C13C58D6AAC23F046ADA30F8353E74F33039872AB");
const Bytes kP256Shared = Hex("D6840F6B42F6EDAFD13116E0E12565202FEF8E9ECE7DCE03812464D04B9442DE");

TEST(EcdhP256, Rfc5903BothSides) {
  EXPECT_EQ(P256(kP256I, kP256GR), kP256Shared);
  EXPECT_EQ(P256(kP256R, kP256GI), kP256Shared);
}

TEST(EcdhP256, RejectsBadPeerPointsAndKeys) {
  std::array<uint8_t, 32> shared{};
  Bytes off_curve = kP256GR;
  off_curve[64] ^= 1;
  EXPECT_EQ(EcdhP256(Fixed<32>(kP256I), off_curve, shared).code(), StatusCode::kCryptoError);
  Bytes compressed(kP256GR.begin(), kP256GR.begin() + 33);
  compressed[0] = 0x02;
  EXPECT_EQ(EcdhP256(Fixed<32>(kP256I), compressed, shared).code(), StatusCode::kInvalidArgument);
  Bytes wrong_tag = kP256GR;
  wrong_tag[0] = 0x05;
  EXPECT_EQ(EcdhP256(Fixed<32>(kP256I), wrong_tag, shared).code(), StatusCode::kInvalidArgument);
  // Zero and the group order are not valid private scalars.
  const Bytes order = Hex("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
  EXPECT_EQ(EcdhP256(Fixed<32>(Bytes(32, 0)), kP256GR, shared).code(), StatusCode::kCryptoError);
  EXPECT_EQ(EcdhP256(Fixed<32>(order), kP256GR, shared).code(), StatusCode::kCryptoError);
  EXPECT_EQ(Bytes(shared.begin(), shared.end()), Bytes(32, 0));
}

TEST(X25519, Rfc7748Section5_2) {
  EXPECT_EQ(X(Hex("a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4"),
              Hex("e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c")),
            Hex("c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552"));
  // The peer's top bit is set and must be ignored.
  EXPECT_EQ(X(Hex("4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d"),
              Hex("e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493")),
            Hex("95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957"));
}

TEST(X25519, Rfc7748Section6_1BothSides) {
  const Bytes alice = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  const Bytes alice_pub = Hex("8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a");
  const Bytes bob = Hex("5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb");
  const Bytes bob_pub = Hex("de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f");
  const Bytes shared = Hex("4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742");
  EXPECT_EQ(X(alice, bob_pub), shared);
  EXPECT_EQ(X(bob, alice_pub), shared);
  // The public keys are X25519(k, 9).
  Bytes base(32, 0);
  base[0] = 9;
  EXPECT_EQ(X(alice, base), alice_pub);
  EXPECT_EQ(X(bob, base), bob_pub);
}

TEST(X25519, RejectsLowOrderPeer) {
  const Bytes alice = Hex("77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a");
  std::array<uint8_t, 32> shared{};
  Bytes one(32, 0);
  one[0] = 1;
  for (const Bytes& peer : {Bytes(32, 0), one}) {
    EXPECT_EQ(X25519(Fixed<32>(alice), Fixed<32>(peer), shared).code(), StatusCode::kCryptoError);
  }
}

// MCUboot ECIES: HKDF-SHA256(shared, info "MCUBoot_ECIES_v1") -> AES key || HMAC key; the TLV's
// tag is HMAC over the encrypted image key, which AES-CTR (zero counter) decrypts.
void CheckEcies(const std::string& name, const Bytes& shared) {
  const auto& enc = test::ManifestImage(name).at("encryption");
  const size_t key_len = enc.at("aes_bits").get<size_t>() / 8;
  Bytes derived(key_len + 32);
  ASSERT_TRUE(HkdfSha256({}, shared, Ascii("MCUBoot_ECIES_v1"), derived).ok());
  const Bytes aes_key(derived.begin(), derived.begin() + static_cast<std::ptrdiff_t>(key_len));
  const Bytes mac_key(derived.begin() + static_cast<std::ptrdiff_t>(key_len), derived.end());
  const Bytes cipherkey = Hex(enc.at("cipherkey_hex").get<std::string>());
  std::array<uint8_t, kSha256Size> tag{};
  ASSERT_TRUE(HmacSha256(mac_key, cipherkey, tag).ok());
  EXPECT_TRUE(ConstantTimeEqual(tag, Hex(enc.at("hmac_tag_hex").get<std::string>()))) << name;
  AesCtr ctr;
  ASSERT_TRUE(ctr.SetKey(aes_key).ok());
  Bytes image_key(cipherkey.size());
  ASSERT_TRUE(ctr.Crypt(0, cipherkey, image_key).ok());
  EXPECT_EQ(image_key, Hex(enc.at("image_aes_key_hex").get<std::string>())) << name;
}

TEST(EcdhP256, ImgtoolEncEc256KeyExchange) {
  const Bytes priv = test::PrivateKeyFromPem(
      "keys/enc-ec256-priv.pem",
      Hex("308187020100301306072a8648ce3d020106082a8648ce3d030107046d306b0201010420"));
  for (const char* name : {"enc_ec256_aes128", "enc_ec256_aes256"}) {
    const auto& enc = test::ManifestImage(name).at("encryption");
    CheckEcies(name, P256(priv, Hex(enc.at("ephemeral_pub_hex").get<std::string>())));
  }
}

TEST(X25519, ImgtoolEncX25519KeyExchange) {
  const Bytes priv =
      test::PrivateKeyFromPem("keys/enc-x25519-priv.pem", Hex("302e020100300506032b656e04220420"));
  for (const char* name : {"enc_x25519_aes128", "enc_x25519_aes256"}) {
    const auto& enc = test::ManifestImage(name).at("encryption");
    CheckEcies(name, X(priv, Hex(enc.at("ephemeral_pub_hex").get<std::string>())));
  }
}

}  // namespace
}  // namespace bleota::crypto
