#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bleota/smp/base64.hpp"
#include "bleota/smp/crc16.hpp"

namespace bleota::smp {
namespace {

ConstByteSpan Bytes(const std::string& s) {
  return ConstByteSpan(reinterpret_cast<const uint8_t*>(s.data()), s.size());
}

TEST(Crc16Test, KnownAnswers) {
  EXPECT_EQ(Crc16Xmodem(Bytes("123456789")), 0x31C3);
  EXPECT_EQ(Crc16Xmodem(Bytes("")), 0x0000);
  EXPECT_EQ(Crc16Xmodem(Bytes("A")), 0x58E5);
  // Continuing a CRC over a split input gives the same result.
  EXPECT_EQ(Crc16Xmodem(Bytes("56789"), Crc16Xmodem(Bytes("1234"))), 0x31C3);
}

std::string Encode(const std::string& s) {
  std::string out(Base64EncodedSize(s.size()), '\0');
  auto n = Base64Encode(Bytes(s), std::span<char>(out.data(), out.size()));
  EXPECT_TRUE(n.ok());
  return n.ok() ? out.substr(0, *n) : "";
}

Result<std::string> Decode(const std::string& text) {
  std::string out(text.size(), '\0');
  auto n = Base64Decode(std::span<const char>(text.data(), text.size()),
                        ByteSpan(reinterpret_cast<uint8_t*>(out.data()), out.size()));
  if (!n.ok()) return n.status();
  return out.substr(0, *n);
}

// RFC 4648 section 10 test vectors.
TEST(Base64Test, Rfc4648Vectors) {
  const std::pair<std::string, std::string> vectors[] = {{"", ""},
                                                         {"f", "Zg=="},
                                                         {"fo", "Zm8="},
                                                         {"foo", "Zm9v"},
                                                         {"foob", "Zm9vYg=="},
                                                         {"fooba", "Zm9vYmE="},
                                                         {"foobar", "Zm9vYmFy"}};
  for (const auto& [plain, text] : vectors) {
    EXPECT_EQ(Encode(plain), text);
    auto back = Decode(text);
    ASSERT_TRUE(back.ok()) << text;
    EXPECT_EQ(*back, plain);
  }
  EXPECT_EQ(Encode("\xfb\xff\xbf"), "+/+/");
}

TEST(Base64Test, RejectsNonCanonicalText) {
  for (const char* bad : {"Zg=", "Zg", "Z===", "Zh==", "Zm9=", "Zg==Zg==", "Zm9v=AAA", "Zm-v",
                          "Zm9v\n", "=AAA", "A=AA"}) {
    EXPECT_EQ(Decode(bad).status(), StatusCode::kInvalidArgument) << bad;
  }
}

TEST(Base64Test, OutputBufferChecked) {
  uint8_t data[3] = {1, 2, 3};
  char text[3];
  EXPECT_EQ(Base64Encode(data, std::span<char>(text, 3)).status(), StatusCode::kResourceExhausted);
  const char in[] = "AQID";
  EXPECT_EQ(Base64Decode(std::span<const char>(in, 4), ByteSpan(data, 2)).status(),
            StatusCode::kResourceExhausted);
}

TEST(Base64Test, RandomRoundTrips) {
  std::mt19937 rng(7);
  for (size_t size = 0; size < 300; ++size) {
    std::string plain(size, '\0');
    for (char& c : plain) c = static_cast<char>(rng());
    auto back = Decode(Encode(plain));
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, plain);
  }
}

}  // namespace
}  // namespace bleota::smp
