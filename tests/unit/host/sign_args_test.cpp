// Textual arguments: versions, numbers, security counters, dependencies, custom TLVs.
#include <gtest/gtest.h>

#include <functional>

#include "bleota/host/error.hpp"
#include "bleota/host/number_parse.hpp"
#include "bleota/host/sign_args.hpp"
#include "bleota/host/version.hpp"

namespace bleota::host {
namespace {

// The HostError message of `f`, failing the test when it does not throw a usage error.
std::string UsageMessage(const std::function<void()>& f) {
  try {
    f();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage) << e.what();
    return e.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

TEST(Version, ParsesImgtoolForms) {
  const ImageVersion full = ParseVersion("1.2.3+4");
  EXPECT_EQ(full.major, 1);
  EXPECT_EQ(full.minor, 2);
  EXPECT_EQ(full.revision, 3);
  EXPECT_EQ(full.build, 4u);
  const ImageVersion major_only = ParseVersion("7");
  EXPECT_EQ(major_only.major, 7);
  EXPECT_EQ(major_only.minor, 0);
  EXPECT_EQ(major_only.revision, 0);
  EXPECT_EQ(ParseVersion("0.9").minor, 9);
  const ImageVersion max = ParseVersion("255.255.65535+4294967295");
  EXPECT_EQ(max.major, 255);
  EXPECT_EQ(max.minor, 255);
  EXPECT_EQ(max.revision, 65535);
  EXPECT_EQ(max.build, 4294967295u);
  EXPECT_EQ(FormatVersion(max), "255.255.65535+4294967295");
  EXPECT_EQ(FormatVersion(ParseVersion("1.0")), "1.0.0+0");
}

TEST(Version, ErrorsNameTheField) {
  EXPECT_NE(
      UsageMessage([] { ParseVersion("256.0.0"); }).find("major 256 is out of range (0..255)"),
      std::string::npos);
  EXPECT_NE(UsageMessage([] { ParseVersion("1.256.0"); }).find("minor"), std::string::npos);
  EXPECT_NE(UsageMessage([] { ParseVersion("1.2.65536"); }).find("revision"), std::string::npos);
  EXPECT_NE(UsageMessage([] { ParseVersion("1.2.3+4294967296"); }).find("build"),
            std::string::npos);
  EXPECT_NE(UsageMessage([] { ParseVersion("1.x.3"); }).find("minor 'x' is not a decimal"),
            std::string::npos);
  EXPECT_NE(UsageMessage([] { ParseVersion("01.2.3"); }).find("leading zero"), std::string::npos);
  EXPECT_NE(UsageMessage([] { ParseVersion("1.2.3.4"); }).find("too many parts"),
            std::string::npos);
  EXPECT_NE(UsageMessage([] { ParseVersion("1.2+3"); }).find("+build"), std::string::npos);
  for (const char* bad : {"", "1..2", "1.2.", "+1", "1.2.3+", "v1.2.3", "-1", "1.2.3 "}) {
    UsageMessage([&] { ParseVersion(bad); });
  }
}

TEST(Numbers, DecimalAndHexWithBounds) {
  EXPECT_EQ(ParseU32("0x200", "-H"), 0x200u);
  EXPECT_EQ(ParseU32("0X4000", "-S"), 0x4000u);
  EXPECT_EQ(ParseU32("262144", "-S"), 262144u);
  EXPECT_EQ(ParseU32("4294967295", "-S"), 4294967295u);
  EXPECT_NE(UsageMessage([] { ParseU32("4294967296", "--slot-size"); }).find("--slot-size"),
            std::string::npos);
  EXPECT_NE(UsageMessage([] { ParseU32("0x4000g", "--slot-size"); }).find("not a number"),
            std::string::npos);
  for (const char* bad : {"", "0x", "-1", "1e3", " 1"}) UsageMessage([&] { ParseU32(bad, "x"); });
}

TEST(SecurityCounter, AutoIsMajorMinorRevision) {
  const ImageVersion v = ParseVersion("3.4.5+6");
  EXPECT_EQ(ParseSecurityCounter("auto", v), (3u << 24) | (4u << 16) | 5u);
  EXPECT_EQ(ParseSecurityCounter("0x10000", v), 0x10000u);
  EXPECT_EQ(ParseSecurityCounter("42", v), 42u);
  UsageMessage([&] { ParseSecurityCounter("automatic", v); });
}

TEST(Dependencies, ParsesImgtoolSyntax) {
  const std::vector<Dependency> one = ParseDependencies("(1,1.2.3+0)");
  ASSERT_EQ(one.size(), 1u);
  EXPECT_EQ(one[0].image_id, 1);
  EXPECT_EQ(one[0].version.revision, 3);
  const std::vector<Dependency> two = ParseDependencies("(0, 1.0.0), (2,3.4.5+6)");
  ASSERT_EQ(two.size(), 2u);
  EXPECT_EQ(two[1].image_id, 2);
  EXPECT_EQ(two[1].version.build, 6u);
  for (const char* bad : {"", "1,1.2.3", "(1,1.2.3", "(1)", "(256,1.0.0)", "(1,1.2.3),",
                          "(1,1.2.3)(2,1.0.0)", "(x,1.0.0)"}) {
    UsageMessage([&] { ParseDependencies(bad); });
  }
}

TEST(CustomTlv, HexOrTextValue) {
  const CustomTlv hex = ParseCustomTlv("0xa0", "0x0102030405060708");
  EXPECT_EQ(hex.type, 0xa0);
  EXPECT_EQ(hex.value, (std::vector<uint8_t>{1, 2, 3, 4, 5, 6, 7, 8}));
  const CustomTlv text = ParseCustomTlv("0xa1", "abc");
  EXPECT_EQ(text.value, (std::vector<uint8_t>{'a', 'b', 'c'}));
  UsageMessage([] { ParseCustomTlv("0xa0", "0x123"); });
  UsageMessage([] { ParseCustomTlv("0xa0", "0xzz"); });
  UsageMessage([] { ParseCustomTlv("0x10000", "0x00"); });
}

}  // namespace
}  // namespace bleota::host
