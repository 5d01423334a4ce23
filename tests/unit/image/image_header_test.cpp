#include "bleota/image/image_header.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <string>

#include "image_test_support.hpp"

namespace bleota::image {
namespace {

using testing::Bytes;
using testing::ImageBuilder;
using testing::RawTlv;

Result<ImageLayout> Parse(const Bytes& bytes, ImageFault* fault = nullptr) {
  testing::RecordingReadable readable(bytes);
  return ParseImageHeader(readable, fault);
}

StatusCode ParseCode(const Bytes& bytes) { return Parse(bytes).status().code(); }

ImageBuilder SmallImage() {
  ImageBuilder b;
  b.payload = Bytes(100, 0xa5);
  b.tlvs.push_back(RawTlv{0x10, Bytes(32, 0x11)});
  return b;
}

TEST(ImageHeaderTest, DecodesEveryFieldAtItsOffset) {
  const uint8_t raw[kImageHeaderSize] = {
      0x3d, 0xb8, 0xf3, 0x96,  // magic
      0x11, 0x22, 0x33, 0x44,  // load_addr
      0x00, 0x02,              // hdr_size
      0x0c, 0x00,              // protect_tlv_size
      0x78, 0x56, 0x34, 0x12,  // img_size
      0x24, 0x01, 0x00, 0x00,  // flags
      0x07,                    // major
      0x08,                    // minor
      0x09, 0x0a,              // revision
      0x0b, 0x0c, 0x0d, 0x0e,  // build
      0x00, 0x00, 0x00, 0x00,  // pad
  };
  const ImageHeader h = DecodeImageHeader(raw);
  EXPECT_EQ(h.magic, kImageMagic);
  EXPECT_EQ(h.load_addr, 0x44332211u);
  EXPECT_EQ(h.hdr_size, 0x200);
  EXPECT_EQ(h.protect_tlv_size, 12);
  EXPECT_EQ(h.img_size, 0x12345678u);
  EXPECT_EQ(h.flags, kFlagRomFixed | kFlagRamLoad | kFlagEncryptedAes128);
  EXPECT_EQ(h.version.major, 7);
  EXPECT_EQ(h.version.minor, 8);
  EXPECT_EQ(h.version.revision, 0x0a09);
  EXPECT_EQ(h.version.build, 0x0e0d0c0bu);

  uint8_t encoded[kImageHeaderSize];
  std::memset(encoded, 0xee, sizeof(encoded));
  EncodeImageHeader(h, encoded);
  EXPECT_EQ(0, std::memcmp(raw, encoded, sizeof(raw)));
}

TEST(ImageHeaderTest, ParsesALayoutWithTrailingSlotSpace) {
  ImageBuilder b = SmallImage();
  b.header.hdr_size = 0x40;
  b.protected_tlvs.push_back(RawTlv{0x50, {1, 0, 0, 0}});
  Bytes image = b.Build();
  const size_t image_size = image.size();
  image.resize(image_size + 1000, 0xff);  // rest of the slot

  auto layout = Parse(image);
  ASSERT_TRUE(layout.ok()) << layout.status().name();
  EXPECT_EQ(layout->payload_offset, 0x40u);
  EXPECT_EQ(layout->payload_size, 100u);
  EXPECT_EQ(layout->protected_tlv_offset, 0x40u + 100);
  EXPECT_EQ(layout->protected_tlv_size, 4u + 8);
  EXPECT_EQ(layout->tlv_offset, 0x40u + 100 + 12);
  EXPECT_EQ(layout->tlv_size, 4u + 36);
  EXPECT_EQ(layout->tlv_end, image_size);
  EXPECT_EQ(layout->hash_region_end(), layout->tlv_offset);
  EXPECT_EQ(layout->unknown_flags, 0u);
  EXPECT_FALSE(layout->encrypted());
}

TEST(ImageHeaderTest, ShorterThanAHeaderIsOutOfBounds) {
  const Bytes image = SmallImage().Build();
  for (size_t n = 0; n < kImageHeaderSize; ++n) {
    ImageFault fault;
    EXPECT_EQ(Parse(Bytes(image.begin(), image.begin() + n), &fault).status().code(),
              StatusCode::kImageBounds)
        << n;
    EXPECT_STREQ(fault.field, "header");
    EXPECT_EQ(fault.limit, n);
  }
}

TEST(ImageHeaderTest, BadMagic) {
  ImageBuilder b = SmallImage();
  b.header.magic = 0x96f3b83c;
  ImageFault fault;
  EXPECT_EQ(Parse(b.Build(), &fault).status().code(), StatusCode::kImageHeaderMagic);
  EXPECT_EQ(fault.code, StatusCode::kImageHeaderMagic);
  EXPECT_STREQ(fault.field, "magic");
  EXPECT_EQ(fault.value, 0x96f3b83cu);
  EXPECT_EQ(fault.limit, kImageMagic);
}

TEST(ImageHeaderTest, HeaderSizeBelow32IsRejected) {
  for (uint16_t hdr_size : {0, 1, 16, 31}) {
    ImageBuilder b = SmallImage();
    b.header.hdr_size = hdr_size;
    ImageFault fault;
    EXPECT_EQ(Parse(b.Build(), &fault).status().code(), StatusCode::kImageHeaderSize) << hdr_size;
    EXPECT_EQ(fault.value, hdr_size);
    EXPECT_EQ(fault.limit, 32u);
  }
  ImageBuilder b = SmallImage();
  b.header.hdr_size = 32;
  EXPECT_TRUE(Parse(b.Build()).ok());
}

TEST(ImageHeaderTest, HeaderSizeBeyondTheAreaIsOutOfBounds) {
  ImageBuilder b = SmallImage();
  b.header.hdr_size = 0xffff;
  b.fix_sizes = false;
  b.header.img_size = 0;
  Bytes image = b.Build();
  image.resize(0x1000);
  EXPECT_EQ(ParseCode(image), StatusCode::kImageBounds);
}

TEST(ImageHeaderTest, ImageSizeBeyondTheAreaReportsTheRoomLeft) {
  ImageBuilder b = SmallImage();
  b.fix_sizes = false;
  b.header.img_size = 300000;
  Bytes image = b.Build();
  image.resize(262144, 0xff);
  ImageFault fault;
  EXPECT_EQ(Parse(image, &fault).status().code(), StatusCode::kImageBounds);
  EXPECT_STREQ(fault.field, "img_size");
  EXPECT_EQ(fault.value, 300000u);
  EXPECT_EQ(fault.limit, 262144u - 32);
}

TEST(ImageHeaderTest, SizesThatWrapAround2To32AreRejected) {
  // hdr_size + img_size wraps to a small number that would land inside the file.
  for (uint32_t img_size : {0xffffffffu, 0xffffffe0u, 0xfffffe00u, 0x80000000u}) {
    ImageBuilder b = SmallImage();
    b.header.hdr_size = 0x200;
    b.fix_sizes = false;
    b.header.img_size = img_size;
    Bytes image = b.Build();
    image.resize(0x1000, 0xff);
    EXPECT_EQ(ParseCode(image), StatusCode::kImageBounds) << img_size;
  }
}

TEST(ImageHeaderTest, PayloadEndingAtTheEndLeavesNoRoomForTlvs) {
  ImageBuilder b = SmallImage();
  Bytes image = b.Build();
  image.resize(32 + 100);
  ImageFault fault;
  EXPECT_EQ(Parse(image, &fault).status().code(), StatusCode::kImageBounds);
  EXPECT_STREQ(fault.field, "tlv_info");
  // Two bytes of the info header present: still out of bounds.
  image = b.Build();
  image.resize(32 + 100 + 2);
  EXPECT_EQ(ParseCode(image), StatusCode::kImageBounds);
}

TEST(ImageHeaderTest, ProtectedAreaChecksInOrder) {
  ImageBuilder b = SmallImage();
  b.protected_tlvs.push_back(RawTlv{0x50, {5, 0, 0, 0}});
  ASSERT_TRUE(Parse(b.Build()).ok());

  ImageBuilder magic = b;
  magic.prot_magic = 0x6909;
  ImageFault fault;
  EXPECT_EQ(Parse(magic.Build(), &fault).status().code(), StatusCode::kImageProtTlvMagic);
  EXPECT_EQ(fault.value, 0x6909u);
  EXPECT_EQ(fault.limit, kTlvProtInfoMagic);

  ImageBuilder tot = b;
  tot.prot_tot_override = 16;
  EXPECT_EQ(Parse(tot.Build(), &fault).status().code(), StatusCode::kImageProtectTlvSize);
  EXPECT_EQ(fault.value, 12u);
  EXPECT_EQ(fault.limit, 16u);

  // protect_tlv_size that agrees with tlv_tot but cannot hold the info header.
  ImageBuilder tiny = b;
  tiny.fix_sizes = false;
  tiny.header.img_size = 100;
  tiny.header.protect_tlv_size = 2;
  tiny.prot_tot_override = 2;
  EXPECT_EQ(Parse(tiny.Build(), &fault).status().code(), StatusCode::kImageProtectTlvSize);

  // A protected area larger than what is left of the file.
  ImageBuilder big = b;
  big.fix_sizes = false;
  big.header.img_size = 100;
  big.header.protect_tlv_size = 0xfff0;
  big.prot_tot_override = 0xfff0;
  EXPECT_EQ(Parse(big.Build(), &fault).status().code(), StatusCode::kImageBounds);
  EXPECT_STREQ(fault.field, "protect_tlv_size");

  // A protected area the header does not announce is read as the unprotected one.
  ImageBuilder unannounced = b;
  unannounced.fix_sizes = false;
  unannounced.header.img_size = 100;
  unannounced.header.protect_tlv_size = 0;
  EXPECT_EQ(Parse(unannounced.Build(), &fault).status().code(), StatusCode::kImageTlvMagic);
  EXPECT_EQ(fault.value, kTlvProtInfoMagic);
}

TEST(ImageHeaderTest, ProtectedInfoHeaderBeyondTheFile) {
  ImageBuilder b = SmallImage();
  b.protected_tlvs.push_back(RawTlv{0x50, {5, 0, 0, 0}});
  Bytes image = b.Build();
  image.resize(32 + 100 + 3);
  ImageFault fault;
  EXPECT_EQ(Parse(image, &fault).status().code(), StatusCode::kImageBounds);
  EXPECT_STREQ(fault.field, "protected_tlv_info");
}

TEST(ImageHeaderTest, UnprotectedAreaChecks) {
  ImageBuilder b = SmallImage();
  ImageFault fault;

  ImageBuilder magic = b;
  magic.tlv_magic = 0x6906;
  EXPECT_EQ(Parse(magic.Build(), &fault).status().code(), StatusCode::kImageTlvMagic);
  EXPECT_EQ(fault.value, 0x6906u);

  for (int tot : {0, 1, 3}) {
    ImageBuilder small = b;
    small.tlv_tot_override = tot;
    EXPECT_EQ(Parse(small.Build(), &fault).status().code(), StatusCode::kImageTlvBounds) << tot;
    EXPECT_STREQ(fault.field, "tlv_tot");
  }

  ImageBuilder big = b;
  big.tlv_tot_override = 4 + 36 + 1;
  EXPECT_EQ(Parse(big.Build(), &fault).status().code(), StatusCode::kImageBounds);
  EXPECT_STREQ(fault.field, "tlv_tot");
  EXPECT_EQ(fault.value, 41u);
  EXPECT_EQ(fault.limit, 40u);

  ImageBuilder empty = b;
  empty.tlvs.clear();
  auto layout = Parse(empty.Build());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->tlv_size, 4u);
}

TEST(ImageHeaderTest, FlagsAreReportedNotJudged) {
  ImageBuilder b = SmallImage();
  b.header.flags = kFlagCompressedLzma2 | kFlagRamLoad | 0x80000000u | 0x2;
  auto layout = Parse(b.Build());
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(layout->unknown_flags, 0x80000002u);
  b.header.flags = kFlagEncryptedAes256;
  layout = Parse(b.Build());
  ASSERT_TRUE(layout.ok());
  EXPECT_TRUE(layout->encrypted());
}

TEST(ImageHeaderTest, EncryptionKeySizeFromFlags) {
  EXPECT_EQ(EncryptionKeySize(0), 0);
  EXPECT_EQ(EncryptionKeySize(kFlagRomFixed), 0);
  EXPECT_EQ(EncryptionKeySize(kFlagEncryptedAes128 | kFlagRomFixed), 16);
  EXPECT_EQ(EncryptionKeySize(kFlagEncryptedAes256), 32);
  EXPECT_EQ(EncryptionKeySize(kFlagsEncrypted), kInvalidKeySize);
}

TEST(ImageHeaderTest, VersionOrder) {
  const ImageVersion base{1, 2, 3, 4};
  EXPECT_EQ(CompareImageVersions(base, base), 0);
  EXPECT_LT(CompareImageVersions(base, ImageVersion{2, 0, 0, 0}), 0);
  EXPECT_GT(CompareImageVersions(base, ImageVersion{1, 1, 0xffff, 0xffffffff}), 0);
  EXPECT_LT(CompareImageVersions(base, ImageVersion{1, 2, 4, 0}), 0);
  EXPECT_GT(CompareImageVersions(ImageVersion{1, 2, 0x100, 0}, ImageVersion{1, 2, 0xff, 9}), 0);
  EXPECT_LT(CompareImageVersions(base, ImageVersion{1, 2, 3, 5}), 0);
  EXPECT_EQ(CompareImageVersions(base, ImageVersion{1, 2, 3, 5}, VersionOrder::kIgnoreBuild), 0);
}

// A readable whose reads fail: the flash error comes back unchanged.
class FailingReadable final : public Readable {
 public:
  Status Read(uint32_t, ByteSpan) override { return StatusCode::kFlashIo; }
  uint32_t size() const override { return 4096; }
};

TEST(ImageHeaderTest, ReadErrorsPropagate) {
  FailingReadable readable;
  EXPECT_EQ(ParseImageHeader(readable).status().code(), StatusCode::kFlashIo);
}

TEST(ImageHeaderTest, ManifestHeadersAndLayouts) {
  for (const auto& entry : testing::Manifest()["images"]) {
    if (entry["kind"] != "valid") continue;
    const std::string name = entry["name"];
    SCOPED_TRACE(name);
    auto layout = Parse(testing::ReadVector(entry["file"]));
    ASSERT_TRUE(layout.ok()) << layout.status().name();
    const auto& h = entry["header"];
    EXPECT_EQ(layout->header.magic, h["magic"].get<uint32_t>());
    EXPECT_EQ(layout->header.load_addr, h["load_addr"].get<uint32_t>());
    EXPECT_EQ(layout->header.hdr_size, h["hdr_size"].get<uint32_t>());
    EXPECT_EQ(layout->header.protect_tlv_size, h["protect_tlv_size"].get<uint32_t>());
    EXPECT_EQ(layout->header.img_size, h["img_size"].get<uint32_t>());
    EXPECT_EQ(layout->header.flags, h["flags"].get<uint32_t>());
    EXPECT_EQ(layout->header.version.major, h["version_fields"]["major"].get<uint32_t>());
    EXPECT_EQ(layout->header.version.minor, h["version_fields"]["minor"].get<uint32_t>());
    EXPECT_EQ(layout->header.version.revision, h["version_fields"]["revision"].get<uint32_t>());
    EXPECT_EQ(layout->header.version.build, h["version_fields"]["build"].get<uint32_t>());
    const auto& l = entry["layout"];
    EXPECT_EQ(layout->payload_offset, l["payload_offset"].get<uint32_t>());
    if (l["protected_tlv_area_offset"].is_null()) {
      EXPECT_EQ(layout->protected_tlv_size, 0u);
    } else {
      EXPECT_EQ(layout->protected_tlv_offset, l["protected_tlv_area_offset"].get<uint32_t>());
    }
    EXPECT_EQ(layout->tlv_offset, l["tlv_area_offset"].get<uint32_t>());
    EXPECT_EQ(layout->tlv_size, l["tlv_area_tlv_tot"].get<uint32_t>());
    EXPECT_EQ(layout->tlv_end, l["tlv_end"].get<uint32_t>());
    EXPECT_EQ(layout->hash_region_end(), l["hash_region"][1].get<uint32_t>());
  }
}

}  // namespace
}  // namespace bleota::image
