// ConstantTimeEqual and SecureZero behaviour.
#include <gtest/gtest.h>

#include "bleota/crypto/crypto.hpp"
#include "crypto_test_util.hpp"

namespace bleota::crypto {
namespace {

using test::Bytes;

TEST(ConstantTimeEqual, EqualAndDifferingAtEitherEnd) {
  Bytes a(32);
  for (size_t i = 0; i < a.size(); ++i) a[i] = static_cast<uint8_t>(i * 7 + 1);
  Bytes b = a;
  EXPECT_TRUE(ConstantTimeEqual(a, b));
  b.front() ^= 0x80;
  EXPECT_FALSE(ConstantTimeEqual(a, b));
  b = a;
  b.back() ^= 0x01;
  EXPECT_FALSE(ConstantTimeEqual(a, b));
}

TEST(ConstantTimeEqual, LengthMismatchIsUnequal) {
  const Bytes a(32, 0x11);
  const Bytes prefix(31, 0x11);
  EXPECT_FALSE(ConstantTimeEqual(a, prefix));
  EXPECT_FALSE(ConstantTimeEqual(prefix, a));
  EXPECT_FALSE(ConstantTimeEqual(a, Bytes{}));
  EXPECT_TRUE(ConstantTimeEqual(Bytes{}, Bytes{}));
}

TEST(SecureZero, WipesExactlyTheSpan) {
  Bytes buffer(40, 0xa5);
  SecureZero(ByteSpan(buffer).subspan(4, 32));
  for (size_t i = 0; i < buffer.size(); ++i) {
    EXPECT_EQ(buffer[i], (i >= 4 && i < 36) ? 0 : 0xa5) << i;
  }
  SecureZero(ByteSpan());  // empty span is a no-op
}

}  // namespace
}  // namespace bleota::crypto
