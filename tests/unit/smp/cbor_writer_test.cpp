#include "bleota/smp/cbor_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <array>
#include <functional>
#include <string>
#include <vector>

#include "cbor_value.hpp"

namespace bleota::smp {
namespace {

using testing::ToHex;

struct Example {
  const char* hex;  // RFC 8949 Appendix A
  std::function<void(CborWriter&)> write;
};

std::string Encode(const std::function<void(CborWriter&)>& write) {
  std::array<uint8_t, 512> buffer{};
  CborWriter writer(buffer);
  write(writer);
  EXPECT_TRUE(writer.status().ok());
  return ToHex(writer.written());
}

const std::vector<Example>& AppendixA() {
  static const std::vector<Example> examples = {
      {"00", [](CborWriter& w) { w.WriteUint(0); }},
      {"01", [](CborWriter& w) { w.WriteUint(1); }},
      {"0a", [](CborWriter& w) { w.WriteUint(10); }},
      {"17", [](CborWriter& w) { w.WriteUint(23); }},
      {"1818", [](CborWriter& w) { w.WriteUint(24); }},
      {"1819", [](CborWriter& w) { w.WriteUint(25); }},
      {"1864", [](CborWriter& w) { w.WriteUint(100); }},
      {"1903e8", [](CborWriter& w) { w.WriteUint(1000); }},
      {"1a000f4240", [](CborWriter& w) { w.WriteUint(1000000); }},
      {"1b000000e8d4a51000", [](CborWriter& w) { w.WriteUint(1000000000000); }},
      {"1bffffffffffffffff", [](CborWriter& w) { w.WriteUint(18446744073709551615u); }},
      {"3bffffffffffffffff", [](CborWriter& w) { w.WriteNegative(18446744073709551615u); }},
      {"20", [](CborWriter& w) { w.WriteInt(-1); }},
      {"29", [](CborWriter& w) { w.WriteInt(-10); }},
      {"3863", [](CborWriter& w) { w.WriteInt(-100); }},
      {"3903e7", [](CborWriter& w) { w.WriteInt(-1000); }},
      {"f4", [](CborWriter& w) { w.WriteBool(false); }},
      {"f5", [](CborWriter& w) { w.WriteBool(true); }},
      {"f6", [](CborWriter& w) { w.WriteNull(); }},
      {"40", [](CborWriter& w) { w.WriteBytes({}); }},
      {"4401020304",
       [](CborWriter& w) {
         const uint8_t b[] = {1, 2, 3, 4};
         w.WriteBytes(b);
       }},
      {"60", [](CborWriter& w) { w.WriteText(""); }},
      {"6161", [](CborWriter& w) { w.WriteText("a"); }},
      {"6449455446", [](CborWriter& w) { w.WriteText("IETF"); }},
      {"62225c", [](CborWriter& w) { w.WriteText("\"\\"); }},
      {"62c3bc", [](CborWriter& w) { w.WriteText("\xc3\xbc"); }},
      {"63e6b0b4", [](CborWriter& w) { w.WriteText("\xe6\xb0\xb4"); }},
      {"80", [](CborWriter& w) { w.BeginArray(0); }},
      {"83010203",
       [](CborWriter& w) {
         w.BeginArray(3);
         for (int i = 1; i <= 3; ++i) w.WriteUint(i);
       }},
      {"8301820203820405",
       [](CborWriter& w) {
         w.BeginArray(3);
         w.WriteUint(1);
         w.BeginArray(2);
         w.WriteUint(2);
         w.WriteUint(3);
         w.BeginArray(2);
         w.WriteUint(4);
         w.WriteUint(5);
       }},
      {"98190102030405060708090a0b0c0d0e0f101112131415161718181819",
       [](CborWriter& w) {
         w.BeginArray(25);
         for (int i = 1; i <= 25; ++i) w.WriteUint(i);
       }},
      {"a0", [](CborWriter& w) { w.BeginMap(0); }},
      {"a201020304",
       [](CborWriter& w) {
         w.BeginMap(2);
         for (int i = 1; i <= 4; ++i) w.WriteUint(i);
       }},
      {"a26161016162820203",
       [](CborWriter& w) {
         w.BeginMap(2);
         w.WriteText("a");
         w.WriteUint(1);
         w.WriteText("b");
         w.BeginArray(2);
         w.WriteUint(2);
         w.WriteUint(3);
       }},
      {"826161a161626163",
       [](CborWriter& w) {
         w.BeginArray(2);
         w.WriteText("a");
         w.BeginMap(1);
         w.WriteText("b");
         w.WriteText("c");
       }},
      {"a56161614161626142616361436164614461656145",
       [](CborWriter& w) {
         w.BeginMap(5);
         for (const char* pair : {"aA", "bB", "cC", "dD", "eE"}) {
           w.WriteText(std::string_view(pair, 1));
           w.WriteText(std::string_view(pair + 1, 1));
         }
       }},
      {"9fff",
       [](CborWriter& w) {
         w.BeginIndefiniteArray();
         w.WriteBreak();
       }},
      {"9f018202039f0405ffff",
       [](CborWriter& w) {
         w.BeginIndefiniteArray();
         w.WriteUint(1);
         w.BeginArray(2);
         w.WriteUint(2);
         w.WriteUint(3);
         w.BeginIndefiniteArray();
         w.WriteUint(4);
         w.WriteUint(5);
         w.WriteBreak();
         w.WriteBreak();
       }},
      {"9f01820203820405ff",
       [](CborWriter& w) {
         w.BeginIndefiniteArray();
         w.WriteUint(1);
         w.BeginArray(2);
         w.WriteUint(2);
         w.WriteUint(3);
         w.BeginArray(2);
         w.WriteUint(4);
         w.WriteUint(5);
         w.WriteBreak();
       }},
      {"83018202039f0405ff",
       [](CborWriter& w) {
         w.BeginArray(3);
         w.WriteUint(1);
         w.BeginArray(2);
         w.WriteUint(2);
         w.WriteUint(3);
         w.BeginIndefiniteArray();
         w.WriteUint(4);
         w.WriteUint(5);
         w.WriteBreak();
       }},
      {"83019f0203ff820405",
       [](CborWriter& w) {
         w.BeginArray(3);
         w.WriteUint(1);
         w.BeginIndefiniteArray();
         w.WriteUint(2);
         w.WriteUint(3);
         w.WriteBreak();
         w.BeginArray(2);
         w.WriteUint(4);
         w.WriteUint(5);
       }},
      {"9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff",
       [](CborWriter& w) {
         w.BeginIndefiniteArray();
         for (int i = 1; i <= 25; ++i) w.WriteUint(i);
         w.WriteBreak();
       }},
      {"bf61610161629f0203ffff",
       [](CborWriter& w) {
         w.BeginIndefiniteMap();
         w.WriteText("a");
         w.WriteUint(1);
         w.WriteText("b");
         w.BeginIndefiniteArray();
         w.WriteUint(2);
         w.WriteUint(3);
         w.WriteBreak();
         w.WriteBreak();
       }},
      {"826161bf61626163ff",
       [](CborWriter& w) {
         w.BeginArray(2);
         w.WriteText("a");
         w.BeginIndefiniteMap();
         w.WriteText("b");
         w.WriteText("c");
         w.WriteBreak();
       }},
      {"bf6346756ef563416d7421ff",
       [](CborWriter& w) {
         w.BeginIndefiniteMap();
         w.WriteText("Fun");
         w.WriteBool(true);
         w.WriteText("Amt");
         w.WriteInt(-2);
         w.WriteBreak();
       }},
  };
  return examples;
}

TEST(CborWriterTest, EncodesRfc8949AppendixAExamples) {
  for (const Example& example : AppendixA()) {
    EXPECT_EQ(Encode(example.write), example.hex);
  }
}

TEST(CborWriterTest, UsesTheShortestHeadAtEveryWidthBoundary) {
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteUint(0xff); }), "18ff");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteUint(0x100); }), "190100");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteUint(0xffff); }), "19ffff");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteUint(0x10000); }), "1a00010000");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteUint(0xffffffff); }), "1affffffff");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteUint(0x100000000); }), "1b0000000100000000");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteInt(-24); }), "37");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteInt(-25); }), "3818");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteInt(INT64_MIN); }), "3b7fffffffffffffff");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteInt(INT64_MAX); }), "1b7fffffffffffffff");
  EXPECT_EQ(Encode([](CborWriter& w) { w.BeginMap(24); }), "b818");
  EXPECT_EQ(Encode([](CborWriter& w) { w.WriteBytes(std::vector<uint8_t>(300, 0)); }).substr(0, 6),
            "59012c");
}

// Every buffer shorter than the encoding fails, keeps only whole items that fit, and stays
// failed even when a later, smaller write would fit.
TEST(CborWriterTest, OverflowFailsAndStaysFailed) {
  const auto write = [](CborWriter& w) {
    w.BeginMap(2);
    w.WriteText("off");
    w.WriteUint(4096);
    w.WriteText("data");
    const uint8_t data[] = {1, 2, 3, 4, 5, 6, 7, 8};
    w.WriteBytes(data);
  };
  const std::string full = Encode(write);
  const size_t full_size = full.size() / 2;
  for (size_t size = 0; size < full_size; ++size) {
    std::vector<uint8_t> buffer(size + 4, 0xee);
    CborWriter writer(ByteSpan(buffer.data(), size));
    write(writer);
    writer.WriteNull();  // one byte: would fit in some of the leftovers
    EXPECT_EQ(writer.status().code(), StatusCode::kResourceExhausted) << size;
    EXPECT_LE(writer.size(), size);
    // Item boundaries of the encoding: a string is written whole or not at all.
    const std::vector<size_t> boundaries = {0, 1, 5, 8, 13};
    EXPECT_NE(std::find(boundaries.begin(), boundaries.end(), writer.size()), boundaries.end())
        << size << " " << writer.size();
    EXPECT_EQ(ToHex(writer.written()), full.substr(0, writer.size() * 2)) << size;
    for (size_t i = size; i < buffer.size(); ++i) EXPECT_EQ(buffer[i], 0xee);  // no overrun
  }
  std::vector<uint8_t> exact(full_size);
  CborWriter writer(exact);
  write(writer);
  EXPECT_TRUE(writer.status().ok());
  EXPECT_EQ(writer.size(), full_size);
  writer.WriteNull();
  EXPECT_EQ(writer.status().code(), StatusCode::kResourceExhausted);
  EXPECT_EQ(writer.size(), full_size);
}

}  // namespace
}  // namespace bleota::smp
