// AES-CTR with MCUboot's zero initial counter: the first keystream block is AES_K(0^128), so
// AESAVS zero-plaintext vectors give it directly; imgtool's encrypted images check the counter
// over thousands of blocks; random access must equal one-shot decryption.
#include <algorithm>
#include <numeric>
#include <string>

#include <gtest/gtest.h>

#include "bleota/crypto/crypto.hpp"
#include "crypto_test_util.hpp"

namespace bleota::crypto {
namespace {

using test::Bytes;
using test::Hex;

Bytes CryptAt(const Bytes& key, uint32_t offset, const Bytes& in) {
  AesCtr ctr;
  EXPECT_TRUE(ctr.SetKey(key).ok());
  Bytes out(in.size());
  EXPECT_TRUE(ctr.Crypt(offset, in, out).ok());
  return out;
}

TEST(AesCtr, FirstKeystreamBlockIsAesOfZeroCounterAes128) {
  // AESAVS VarKey: AES-128(key = e000...0, 0^128).
  EXPECT_EQ(CryptAt(Hex("e0000000000000000000000000000000"), 0, Bytes(16, 0)),
            Hex("72a1da770f5d7ac4c9ef94d822affd97"));
}

TEST(AesCtr, FirstKeystreamBlockIsAesOfZeroCounterAes256) {
  // AESAVS KeySbox: AES-256(key, 0^128).
  EXPECT_EQ(CryptAt(Hex("c1cc358b449909a19436cfbb3f852ef8bcb5ed12ac7058325f56e6099aab1a1c"), 0,
                    Bytes(16, 0)),
            Hex("352065272169abf9856843927d0674fd"));
}

struct EncryptedVector {
  Bytes key;
  Bytes ciphertext;
  Bytes plaintext;
};

// The encrypted body of an imgtool image and the same bytes of its decrypted copy.
EncryptedVector LoadEncrypted(const std::string& name) {
  const auto& image = test::ManifestImage(name);
  const auto& enc = image.at("encryption");
  const Bytes file = test::ReadVectorFile(image.at("file"));
  const Bytes decrypted = test::ReadVectorFile(enc.at("decrypted_image"));
  const size_t begin = enc.at("encrypted_range")[0].get<size_t>();
  const size_t end = enc.at("encrypted_range")[1].get<size_t>();
  EncryptedVector v;
  v.key = Hex(enc.at("image_aes_key_hex").get<std::string>());
  v.ciphertext.assign(file.begin() + static_cast<std::ptrdiff_t>(begin),
                      file.begin() + static_cast<std::ptrdiff_t>(end));
  v.plaintext.assign(decrypted.begin() + static_cast<std::ptrdiff_t>(begin),
                     decrypted.begin() + static_cast<std::ptrdiff_t>(end));
  return v;
}

TEST(AesCtr, DecryptsImgtoolImages) {
  for (const char* name :
       {"enc_kw_aes128", "enc_kw_aes256", "enc_ec256_aes256", "enc_ec256_aes128_large"}) {
    const EncryptedVector v = LoadEncrypted(name);
    ASSERT_GT(v.ciphertext.size(), 1000u) << name;
    EXPECT_NE(v.ciphertext, v.plaintext) << name;
    EXPECT_EQ(CryptAt(v.key, 0, v.ciphertext), v.plaintext) << name;
  }
}

TEST(AesCtr, RandomAccessEqualsOneShot) {
  const EncryptedVector v = LoadEncrypted("enc_kw_aes128");
  AesCtr ctr;
  ASSERT_TRUE(ctr.SetKey(v.key).ok());
  // Odd chunk sizes, so chunks start and end inside blocks; decrypted back to front.
  for (size_t chunk : {1u, 5u, 15u, 16u, 17u, 100u, 4096u}) {
    Bytes out(v.ciphertext.size(), 0);
    size_t count = (v.ciphertext.size() + chunk - 1) / chunk;
    for (size_t i = count; i-- > 0;) {
      const size_t pos = i * chunk;
      const size_t n = std::min(chunk, v.ciphertext.size() - pos);
      ASSERT_TRUE(ctr.Crypt(static_cast<uint32_t>(pos), ConstByteSpan(v.ciphertext).subspan(pos, n),
                            ByteSpan(out).subspan(pos, n))
                      .ok());
    }
    EXPECT_EQ(out, v.plaintext) << "chunk " << chunk;
  }
}

TEST(AesCtr, SingleBytesAtArbitraryOffsets) {
  const EncryptedVector v = LoadEncrypted("enc_kw_aes256");
  AesCtr ctr;
  ASSERT_TRUE(ctr.SetKey(v.key).ok());
  for (uint32_t offset : {0u, 1u, 15u, 16u, 31u, 1023u, 2048u, 4095u}) {
    uint8_t out = 0;
    ASSERT_TRUE(ctr.Crypt(offset, ConstByteSpan(&v.ciphertext[offset], 1), ByteSpan(&out, 1)).ok());
    EXPECT_EQ(out, v.plaintext[offset]) << "offset " << offset;
  }
}

TEST(AesCtr, InPlace) {
  EncryptedVector v = LoadEncrypted("enc_kw_aes128");
  AesCtr ctr;
  ASSERT_TRUE(ctr.SetKey(v.key).ok());
  ASSERT_TRUE(
      ctr.Crypt(7, ByteSpan(v.ciphertext).subspan(7, 300), ByteSpan(v.ciphertext).subspan(7, 300))
          .ok());
  EXPECT_TRUE(
      std::equal(v.ciphertext.begin() + 7, v.ciphertext.begin() + 307, v.plaintext.begin() + 7));
}

TEST(AesCtr, OffsetsAcrossCounterCarriesMatchOneShot) {
  // A chunk that starts mid-block and crosses the carry into the counter's second byte.
  const Bytes key = Hex("000102030405060708090a0b0c0d0e0f");
  const uint32_t start = 255 * 16 - 5;
  const Bytes zeros(16 * 300, 0);
  const Bytes whole = CryptAt(key, 0, Bytes(start + zeros.size(), 0));
  EXPECT_EQ(CryptAt(key, start, zeros), Bytes(whole.begin() + start, whole.end()));
  // Near the end of the 32-bit stream.
  const Bytes tail = CryptAt(key, UINT32_MAX - 20, Bytes(21, 0));
  EXPECT_EQ(tail.size(), 21u);
  EXPECT_NE(tail, Bytes(21, 0));
}

TEST(AesCtr, RejectsBadUse) {
  AesCtr ctr;
  Bytes in(16), out(16), shorter(15);
  EXPECT_EQ(ctr.Crypt(0, in, out).code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(ctr.SetKey(Bytes(24)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ctr.SetKey(Bytes(0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ctr.Crypt(0, in, out).code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ctr.SetKey(Bytes(16)).ok());
  EXPECT_EQ(ctr.Crypt(0, in, shorter).code(), StatusCode::kInvalidArgument);
  // The keystream position must not wrap past 2^32.
  EXPECT_EQ(ctr.Crypt(UINT32_MAX - 14, in, out).code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ctr.Crypt(UINT32_MAX - 15, in, out).ok());
}

}  // namespace
}  // namespace bleota::crypto
