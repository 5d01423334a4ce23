// RFC 3394 AES key unwrap: the RFC's section 4 vectors, imgtool's ENC_KW TLVs, and tampering.
#include <string>

#include <gtest/gtest.h>

#include "bleota/crypto/crypto.hpp"
#include "crypto_test_util.hpp"

namespace bleota::crypto {
namespace {

using test::Bytes;
using test::Hex;

TEST(AesKeyUnwrap, Rfc3394Section4_1) {
  Bytes key(16);
  ASSERT_TRUE(AesKeyUnwrap(Hex("000102030405060708090A0B0C0D0E0F"),
                           Hex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5"), key)
                  .ok());
  EXPECT_EQ(key, Hex("00112233445566778899AABBCCDDEEFF"));
}

TEST(AesKeyUnwrap, Rfc3394Section4_3Aes256KekWraps128BitKey) {
  Bytes key(16);
  ASSERT_TRUE(AesKeyUnwrap(Hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"),
                           Hex("64E8C3F9CE0F5BA263E9777905818A2A93C8191E7D6E8AE7"), key)
                  .ok());
  EXPECT_EQ(key, Hex("00112233445566778899AABBCCDDEEFF"));
}

TEST(AesKeyUnwrap, Rfc3394Section4_6Aes256KekWraps256BitKey) {
  Bytes key(32);
  ASSERT_TRUE(
      AesKeyUnwrap(Hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"),
                   Hex("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A0"
                       "2DD21"),
                   key)
          .ok());
  EXPECT_EQ(key, Hex("00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F"));
}

TEST(AesKeyUnwrap, ImgtoolEncKwTlvs) {
  for (const char* name : {"enc_kw_aes128", "enc_kw_aes256"}) {
    const auto& image = test::ManifestImage(name);
    const auto& enc = image.at("encryption");
    const Bytes file = test::ReadVectorFile(image.at("file"));
    const Bytes kek = test::ReadVectorFile(enc.at("key"));
    const Bytes wrapped = test::TlvValue(image, file, 0x31);
    Bytes key(wrapped.size() - 8);
    ASSERT_TRUE(AesKeyUnwrap(kek, wrapped, key).ok()) << name;
    EXPECT_EQ(key, Hex(enc.at("image_aes_key_hex").get<std::string>())) << name;
  }
}

TEST(AesKeyUnwrap, TamperedInputFailsIntegrityCheckAndWipesOutput) {
  const Bytes kek = Hex("000102030405060708090A0B0C0D0E0F");
  const Bytes wrapped = Hex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
  for (size_t byte : {0u, 7u, 8u, 23u}) {
    Bytes tampered = wrapped;
    tampered[byte] ^= 0x01;
    Bytes key(16, 0x5a);
    EXPECT_EQ(AesKeyUnwrap(kek, tampered, key).code(), StatusCode::kImageEncKeyUnwrap) << byte;
    EXPECT_EQ(key, Bytes(16, 0)) << byte;
  }
  // The wrong KEK fails the same way.
  Bytes key(16);
  EXPECT_EQ(AesKeyUnwrap(Hex("000102030405060708090A0B0C0D0E0E"), wrapped, key).code(),
            StatusCode::kImageEncKeyUnwrap);
}

TEST(AesKeyUnwrap, RejectsBadSizes) {
  const Bytes wrapped = Hex("1FA68B0A8112B447AEF34BD8FB5A7B829D3E862371D2CFE5");
  Bytes key16(16), key15(15), key24(24), key8(8);
  EXPECT_EQ(AesKeyUnwrap(Bytes(24), wrapped, key16).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AesKeyUnwrap(Bytes(16), wrapped, key15).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AesKeyUnwrap(Bytes(16), wrapped, key24).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(AesKeyUnwrap(Bytes(16), Bytes(16), key8).code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace bleota::crypto
