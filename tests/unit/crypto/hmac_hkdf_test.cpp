// HMAC-SHA256 (RFC 4231) and HKDF-SHA256 (RFC 5869 cases 1-3) known answers.
#include <array>

#include <gtest/gtest.h>

#include "bleota/crypto/crypto.hpp"
#include "crypto_test_util.hpp"

namespace bleota::crypto {
namespace {

using test::Ascii;
using test::Bytes;
using test::Hex;

Bytes Hmac(const Bytes& key, const Bytes& data) {
  std::array<uint8_t, kSha256Size> mac{};
  EXPECT_TRUE(HmacSha256(key, data, mac).ok());
  return Bytes(mac.begin(), mac.end());
}

TEST(HmacSha256, Rfc4231) {
  EXPECT_EQ(Hmac(Bytes(20, 0x0b), Ascii("Hi There")),
            Hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"));
  EXPECT_EQ(Hmac(Ascii("Jefe"), Ascii("what do ya want for nothing?")),
            Hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"));
  EXPECT_EQ(Hmac(Bytes(20, 0xaa), Bytes(50, 0xdd)),
            Hex("773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"));
  EXPECT_EQ(Hmac(Hex("0102030405060708090a0b0c0d0e0f10111213141516171819"), Bytes(50, 0xcd)),
            Hex("82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"));
  // Case 6: a key longer than the block size is hashed first.
  EXPECT_EQ(Hmac(Bytes(131, 0xaa), Ascii("Test Using Larger Than Block-Size Key - Hash Key First")),
            Hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"));
}

Bytes Hkdf(const Bytes& salt, const Bytes& ikm, const Bytes& info, size_t length) {
  Bytes okm(length);
  EXPECT_TRUE(HkdfSha256(salt, ikm, info, okm).ok());
  return okm;
}

Bytes Range(int first, int last) {
  Bytes out;
  for (int v = first; v <= last; ++v) out.push_back(static_cast<uint8_t>(v));
  return out;
}

TEST(HkdfSha256, Rfc5869Case1) {
  EXPECT_EQ(Hkdf(Range(0x00, 0x0c), Bytes(22, 0x0b), Range(0xf0, 0xf9), 42),
            Hex("3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887"
                "185865"));
}

TEST(HkdfSha256, Rfc5869Case2LongInputs) {
  EXPECT_EQ(Hkdf(Range(0x60, 0xaf), Range(0x00, 0x4f), Range(0xb0, 0xff), 82),
            Hex("b11e398dc80327a1c8e7f78c596a49344f012eda2d4efad8a050cc4c19afa97c59045a99cac782"
                "7271cb41c65e590e09da3275600c2f09b8367793a9aca3db71cc30c58179ec3e87c14c01d5c1f343"
                "4f1d87"));
}

TEST(HkdfSha256, Rfc5869Case3EmptySaltAndInfo) {
  EXPECT_EQ(Hkdf({}, Bytes(22, 0x0b), {}, 42),
            Hex("8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d9d201395faa4b6"
                "1a96c8"));
  // An explicit zero salt of hash length is the same as no salt.
  EXPECT_EQ(Hkdf(Bytes(32, 0), Bytes(22, 0x0b), {}, 42), Hkdf({}, Bytes(22, 0x0b), {}, 42));
}

TEST(HkdfSha256, RejectsBadOutputLengths) {
  Bytes empty;
  EXPECT_EQ(HkdfSha256({}, Bytes(22, 0x0b), {}, empty).code(), StatusCode::kInvalidArgument);
  Bytes too_long(255 * 32 + 1);
  EXPECT_EQ(HkdfSha256({}, Bytes(22, 0x0b), {}, too_long).code(), StatusCode::kInvalidArgument);
  Bytes longest(255 * 32);
  EXPECT_TRUE(HkdfSha256({}, Bytes(22, 0x0b), {}, longest).ok());
}

}  // namespace
}  // namespace bleota::crypto
