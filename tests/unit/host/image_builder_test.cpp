// The image builder's layout rules and its refusals (each error names the field at fault).
#include <gtest/gtest.h>

#include <functional>

#include "bleota/bytes.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/image_check.hpp"
#include "bleota/host/image_inspect.hpp"
#include "bleota/host/image_trailer.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/image/tlv.hpp"
#include "host_test_support.hpp"

namespace bleota::host {
namespace {

using test::VectorBytes;
using test::VectorDir;

const PrivateKey& EcdsaKey() {
  static const PrivateKey key = LoadPrivateKeyFile(VectorDir() / "keys/sign-ecdsa-p256-priv.pem");
  return key;
}

ImageBuildOptions BaseOptions() {
  ImageBuildOptions o;
  o.header_size = 0x200;
  o.pad_header = true;
  o.version = ParseVersion("1.0.0");
  o.slot_size = 0x40000;
  return o;
}

// The error of building with `o`, checked for its exit code and a phrase.
void ExpectError(const ImageBuildOptions& o, const std::vector<uint8_t>& input, ExitCode code,
                 const std::string& phrase) {
  try {
    BuildImage(input, o);
    ADD_FAILURE() << "no error, expected: " << phrase;
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), code) << e.what();
    EXPECT_NE(std::string(e.what()).find(phrase), std::string::npos) << e.what();
  }
}

TEST(ImageBuilder, ImageLargerThanTheSlotNamesImgSizeAndSlotSize) {
  ImageBuildOptions o = BaseOptions();
  o.slot_size = 262144;
  o.signing_key = &EcdsaKey();
  const std::vector<uint8_t> payload(300000, 0x5a);
  ExpectError(o, payload, ExitCode::kImage, "img_size 300000 exceeds slot size 262144");
}

TEST(ImageBuilder, TheTrailerCountsTowardsTheSlotAsInImgtool) {
  // 1000-byte payload + 0x200 header + 40 bytes of TLVs = 1552; trailer (align 1) = 432.
  ImageBuildOptions o = BaseOptions();
  o.slot_size = 1552 + 432;
  EXPECT_NO_THROW(BuildImage(VectorBytes("payloads/p1000.bin"), o));
  o.slot_size -= 1;
  ExpectError(o, VectorBytes("payloads/p1000.bin"), ExitCode::kImage, "trailer 432");
}

TEST(ImageBuilder, WithoutPadHeaderTheInputMustStartWithZeros) {
  ImageBuildOptions o = BaseOptions();
  o.pad_header = false;
  std::vector<uint8_t> input(0x200, 0);
  const std::vector<uint8_t> payload = VectorBytes("payloads/p1000.bin");
  input.insert(input.end(), payload.begin(), payload.end());
  const std::vector<uint8_t> image = BuildImage(input, o);
  // Same bytes as --pad-header with erased value 0.
  ImageBuildOptions padded = BaseOptions();
  padded.erased_val = 0;
  EXPECT_EQ(image, BuildImage(payload, padded));

  input[100] = 1;
  ExpectError(o, input, ExitCode::kImage, "byte 100 is not 0");
  ExpectError(o, std::vector<uint8_t>(0x100, 0), ExitCode::kImage, "shorter than --header-size");
}

TEST(ImageBuilder, PadHeaderFillsWithTheErasedValue) {
  const std::vector<uint8_t> image = BuildImage(VectorBytes("payloads/p1000.bin"), BaseOptions());
  for (size_t i = 32; i < 0x200; ++i) ASSERT_EQ(image[i], 0xff) << i;
}

TEST(ImageBuilder, OptionChecksNameTheOption) {
  const std::vector<uint8_t> payload = VectorBytes("payloads/p1000.bin");
  ImageBuildOptions o = BaseOptions();
  o.header_size = 16;
  ExpectError(o, payload, ExitCode::kUsage, "--header-size 16");
  o = BaseOptions();
  o.header_size = 0x10000;
  ExpectError(o, payload, ExitCode::kUsage, "--header-size 65536");
  o = BaseOptions();
  o.align = 3;
  ExpectError(o, payload, ExitCode::kUsage, "--align 3");
  o = BaseOptions();
  o.align = 32;
  o.max_align = 16;
  ExpectError(o, payload, ExitCode::kUsage, "--max-align 16 is smaller than --align 32");
  o = BaseOptions();
  o.custom_tlvs = {{0x50, {1}}};
  ExpectError(o, payload, ExitCode::kUsage, "--custom-tlv type 0x0050");
  o = BaseOptions();
  o.custom_tlvs = {{0xa0, {1}}, {0xa0, {2}}};
  ExpectError(o, payload, ExitCode::kUsage, "given twice");
  o = BaseOptions();
  o.load_addr = 0x20000000;
  o.rom_fixed = 0x27000;
  ExpectError(o, payload, ExitCode::kUsage, "--load-addr and --rom-fixed");
  o = BaseOptions();
  o.encryption = ImageEncryption{};
  o.encryption->kek = LoadKekFile(VectorDir() / "keys/enc-aes128kw.bin");
  o.encryption->key_bits = 256;
  ExpectError(o, payload, ExitCode::kUsage, "needs a 32-byte KEK");
  o = BaseOptions();
  const PrivateKey x25519 = LoadPrivateKeyFile(VectorDir() / "keys/enc-x25519-priv.pem");
  o.signing_key = &x25519;
  ExpectError(o, payload, ExitCode::kKey, "x25519 key cannot sign");
  o = BaseOptions();
  o.encryption = ImageEncryption{};
  o.encryption->recipient = LoadPublicKeyFile(VectorDir() / "keys/sign-ed25519-pub.pem");
  ExpectError(o, payload, ExitCode::kKey, "ed25519 key cannot encrypt");
}

TEST(ImageBuilder, FlagsAndLoadAddress) {
  const std::vector<uint8_t> payload = VectorBytes("payloads/p1000.bin");
  ImageBuildOptions o = BaseOptions();
  o.load_addr = 0x20001000;
  o.non_bootable = true;
  const ImageReport ram = InspectImage(BuildImage(payload, o));
  EXPECT_EQ(ram.layout.header.flags, image::kFlagRamLoad | image::kFlagNonBootable);
  EXPECT_EQ(ram.layout.header.load_addr, 0x20001000u);
  o = BaseOptions();
  o.rom_fixed = 0x27000;
  const ImageReport rom = InspectImage(BuildImage(payload, o));
  EXPECT_EQ(rom.layout.header.flags, image::kFlagRomFixed);
  EXPECT_EQ(rom.layout.header.load_addr, 0x27000u);
}

TEST(ImageBuilder, ProtectedTlvsInImgtoolOrder) {
  ImageBuildOptions o = BaseOptions();
  o.security_counter = 9;
  o.dependencies = {{1, ParseVersion("1.2.3+4")}, {2, ParseVersion("5.0.0")}};
  o.custom_tlvs = {{0xa5, {0xde, 0xad}}, {0xa0, {}}};
  const ImageReport r = InspectImage(BuildImage(VectorBytes("payloads/p1000.bin"), o));
  ASSERT_EQ(r.protected_tlvs.size(), 5u);
  EXPECT_EQ(r.protected_tlvs[0].type, image::kTlvSecCnt);
  EXPECT_EQ(r.protected_tlvs[1].type, image::kTlvDependency);
  EXPECT_EQ(test::ToHex(r.protected_tlvs[1].value), "010000000102030004000000");
  EXPECT_EQ(r.protected_tlvs[2].type, image::kTlvDependency);
  EXPECT_EQ(r.protected_tlvs[3].type, 0xa5);
  EXPECT_EQ(r.protected_tlvs[4].type, 0xa0);
  EXPECT_EQ(r.protected_tlvs[4].length, 0);
  EXPECT_EQ(r.layout.header.protect_tlv_size, 4 + 8 + 16 + 16 + 6 + 4);
  EXPECT_EQ(r.security_counter, 9u);
}

TEST(ImageBuilder, UnsignedImageHasOnlyTheHash) {
  const ImageReport r = InspectImage(BuildImage(VectorBytes("payloads/p1000.bin"), BaseOptions()));
  ASSERT_EQ(r.tlvs.size(), 1u);
  EXPECT_EQ(r.tlvs[0].type, image::kTlvSha256);
  VerifyRequest request;
  request.allow_unsigned = true;
  EXPECT_TRUE(
      VerifyImageBytes(BuildImage(VectorBytes("payloads/p1000.bin"), BaseOptions()), request).ok());
}

TEST(ImageBuilder, ClearEncryptionKeepsThePlaintextButAddsFlagAndEncTlv) {
  ImageBuildOptions o = BaseOptions();
  o.signing_key = &EcdsaKey();
  o.encryption = ImageEncryption{};
  o.encryption->recipient = LoadPublicKeyFile(VectorDir() / "keys/enc-ec256-pub.pem");
  o.encryption->clear = true;
  const std::vector<uint8_t> payload = VectorBytes("payloads/p1000.bin");
  const std::vector<uint8_t> image = BuildImage(payload, o);
  const ImageReport r = InspectImage(image);
  EXPECT_EQ(r.layout.header.flags, image::kFlagEncryptedAes128);
  EXPECT_EQ(r.layout.header.img_size, 1008u);  // padded to 16 with hdr_size
  EXPECT_TRUE(std::equal(payload.begin(), payload.end(), image.begin() + 0x200));
  ASSERT_NE(r.Find(image::kTlvEncEc256), nullptr);
  EXPECT_EQ(r.Find(image::kTlvEncEc256)->length, 65 + 32 + 16);
}

TEST(ImageTrailer, SizesMatchTheManifestTrailers) {
  for (const auto& image : test::Manifest()["images"]) {
    if (image["kind"] != "valid" || image["trailer"].is_null()) continue;
    const auto& t = image["trailer"];
    TrailerOptions o;
    o.align = t["align"];
    o.max_align = t["max_align"];
    o.encrypted = !image["encryption"].is_null();
    EXPECT_EQ(TrailerSize(o), t["trailer_size"]) << image["name"];
    const auto magic = BootMagic(o.max_align);
    EXPECT_EQ(test::ToHex(std::vector<uint8_t>(magic.begin(), magic.end())), t["magic_hex"]);
  }
  TrailerOptions overwrite;
  overwrite.overwrite_only = true;
  overwrite.max_align = 32;
  EXPECT_EQ(TrailerSize(overwrite), 2 * 32 + 32);
}

TEST(ImageTrailer, OverwriteOnlyDoesNotSetImageOk) {
  ImageBuildOptions o = BaseOptions();
  o.slot_size = 0x4000;
  o.confirm = true;
  o.overwrite_only = true;
  const std::vector<uint8_t> image = BuildImage(VectorBytes("payloads/p1000.bin"), o);
  ASSERT_EQ(image.size(), 0x4000u);
  const ImageReport r = InspectImage(image);
  ASSERT_TRUE(r.trailer.has_value());
  EXPECT_EQ(r.trailer->image_ok, 0xff);
}

}  // namespace
}  // namespace bleota::host
