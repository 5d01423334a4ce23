#include "bleota/smp/cbor_reader.hpp"

#include <gtest/gtest.h>

#include <array>
#include <string>
#include <vector>

#include "bleota/smp/cbor_writer.hpp"
#include "cbor_value.hpp"

namespace bleota::smp {
namespace {

using testing::CborValue;
using testing::DecodeValue;
using testing::EncodeValue;
using testing::FromHex;
using testing::ToHex;

// Decodes the whole input as one item; the status of the first failure.
Status DecodeAll(const std::vector<uint8_t>& input, CborValue& out, CborLimits limits = {}) {
  CborReader reader(input, limits);
  BLEOTA_TRY(DecodeValue(reader, out));
  return reader.ExpectEnd();
}

Status SkipAll(const std::vector<uint8_t>& input, CborLimits limits = {}) {
  CborReader reader(input, limits);
  BLEOTA_TRY(reader.Skip());
  return reader.ExpectEnd();
}

std::string Reencode(const CborValue& value) {
  std::vector<uint8_t> buffer(4096);
  CborWriter writer(buffer);
  EncodeValue(writer, value);
  EXPECT_TRUE(writer.status().ok());
  return ToHex(writer.written());
}

// RFC 8949 Appendix A, the supported types: each decodes, skips whole, and re-encodes to itself.
TEST(CborReaderTest, DecodesRfc8949AppendixAExamples) {
  const char* const examples[] = {"00",
                                  "01",
                                  "0a",
                                  "17",
                                  "1818",
                                  "1819",
                                  "1864",
                                  "1903e8",
                                  "1a000f4240",
                                  "1b000000e8d4a51000",
                                  "1bffffffffffffffff",
                                  "3bffffffffffffffff",
                                  "20",
                                  "29",
                                  "3863",
                                  "3903e7",
                                  "f4",
                                  "f5",
                                  "f6",
                                  "40",
                                  "4401020304",
                                  "60",
                                  "6161",
                                  "6449455446",
                                  "62225c",
                                  "62c3bc",
                                  "63e6b0b4",
                                  "80",
                                  "83010203",
                                  "8301820203820405",
                                  "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
                                  "a0",
                                  "a201020304",
                                  "a26161016162820203",
                                  "826161a161626163",
                                  "a56161614161626142616361436164614461656145",
                                  "9fff",
                                  "9f018202039f0405ffff",
                                  "9f01820203820405ff",
                                  "83018202039f0405ff",
                                  "83019f0203ff820405",
                                  "9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
                                  "bf61610161629f0203ffff",
                                  "826161bf61626163ff",
                                  "bf6346756ef563416d7421ff"};
  for (const char* hex : examples) {
    const std::vector<uint8_t> input = FromHex(hex);
    CborValue value;
    ASSERT_TRUE(DecodeAll(input, value).ok()) << hex;
    EXPECT_EQ(Reencode(value), hex);
    EXPECT_TRUE(SkipAll(input).ok()) << hex;
  }
}

TEST(CborReaderTest, ReadsIntegerValues) {
  struct Case {
    const char* hex;
    int64_t value;
  };
  for (const Case& c :
       {Case{"00", 0}, Case{"17", 23}, Case{"1818", 24}, Case{"1903e8", 1000},
        Case{"1a000f4240", 1000000}, Case{"1b000000e8d4a51000", 1000000000000}, Case{"20", -1},
        Case{"3863", -100}, Case{"3903e7", -1000}, Case{"3b7fffffffffffffff", INT64_MIN},
        Case{"1b7fffffffffffffff", INT64_MAX}}) {
    const std::vector<uint8_t> input = FromHex(c.hex);
    CborReader reader(input);
    const Result<int64_t> value = reader.ReadInt();
    ASSERT_TRUE(value.ok()) << c.hex;
    EXPECT_EQ(*value, c.value) << c.hex;
  }
  const std::vector<uint8_t> max = FromHex("1bffffffffffffffff");
  EXPECT_EQ(*CborReader(max).ReadUint(), UINT64_MAX);
  EXPECT_EQ(CborReader(max).ReadInt().status().code(), StatusCode::kOutOfRange);
  EXPECT_EQ(CborReader(max).ReadUint32().status().code(), StatusCode::kOutOfRange);
  const std::vector<uint8_t> min = FromHex("3bffffffffffffffff");
  EXPECT_EQ(CborReader(min).ReadInt().status().code(), StatusCode::kOutOfRange);
  const Result<CborItem> item = CborReader(min).Next();
  ASSERT_TRUE(item.ok());
  EXPECT_EQ(item->type, CborType::kNegative);
  EXPECT_EQ(item->argument, UINT64_MAX);  // -2^64
  const std::vector<uint8_t> u32 = FromHex("1affffffff");
  EXPECT_EQ(*CborReader(u32).ReadUint32(), UINT32_MAX);
  const std::vector<uint8_t> u33 = FromHex("1b0000000100000000");
  EXPECT_EQ(CborReader(u33).ReadUint32().status().code(), StatusCode::kOutOfRange);
  // Non-shortest heads are well-formed and accepted.
  const std::vector<uint8_t> long_five = FromHex("1b0000000000000005");
  EXPECT_EQ(*CborReader(long_five).ReadUint(), 5u);
}

TEST(CborReaderTest, ReadsStringsAsSpansIntoTheInput) {
  const std::vector<uint8_t> input = FromHex(
      "6449455446"
      "4401020304");
  CborReader reader(input);
  const Result<std::string_view> text = reader.ReadText();
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text, "IETF");
  EXPECT_EQ(reinterpret_cast<const uint8_t*>(text->data()), input.data() + 1);
  const Result<ConstByteSpan> bytes = reader.ReadBytes();
  ASSERT_TRUE(bytes.ok());
  EXPECT_EQ(bytes->data(), input.data() + 6);
  EXPECT_EQ(ToHex(*bytes), "01020304");
  EXPECT_TRUE(reader.ExpectEnd().ok());
}

TEST(CborReaderTest, WrongTypeIsInvalidArgument) {
  const std::vector<uint8_t> text = FromHex("6161");
  EXPECT_EQ(CborReader(text).ReadUint().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CborReader(text).ReadBytes().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CborReader(text).ReadBool().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CborReader(text).ReadNull().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CborReader(text).EnterMap().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CborReader(text).EnterArray().status().code(), StatusCode::kInvalidArgument);
  const std::vector<uint8_t> uint = FromHex("01");
  EXPECT_EQ(CborReader(uint).ReadText().status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(CborReader(uint).FindKey("a").status().code(), StatusCode::kInvalidArgument);
  const std::vector<uint8_t> two = FromHex("0102");
  CborReader reader(two);
  ASSERT_TRUE(reader.ReadUint().ok());
  EXPECT_EQ(reader.ExpectEnd().code(), StatusCode::kInvalidArgument);
}

// Floats, tags, other simple values and indefinite-length strings are refused, not misread.
TEST(CborReaderTest, RefusesUnsupportedItems) {
  for (const char* hex :
       {"f90000", "f93c00", "fa47c35000", "fb3ff199999999999a", "f7", "f0", "f8ff",
        "c074323031332d30332d32315432303a30343a30305a", "c11a514b67b0", "d82076687474703a2f2f",
        "5f42010243030405ff", "7f657374726561646d696e67ff", "7fff", "5fff"}) {
    const std::vector<uint8_t> input = FromHex(hex);
    EXPECT_EQ(CborReader(input).Next().status().code(), StatusCode::kUnsupported) << hex;
    EXPECT_EQ(SkipAll(input).code(), StatusCode::kUnsupported) << hex;
  }
  // Inside a map: an unknown key with a float value makes FindKey fail rather than skip it.
  const std::vector<uint8_t> map = FromHex("a2616101616bf93c00");
  EXPECT_EQ(CborReader(map).FindKey("a").status().code(), StatusCode::kUnsupported);
}

TEST(CborReaderTest, RejectsMalformedItems) {
  for (const char* hex : {
           "1c",     "1d",     "1e",   "3c",   "5c", "7d",
           "9e",     "be",     "dc",   "fc",   "fd", "fe",  // reserved
           "1f",     "3f",     "df",                        // indefinite ints and tags do not exist
           "ff",                                            // a break outside any container
           "f800",   "f81f",                                // two-byte simple values below 32
           "8201ff", "82ff01",                              // a break in a definite array
           "a1ff01", "bf01ff", "bf01", "9f01", "bf",        // odd maps, missing breaks
       }) {
    const std::vector<uint8_t> input = FromHex(hex);
    CborValue value;
    EXPECT_EQ(DecodeAll(input, value).code(), StatusCode::kDataLoss) << hex;
    EXPECT_EQ(SkipAll(input).code(), StatusCode::kDataLoss) << hex;
  }
  const std::vector<uint8_t> empty;
  EXPECT_EQ(CborReader(empty).Next().status().code(), StatusCode::kDataLoss);
}

// Lengths and counts far beyond the input are rejected from the head, before any loop.
TEST(CborReaderTest, RejectsHugeDeclaredLengths) {
  for (const char* hex : {"5bffffffffffffffff00", "7bffffffffffffffff", "5a0001000000",
                          "7a7fffffff6161", "9bffffffffffffffff00", "bbffffffffffffffff0000",
                          "9a0000000201", "a20101", "4501020304", "6461"}) {
    const std::vector<uint8_t> input = FromHex(hex);
    EXPECT_EQ(CborReader(input).Next().status().code(), StatusCode::kDataLoss) << hex;
    EXPECT_EQ(SkipAll(input).code(), StatusCode::kDataLoss) << hex;
  }
}

// Every proper prefix of a valid encoding is rejected as kDataLoss (and read in bounds:
// each prefix is copied into a buffer of exactly its size, so ASan sees any overrun).
TEST(CborReaderTest, RejectsEveryTruncation) {
  for (const char* hex : {"1b000000e8d4a51000", "3bffffffffffffffff", "4401020304", "6449455446",
                          "98190102030405060708090a0b0c0d0e0f101112131415161718181819",
                          "a56161614161626142616361436164614461656145", "9f018202039f0405ffff",
                          "bf61610161629f0203ffff", "bf6346756ef563416d7421ff",
                          "a4636f666600646461746143010203636c656e1a0001000065696d61676500"}) {
    const std::vector<uint8_t> full = FromHex(hex);
    for (size_t length = 0; length < full.size(); ++length) {
      const std::vector<uint8_t> prefix(full.begin(), full.begin() + length);
      CborValue value;
      EXPECT_EQ(DecodeAll(prefix, value).code(), StatusCode::kDataLoss) << hex << " " << length;
      EXPECT_EQ(SkipAll(prefix).code(), StatusCode::kDataLoss) << hex << " " << length;
      EXPECT_NE(CborReader(prefix).FindKey("image").status().code(), StatusCode::kOk);
    }
  }
}

std::vector<uint8_t> NestedArrays(int depth) {
  std::vector<uint8_t> out(depth, 0x81);
  out.push_back(0x00);
  return out;
}

TEST(CborReaderTest, SkipEnforcesTheNestingLimit) {
  EXPECT_TRUE(SkipAll(NestedArrays(8)).ok());
  EXPECT_EQ(SkipAll(NestedArrays(9)).code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(SkipAll(NestedArrays(1000)).code(), StatusCode::kResourceExhausted);
  std::vector<uint8_t> indefinite(9, 0x9f);
  indefinite.insert(indefinite.end(), 9, 0xff);
  EXPECT_EQ(SkipAll(indefinite).code(), StatusCode::kResourceExhausted);
  indefinite.erase(indefinite.begin());
  indefinite.pop_back();
  EXPECT_TRUE(SkipAll(indefinite).ok());
  EXPECT_TRUE(SkipAll(NestedArrays(3), CborLimits{3, 100}).ok());
  EXPECT_EQ(SkipAll(NestedArrays(4), CborLimits{3, 100}).code(), StatusCode::kResourceExhausted);
  // FindKey counts the map itself: values may nest max_depth - 1 more containers.
  std::vector<uint8_t> map = FromHex("a16176");
  std::vector<uint8_t> deep = NestedArrays(7);
  map.insert(map.end(), deep.begin(), deep.end());
  EXPECT_TRUE(CborReader(map).FindKey("v").ok());
  map.insert(map.begin() + 3, 0x81);
  EXPECT_EQ(CborReader(map).FindKey("v").status().code(), StatusCode::kResourceExhausted);
}

TEST(CborReaderTest, ItemBudgetBoundsTheWork) {
  std::vector<uint8_t> array = {0x99, 0x01, 0x00};  // 256 zeros
  array.insert(array.end(), 256, 0x00);
  EXPECT_TRUE(SkipAll(array).ok());
  EXPECT_TRUE(SkipAll(array, CborLimits{8, 257}).ok());
  EXPECT_EQ(SkipAll(array, CborLimits{8, 256}).code(), StatusCode::kResourceExhausted);
  std::vector<uint8_t> indefinite = {0x9f};
  indefinite.insert(indefinite.end(), 10, 0x00);
  indefinite.push_back(0xff);
  EXPECT_TRUE(SkipAll(indefinite, CborLimits{8, 12}).ok());  // the break counts too
  EXPECT_EQ(SkipAll(indefinite, CborLimits{8, 11}).code(), StatusCode::kResourceExhausted);
}

// The first upload request as smpmgr sends it, and the same as an indefinite-length map.
std::vector<uint8_t> UploadRequest(bool indefinite, const std::vector<uint8_t>& data) {
  std::vector<uint8_t> sha(32);
  for (size_t i = 0; i < sha.size(); ++i) sha[i] = static_cast<uint8_t>(0xa0 + i);
  std::vector<uint8_t> buffer(1024);
  CborWriter writer(buffer);
  indefinite ? writer.BeginIndefiniteMap() : writer.BeginMap(6);
  writer.WriteText("off");
  writer.WriteUint(0);
  writer.WriteText("data");
  writer.WriteBytes(data);
  writer.WriteText("image");
  writer.WriteUint(0);
  writer.WriteText("len");
  writer.WriteUint(70000);
  writer.WriteText("sha");
  writer.WriteBytes(sha);
  writer.WriteText("upgrade");
  writer.WriteBool(false);
  if (indefinite) writer.WriteBreak();
  EXPECT_TRUE(writer.status().ok());
  return std::vector<uint8_t>(writer.written().begin(), writer.written().end());
}

TEST(CborReaderTest, FindsTheKeysOfAnSmpUploadRequest) {
  std::vector<uint8_t> data(200);
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<uint8_t>(i * 7);
  for (bool indefinite : {false, true}) {
    const std::vector<uint8_t> request = UploadRequest(indefinite, data);
    EXPECT_EQ(request[0], indefinite ? 0xbf : 0xa6);
    const CborReader reader(request);
    Result<CborReader> off = reader.FindKey("off");
    ASSERT_TRUE(off.ok());
    EXPECT_EQ(*off->ReadUint32(), 0u);
    Result<CborReader> len = reader.FindKey("len");
    ASSERT_TRUE(len.ok());
    EXPECT_EQ(*len->ReadUint32(), 70000u);
    Result<CborReader> chunk = reader.FindKey("data");
    ASSERT_TRUE(chunk.ok());
    const Result<ConstByteSpan> bytes = chunk->ReadBytes();
    ASSERT_TRUE(bytes.ok());
    EXPECT_EQ(std::vector<uint8_t>(bytes->begin(), bytes->end()), data);
    Result<CborReader> sha = reader.FindKey("sha");
    ASSERT_TRUE(sha.ok());
    EXPECT_EQ(sha->ReadBytes()->size(), 32u);
    Result<CborReader> upgrade = reader.FindKey("upgrade");
    ASSERT_TRUE(upgrade.ok());
    EXPECT_FALSE(*upgrade->ReadBool());
    EXPECT_EQ(reader.FindKey("match").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(reader.FindKey("of").status().code(), StatusCode::kNotFound);
    EXPECT_EQ(reader.offset(), 0u);  // FindKey leaves the reader where it was

    // The same request walked entry by entry.
    CborReader walker(request);
    Result<CborContainer> map = walker.EnterMap();
    ASSERT_TRUE(map.ok());
    std::vector<std::string> keys;
    while (*walker.HasNext(*map)) {
      keys.emplace_back(*walker.ReadText());
      ASSERT_TRUE(walker.Skip().ok());
    }
    EXPECT_EQ(keys, (std::vector<std::string>{"off", "data", "image", "len", "sha", "upgrade"}));
    EXPECT_TRUE(walker.ExpectEnd().ok());

    // Any truncation of the request fails the lookup of its last key.
    for (size_t length = 0; length < request.size(); ++length) {
      const std::vector<uint8_t> prefix(request.begin(), request.begin() + length);
      EXPECT_FALSE(CborReader(prefix).FindKey("upgrade").ok()) << length;
    }
  }
  // A follow-up chunk: only off and data.
  const std::vector<uint8_t> next = FromHex("a2636f6666190100646461746142beef");
  EXPECT_EQ(*CborReader(next).FindKey("off")->ReadUint32(), 256u);
  EXPECT_EQ(ToHex(*CborReader(next).FindKey("data")->ReadBytes()), "beef");
  EXPECT_EQ(CborReader(next).FindKey("len").status().code(), StatusCode::kNotFound);
}

TEST(CborReaderTest, FindKeyChecksTheWholeMap) {
  // Duplicate text keys are refused.
  const std::vector<uint8_t> duplicate = FromHex("a26161016161f5");
  EXPECT_EQ(CborReader(duplicate).FindKey("a").status().code(), StatusCode::kInvalidArgument);
  // A malformed entry after the key fails the lookup too.
  const std::vector<uint8_t> bad_tail = FromHex("a2616101616241");
  EXPECT_EQ(CborReader(bad_tail).FindKey("a").status().code(), StatusCode::kDataLoss);
  // Non-text keys (ints, arrays, maps) are skipped with their values.
  const std::vector<uint8_t> mixed = FromHex(
      "a4"
      "0101"
      "820102f4"
      "a10102f5"
      "616107");
  const Result<CborReader> a = CborReader(mixed).FindKey("a");
  ASSERT_TRUE(a.ok());
  EXPECT_EQ(*CborReader(*a).ReadUint(), 7u);
  // A byte-string key with the same bytes is not the text key.
  const std::vector<uint8_t> bytes_key = FromHex("a1416101");
  EXPECT_EQ(CborReader(bytes_key).FindKey("a").status().code(), StatusCode::kNotFound);
  // A key without a value.
  const std::vector<uint8_t> dangling = FromHex("bf6161ff");
  EXPECT_EQ(CborReader(dangling).FindKey("a").status().code(), StatusCode::kDataLoss);
}

}  // namespace
}  // namespace bleota::smp
