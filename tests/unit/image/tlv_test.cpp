#include "bleota/image/tlv.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "image_test_support.hpp"

namespace bleota::image {
namespace {

using testing::Bytes;
using testing::ImageBuilder;
using testing::RawTlv;

struct Walk {
  std::vector<TlvEntry> entries;
  Status status;
};

Walk WalkAll(Readable& readable, const ImageLayout& layout, TlvArea area) {
  Walk walk;
  TlvIterator it(readable, layout, area);
  TlvEntry entry;
  while (true) {
    auto more = it.Next(entry);
    if (!more.ok()) {
      walk.status = more.status();
      return walk;
    }
    if (!*more) return walk;
    walk.entries.push_back(entry);
  }
}

TEST(TlvTest, WalksMatchTheManifestForEveryValidImage) {
  for (const auto& image : testing::Manifest()["images"]) {
    if (image["kind"] != "valid") continue;
    SCOPED_TRACE(image["name"].get<std::string>());
    const Bytes bytes = testing::ReadVector(image["file"]);
    MemoryReadable readable(bytes);
    auto layout = ParseImageHeader(readable);
    ASSERT_TRUE(layout.ok());

    const Walk prot = WalkAll(readable, *layout, TlvArea::kProtected);
    const Walk unprot = WalkAll(readable, *layout, TlvArea::kUnprotected);
    const Walk both = WalkAll(readable, *layout, TlvArea::kBoth);
    ASSERT_TRUE(prot.status.ok());
    ASSERT_TRUE(unprot.status.ok());
    ASSERT_TRUE(both.status.ok());
    ASSERT_EQ(prot.entries.size(), image["protected_tlvs"].size());
    ASSERT_EQ(unprot.entries.size(), image["tlvs"].size());
    ASSERT_EQ(both.entries.size(), prot.entries.size() + unprot.entries.size());
    for (size_t i = 0; i < prot.entries.size(); ++i) {
      const auto& want = image["protected_tlvs"][i];
      EXPECT_EQ(prot.entries[i].type, want["type"].get<uint16_t>());
      EXPECT_EQ(prot.entries[i].length, want["len"].get<uint16_t>());
      // The manifest's offset is the entry's 4-byte header.
      EXPECT_EQ(prot.entries[i].value_offset, want["offset"].get<uint32_t>() + 4);
      EXPECT_TRUE(prot.entries[i].is_protected);
      EXPECT_EQ(both.entries[i].value_offset, prot.entries[i].value_offset);
    }
    for (size_t i = 0; i < unprot.entries.size(); ++i) {
      const auto& want = image["tlvs"][i];
      EXPECT_EQ(unprot.entries[i].type, want["type"].get<uint16_t>());
      EXPECT_EQ(unprot.entries[i].length, want["len"].get<uint16_t>());
      EXPECT_EQ(unprot.entries[i].value_offset, want["offset"].get<uint32_t>() + 4);
      EXPECT_FALSE(unprot.entries[i].is_protected);
      EXPECT_EQ(both.entries[prot.entries.size() + i].value_offset, unprot.entries[i].value_offset);
    }
  }
}

ImageBuilder WithTlvs(std::vector<RawTlv> tlvs) {
  ImageBuilder b;
  b.payload = Bytes(40, 0x5a);
  b.tlvs = std::move(tlvs);
  return b;
}

TEST(TlvTest, EntryLengthPastTheAreaIsTlvBounds) {
  ImageBuilder b = WithTlvs({RawTlv{0x10, Bytes(32, 1)}, RawTlv{0x01, Bytes(32, 2)}});
  b.tlvs[1].length_override = 33;  // one byte past the area end
  Bytes image = b.Build();
  image.push_back(0);  // the byte exists in the file, but not in the area
  MemoryReadable readable(image);
  auto layout = ParseImageHeader(readable);
  ASSERT_TRUE(layout.ok());
  TlvIterator it(readable, *layout, TlvArea::kUnprotected);
  TlvEntry entry;
  ImageFault fault;
  auto first = it.Next(entry, &fault);
  ASSERT_TRUE(first.ok() && *first);
  auto second = it.Next(entry, &fault);
  EXPECT_EQ(second.status().code(), StatusCode::kImageTlvBounds);
  EXPECT_STREQ(fault.field, "tlv_len");
  EXPECT_EQ(fault.value, layout->tlv_end + 1);
  EXPECT_EQ(fault.limit, layout->tlv_end);
  // Failed iterators stay failed.
  EXPECT_EQ(it.Next(entry).status().code(), StatusCode::kImageTlvBounds);
}

TEST(TlvTest, PartialEntryHeaderIsTlvBounds) {
  for (int extra : {1, 2, 3}) {
    ImageBuilder b = WithTlvs({RawTlv{0x10, Bytes(32, 1)}});
    b.tlv_tot_override = 4 + 36 + extra;
    Bytes image = b.Build();
    image.resize(image.size() + extra, 0);
    MemoryReadable readable(image);
    auto layout = ParseImageHeader(readable);
    ASSERT_TRUE(layout.ok());
    EXPECT_EQ(WalkAll(readable, *layout, TlvArea::kUnprotected).status.code(),
              StatusCode::kImageTlvBounds)
        << extra;
  }
}

TEST(TlvTest, MaximalLengthCannotWrap) {
  ImageBuilder b = WithTlvs({RawTlv{0x10, Bytes(32, 1)}});
  b.tlvs[0].length_override = 0xffff;
  const Bytes image = b.Build();
  MemoryReadable readable(image);
  auto layout = ParseImageHeader(readable);
  ASSERT_TRUE(layout.ok());
  EXPECT_EQ(WalkAll(readable, *layout, TlvArea::kBoth).status.code(), StatusCode::kImageTlvBounds);
}

TEST(TlvTest, ZeroLengthEntriesAndExactEnd) {
  ImageBuilder b = WithTlvs({RawTlv{0xa1, {}}, RawTlv{0xa2, {7}}, RawTlv{0xa3, {}}});
  const Bytes image = b.Build();
  MemoryReadable readable(image);
  auto layout = ParseImageHeader(readable);
  ASSERT_TRUE(layout.ok());
  const Walk walk = WalkAll(readable, *layout, TlvArea::kBoth);
  ASSERT_TRUE(walk.status.ok());
  ASSERT_EQ(walk.entries.size(), 3u);
  EXPECT_EQ(walk.entries[1].type, 0xa2);
  EXPECT_EQ(walk.entries[1].length, 1);
  EXPECT_EQ(walk.entries[2].value_offset, layout->tlv_end);
}

TEST(TlvTest, ProtectedOverrunIsTlvBoundsInTheProtectedArea) {
  ImageBuilder b = WithTlvs({RawTlv{0x10, Bytes(32, 1)}});
  b.protected_tlvs = {RawTlv{0x50, {1, 2, 3, 4}}};
  b.protected_tlvs[0].length_override = 5;  // runs into the unprotected info header
  const Bytes image = b.Build();
  MemoryReadable readable(image);
  auto layout = ParseImageHeader(readable);
  ASSERT_TRUE(layout.ok());
  ImageFault fault;
  TlvIterator it(readable, *layout, TlvArea::kBoth);
  TlvEntry entry;
  EXPECT_EQ(it.Next(entry, &fault).status().code(), StatusCode::kImageTlvBounds);
  EXPECT_STREQ(fault.field, "protected_tlv_len");
  // The unprotected area on its own is fine.
  EXPECT_TRUE(WalkAll(readable, *layout, TlvArea::kUnprotected).status.ok());
}

TEST(TlvTest, ReadValueChecksTheBuffer) {
  ImageBuilder b = WithTlvs({RawTlv{0xa0, {1, 2, 3, 4, 5}}});
  const Bytes image = b.Build();
  MemoryReadable readable(image);
  auto layout = ParseImageHeader(readable);
  ASSERT_TRUE(layout.ok());
  const Walk walk = WalkAll(readable, *layout, TlvArea::kUnprotected);
  ASSERT_EQ(walk.entries.size(), 1u);
  uint8_t small[4];
  EXPECT_EQ(ReadTlvValue(readable, walk.entries[0], small).code(), StatusCode::kResourceExhausted);
  uint8_t big[8] = {};
  ASSERT_TRUE(ReadTlvValue(readable, walk.entries[0], big).ok());
  EXPECT_EQ(big[4], 5);
  EXPECT_EQ(big[5], 0);  // nothing written past the value
}

TEST(TlvTest, ProtectedTlvsOfTheVectors) {
  for (const auto& image : testing::Manifest()["images"]) {
    if (image["kind"] != "valid") continue;
    SCOPED_TRACE(image["name"].get<std::string>());
    const Bytes bytes = testing::ReadVector(image["file"]);
    MemoryReadable readable(bytes);
    auto layout = ParseImageHeader(readable);
    ASSERT_TRUE(layout.ok());
    auto prot = ReadProtectedTlvs(readable, *layout);
    ASSERT_TRUE(prot.ok());
    if (image["security_counter"].is_null()) {
      EXPECT_FALSE(prot->has_security_counter);
    } else {
      EXPECT_TRUE(prot->has_security_counter);
      EXPECT_EQ(prot->security_counter, image["security_counter"].get<uint32_t>());
    }
    size_t want_dependencies = 0;
    if (image.contains("protected_tlv_values_hex") &&
        image["protected_tlv_values_hex"].contains("DEPENDENCY")) {
      const auto& deps = image["protected_tlv_values_hex"]["DEPENDENCY"];
      want_dependencies = deps.size();
      for (size_t i = 0; i < deps.size() && i < prot->dependency_count; ++i) {
        const Bytes raw = testing::FromHex(deps[i]);
        ASSERT_EQ(raw.size(), kDependencyValueSize);
        const ImageDependency& d = prot->dependencies[i];
        EXPECT_EQ(d.image_id, raw[0]);
        EXPECT_EQ(d.min_version.major, raw[4]);
        EXPECT_EQ(d.min_version.minor, raw[5]);
        EXPECT_EQ(d.min_version.revision, LoadLe16(&raw[6]));
        EXPECT_EQ(d.min_version.build, LoadLe32(&raw[8]));
      }
    }
    EXPECT_EQ(prot->dependency_count, want_dependencies);
  }
}

Result<ProtectedTlvs> ReadProtected(const ImageBuilder& b) {
  const Bytes image = b.Build();
  MemoryReadable readable(image);
  auto layout = ParseImageHeader(readable);
  if (!layout.ok()) return layout.status();
  return ReadProtectedTlvs(readable, *layout);
}

Bytes Dependency(uint8_t id, ImageVersion v) {
  Bytes d(kDependencyValueSize, 0);
  d[0] = id;
  d[4] = v.major;
  d[5] = v.minor;
  StoreLe16(&d[6], v.revision);
  StoreLe32(&d[8], v.build);
  return d;
}

TEST(TlvTest, ProtectedTlvRules) {
  ImageBuilder base = WithTlvs({RawTlv{0x10, Bytes(32, 1)}});

  ImageBuilder ok = base;
  ok.protected_tlvs = {RawTlv{0x50, {0x78, 0x56, 0x34, 0x12}},
                       RawTlv{0x40, Dependency(2, {3, 4, 0x506, 0x708090a})}, RawTlv{0xa0, {9, 9}}};
  auto prot = ReadProtected(ok);
  ASSERT_TRUE(prot.ok());
  EXPECT_EQ(prot->security_counter, 0x12345678u);
  ASSERT_EQ(prot->dependency_count, 1);
  EXPECT_EQ(prot->dependencies[0].image_id, 2);
  EXPECT_EQ(CompareImageVersions(prot->dependencies[0].min_version, {3, 4, 0x506, 0x708090a}), 0);

  ImageBuilder duplicate = base;
  duplicate.protected_tlvs = {RawTlv{0x50, {1, 0, 0, 0}}, RawTlv{0x50, {2, 0, 0, 0}}};
  EXPECT_EQ(ReadProtected(duplicate).status().code(), StatusCode::kImageUnsupported);

  ImageBuilder short_counter = base;
  short_counter.protected_tlvs = {RawTlv{0x50, {1, 0, 0}}};
  EXPECT_EQ(ReadProtected(short_counter).status().code(), StatusCode::kImageTlvBounds);

  ImageBuilder long_dependency = base;
  Bytes dep = Dependency(1, {1, 0, 0, 0});
  dep.push_back(0);
  long_dependency.protected_tlvs = {RawTlv{0x40, dep}};
  EXPECT_EQ(ReadProtected(long_dependency).status().code(), StatusCode::kImageTlvBounds);

  ImageBuilder many = base;
  for (uint8_t i = 0; i < kMaxDependencies; ++i) {
    many.protected_tlvs.push_back(RawTlv{0x40, Dependency(i, {1, 0, 0, 0})});
  }
  prot = ReadProtected(many);
  ASSERT_TRUE(prot.ok());
  EXPECT_EQ(prot->dependency_count, kMaxDependencies);
  EXPECT_EQ(prot->dependencies[kMaxDependencies - 1].image_id, kMaxDependencies - 1);
  many.protected_tlvs.push_back(RawTlv{0x40, Dependency(9, {1, 0, 0, 0})});
  EXPECT_EQ(ReadProtected(many).status().code(), StatusCode::kImageUnsupported);

  // Outside the hashed area a security counter means nothing.
  ImageBuilder unprotected = WithTlvs({RawTlv{0x10, Bytes(32, 1)}, RawTlv{0x50, {7, 0, 0, 0}}});
  prot = ReadProtected(unprotected);
  ASSERT_TRUE(prot.ok());
  EXPECT_FALSE(prot->has_security_counter);
}

}  // namespace
}  // namespace bleota::image
