// SHA-256 known answers from FIPS 180-2 appendix B, one-shot and streamed in odd chunk sizes.
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

struct Sha256Case {
  Bytes message;
  Bytes digest;
};

std::vector<Sha256Case> Fips180Cases() {
  return {
      {Ascii(""), Hex("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
      {Ascii("abc"), Hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")},
      {Ascii("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq"),
       Hex("248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")},
      {Bytes(1000000, 'a'),
       Hex("cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")},
  };
}

TEST(Sha256, OneShotMatchesFips180) {
  for (const auto& c : Fips180Cases()) {
    std::array<uint8_t, kSha256Size> digest{};
    ASSERT_TRUE(Sha256Digest(c.message, digest).ok());
    EXPECT_EQ(Bytes(digest.begin(), digest.end()), c.digest) << "length " << c.message.size();
  }
}

TEST(Sha256, StreamingInOddChunksMatchesFips180) {
  for (size_t chunk : {1u, 3u, 7u, 63u, 64u, 65u, 1000u}) {
    for (const auto& c : Fips180Cases()) {
      Sha256 sha;
      ASSERT_TRUE(sha.Start().ok());
      for (size_t pos = 0; pos < c.message.size(); pos += chunk) {
        const size_t n = std::min(chunk, c.message.size() - pos);
        ASSERT_TRUE(sha.Update(ConstByteSpan(c.message).subspan(pos, n)).ok());
      }
      std::array<uint8_t, kSha256Size> digest{};
      ASSERT_TRUE(sha.Finish(digest).ok());
      EXPECT_EQ(Bytes(digest.begin(), digest.end()), c.digest)
          << "chunk " << chunk << " length " << c.message.size();
    }
  }
}

TEST(Sha256, StartResetsState) {
  Sha256 sha;
  ASSERT_TRUE(sha.Start().ok());
  ASSERT_TRUE(sha.Update(Ascii("garbage that must be forgotten")).ok());
  ASSERT_TRUE(sha.Start().ok());
  ASSERT_TRUE(sha.Update(Ascii("abc")).ok());
  std::array<uint8_t, kSha256Size> digest{};
  ASSERT_TRUE(sha.Finish(digest).ok());
  EXPECT_EQ(Bytes(digest.begin(), digest.end()),
            Hex("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"));
}

TEST(Sha256, MatchesImgtoolImageHash) {
  // The manifest's SHA-256 of an image's hash region, computed by imgtool.
  const auto& image = test::ManifestImage("ecdsa_p256_h200");
  const Bytes file = test::ReadVectorFile(image.at("file"));
  const auto region = image.at("layout").at("hash_region");
  std::array<uint8_t, kSha256Size> digest{};
  ASSERT_TRUE(
      Sha256Digest(ConstByteSpan(file).subspan(region[0].get<size_t>(), region[1].get<size_t>()),
                   digest)
          .ok());
  EXPECT_EQ(Bytes(digest.begin(), digest.end()), Hex(image.at("sha256").get<std::string>()));
}

}  // namespace
}  // namespace bleota::crypto
