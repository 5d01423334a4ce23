// `info` against the manifest: header fields, flag names, layout, TLVs with offsets and lengths,
// hash, security counter and trailer of every valid vector; malformed vectors name their check.
#include <gtest/gtest.h>

#include "bleota/host/error.hpp"
#include "bleota/host/image_inspect.hpp"
#include "host_test_support.hpp"

namespace bleota::host {
namespace {

using test::ManifestImage;
using test::VectorBytes;

std::vector<std::string> ImageNames(const char* kind) {
  std::vector<std::string> names;
  for (const auto& image : test::Manifest()["images"]) {
    if (image["kind"] == kind) names.push_back(image["name"]);
  }
  return names;
}

void ExpectTlvsMatch(const nlohmann::json& ours, const nlohmann::json& expected) {
  ASSERT_EQ(ours.size(), expected.size());
  for (size_t i = 0; i < ours.size(); ++i) {
    for (const char* field : {"type", "type_hex", "name", "len", "offset"}) {
      EXPECT_EQ(ours[i][field], expected[i][field]) << "TLV " << i << " " << field;
    }
  }
}

class InfoValidTest : public ::testing::TestWithParam<std::string> {};

TEST_P(InfoValidTest, JsonMatchesTheManifest) {
  const nlohmann::json& expected = ManifestImage(GetParam());
  const nlohmann::json ours = ImageReportJson(InspectImage(VectorBytes(expected["file"])));
  EXPECT_EQ(ours["file_size"], expected["file_size"]);
  for (const char* field : {"magic", "load_addr", "hdr_size", "protect_tlv_size", "img_size",
                            "flags", "flag_names", "version", "version_fields"}) {
    EXPECT_EQ(ours["header"][field], expected["header"][field]) << field;
  }
  for (const char* field : {"payload_offset", "protected_tlv_area_offset", "tlv_area_offset",
                            "tlv_area_tlv_tot", "tlv_end", "hash_region"}) {
    EXPECT_EQ(ours["layout"][field], expected["layout"][field]) << field;
  }
  ExpectTlvsMatch(ours["protected_tlvs"], expected["protected_tlvs"]);
  ExpectTlvsMatch(ours["tlvs"], expected["tlvs"]);
  EXPECT_EQ(ours["sha256"], expected["sha256"]);
  EXPECT_EQ(ours["security_counter"], expected["security_counter"]);
  if (expected.contains("keyhash")) {
    EXPECT_EQ(ours["keyhash"], expected["keyhash"]);
  }
  if (expected["trailer"].is_null()) {
    EXPECT_TRUE(ours["trailer"].is_null());
  } else {
    for (const char* field : {"slot_size", "magic_hex", "max_align", "magic_offset",
                              "image_ok_offset", "image_ok", "copy_done_offset", "copy_done",
                              "swap_info_offset", "swap_info", "swap_size_offset", "swap_size"}) {
      EXPECT_EQ(ours["trailer"][field], expected["trailer"][field]) << field;
    }
  }
  // The text form carries the same facts.
  const std::string text = FormatImageReport(InspectImage(VectorBytes(expected["file"])));
  EXPECT_NE(text.find(std::string(expected["header"]["version"])), std::string::npos);
  if (!expected["sha256"].is_null()) {
    EXPECT_NE(text.find(std::string(expected["sha256"])), std::string::npos);
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, InfoValidTest, ::testing::ValuesIn(ImageNames("valid")),
                         [](const auto& info) { return info.param; });

// Structural failures are found by info too; later checks (hash, signature) are verify's job.
class InfoInvalidTest : public ::testing::TestWithParam<std::string> {};

TEST_P(InfoInvalidTest, StructuralFailuresNameTheirCheck) {
  const nlohmann::json& expected = ManifestImage(GetParam());
  const std::string check = expected["must_fail"];
  const bool structural = check == "bounds" || check == "header_magic" || check == "header_size" ||
                          check == "protect_tlv_size" || check == "tlv_prot_magic" ||
                          check == "tlv_magic" || check == "tlv_bounds";
  try {
    const ImageReport report = InspectImage(VectorBytes(expected["file"]));
    EXPECT_FALSE(structural) << "info accepted an image failing " << check;
  } catch (const HostError& e) {
    EXPECT_TRUE(structural) << e.what();
    EXPECT_EQ(e.code(), ExitCode::kImage);
    EXPECT_EQ(std::string(e.what()).rfind(check + ":", 0), 0u) << e.what();
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, InfoInvalidTest, ::testing::ValuesIn(ImageNames("invalid")),
                         [](const auto& info) { return info.param; });

}  // namespace
}  // namespace bleota::host
