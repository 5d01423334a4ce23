// The interop property (docs/cli.md): for every valid vector made by `imgtool sign`, bleota run
// with the manifest's exact imgtool_sign_args produces the same bytes wherever imgtool's output is
// deterministic. Ed25519 images without encryption must be byte-identical files; ECDSA
// signatures, image keys and ECIES ephemeral keys are random, so there the header, payload (as
// plaintext), protected area, SHA256, KEYHASH/PUBKEY and trailer must be identical and the
// signature must verify with the device verifier.
#include <gtest/gtest.h>

#include <algorithm>

#include "bleota/host/image_check.hpp"
#include "bleota/host/image_inspect.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/image/tlv.hpp"
#include "host_test_support.hpp"

namespace bleota::host {
namespace {

using test::ManifestImage;
using test::TempDir;
using test::VectorBytes;
using test::VectorDir;

std::vector<std::string> ImgtoolSignedValidImages() {
  std::vector<std::string> names;
  for (const auto& image : test::Manifest()["images"]) {
    if (image["kind"] == "valid" &&
        std::string(image["generated_by"]).rfind("imgtool sign", 0) == 0) {
      names.push_back(image["name"]);
    }
  }
  return names;
}

bool IsKwVector(const nlohmann::json& image) {
  return !image["encryption"].is_null() && image["encryption"]["type"] == "ENC_KW";
}

// imgtool could not make ENC_KW images: its --clear run was post-processed. bleota makes them
// directly, so the "-E <pub> --clear" of those commands becomes "--encrypt-kek <kek>".
std::vector<std::string> SignArgsFor(const nlohmann::json& image, const std::string& output) {
  std::vector<std::string> args = test::BleotaSignArgs(image, output);
  if (!IsKwVector(image)) return args;
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    if (args[i] == "-E") {
      out.push_back("--encrypt-kek");
      out.push_back((VectorDir() / std::string(image["encryption"]["key"])).string());
      ++i;
    } else if (args[i] != "--clear") {
      out.push_back(args[i]);
    }
  }
  return out;
}

DecryptionKeySet DecryptionKeysFor(const nlohmann::json& image) {
  DecryptionKeySet keys;
  const std::filesystem::path key = VectorDir() / std::string(image["encryption"]["key"]);
  if (IsKwVector(image)) {
    keys.kek = LoadKekFile(key);
  } else {
    keys.private_keys.push_back(LoadPrivateKeyFile(key));
  }
  return keys;
}

class ImgtoolInteropTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ImgtoolInteropTest, MatchesImgtoolWhereDeterministic) {
  const nlohmann::json& vector = ManifestImage(GetParam());
  const bool encrypted = !vector["encryption"].is_null();
  const bool ecdsa = vector["signature_type"] == "ECDSA_P256";
  TempDir dir;
  const test::CliRun run = test::RunBleota(SignArgsFor(vector, dir.file("out.bin")));
  ASSERT_EQ(run.code, 0) << run.err;
  const std::vector<uint8_t> ours = test::ReadBytes(dir.file("out.bin"));
  const std::vector<uint8_t> theirs = VectorBytes(vector["file"]);

  if (!ecdsa && !encrypted) {
    // Deterministic all the way: the whole file must be identical.
    EXPECT_TRUE(ours == theirs) << "not byte-identical to " << vector["file"];
    return;
  }

  // Encrypted: compare the plaintext forms (decrypted with the vector's key).
  const std::vector<uint8_t> ours_plain =
      encrypted ? DecryptImageBytes(ours, DecryptionKeysFor(vector)) : ours;
  const std::vector<uint8_t> theirs_plain =
      encrypted ? VectorBytes(vector["encryption"]["decrypted_image"]) : theirs;
  const ImageReport a = InspectImage(ours_plain);
  const ImageReport b = InspectImage(theirs_plain);

  // Only the signature length may differ (or nothing, when both are padded to the slot).
  if (vector["trailer"].is_null()) {
    EXPECT_EQ(ours.size() - a.layout.tlv_size, theirs.size() - b.layout.tlv_size);
  } else {
    EXPECT_EQ(ours.size(), theirs.size());
  }
  // Header area, plaintext payload and protected TLV area: [0, tlv_offset).
  ASSERT_EQ(a.layout.tlv_offset, b.layout.tlv_offset);
  EXPECT_TRUE(std::equal(ours_plain.begin(), ours_plain.begin() + a.layout.tlv_offset,
                         theirs_plain.begin()))
      << "header, payload or protected TLVs differ";

  ASSERT_EQ(a.tlvs.size(), b.tlvs.size());
  for (size_t i = 0; i < a.tlvs.size(); ++i) {
    const TlvReport& x = a.tlvs[i];
    const TlvReport& y = b.tlvs[i];
    ASSERT_EQ(x.type, y.type) << "TLV order differs at entry " << i;
    if (x.type == image::kTlvEcdsaSig) {
      EXPECT_GE(x.length, 70);
      EXPECT_LE(x.length, 72);
    } else if (x.type == image::kTlvEncEc256 || x.type == image::kTlvEncX25519 ||
               x.type == image::kTlvEncKw) {
      EXPECT_EQ(x.length, y.length);  // random ephemeral key and image key
    } else {
      EXPECT_EQ(x.value, y.value) << "TLV " << x.type << " differs";
    }
  }

  // Trailer: both images are padded with 0xff to the slot; everything after the longer TLV
  // area (padding, trailer magic, image_ok) must match.
  if (!vector["trailer"].is_null()) {
    ASSERT_EQ(ours.size(), theirs.size());
    const size_t from = std::max(a.layout.tlv_end, b.layout.tlv_end);
    EXPECT_TRUE(std::equal(ours.begin() + from, ours.end(), theirs.begin() + from))
        << "trailer area differs";
  }

  // imgtool verify would accept ours: same checks, done by the device verifier.
  VerifyRequest request;
  request.trusted_keys.push_back(
      LoadPublicKeyFile(VectorDir() / std::string(vector["verify_key"])));
  if (encrypted) request.decryption = DecryptionKeysFor(vector);
  const VerifyReport report = VerifyImageBytes(ours, request);
  EXPECT_TRUE(report.ok()) << report.Describe();
}

INSTANTIATE_TEST_SUITE_P(Vectors, ImgtoolInteropTest,
                         ::testing::ValuesIn(ImgtoolSignedValidImages()),
                         [](const auto& info) { return info.param; });

TEST(ImgtoolInterop, CoversTheVectorsTheBriefNames) {
  const std::vector<std::string> names = ImgtoolSignedValidImages();
  for (const char* required :
       {"ed25519_h200", "ed25519_pubkey_full", "ed25519_large_seccnt", "pad_align1",
        "pad_confirm_align4", "pad_confirm_align8", "pad_confirm_align32", "enc_kw_aes128",
        "enc_kw_aes256", "ecdsa_p256_prot_multi", "ecdsa_p256_rom_fixed"}) {
    EXPECT_NE(std::find(names.begin(), names.end(), required), names.end()) << required;
  }
}

}  // namespace
}  // namespace bleota::host
