// Property: any structure the writer can express decodes back to itself, in the same bytes.
#include <gtest/gtest.h>

#include <random>
#include <vector>

#include "bleota/smp/cbor_reader.hpp"
#include "bleota/smp/cbor_writer.hpp"
#include "cbor_value.hpp"

namespace bleota::smp {
namespace {

using testing::CborValue;
using testing::DecodeValue;
using testing::EncodeValue;
using testing::ToHex;

class Generator {
 public:
  explicit Generator(uint32_t seed) : rng_(seed) {}

  CborValue Value(int depth) {
    CborValue value;
    const int kinds = depth > 0 ? 9 : 7;
    switch (Below(kinds)) {
      case 0:
        value.type = CborType::kUnsigned;
        value.argument = Argument();
        break;
      case 1:
        value.type = CborType::kNegative;
        value.argument = Argument();
        break;
      case 2:
        value.type = CborType::kBytes;
        value.bytes = String();
        break;
      case 3:
        value.type = CborType::kText;
        value.bytes = String();
        break;
      case 4:
        value.type = CborType::kFalse;
        break;
      case 5:
        value.type = CborType::kTrue;
        break;
      case 6:
        value.type = CborType::kNull;
        break;
      default: {
        const bool map = Below(2) == 0;
        value.type = map ? CborType::kMap : CborType::kArray;
        value.indefinite = Below(2) == 0;
        const uint64_t entries = Below(4) == 0 ? Below(30) : Below(5);
        for (uint64_t i = 0; i < entries * (map ? 2 : 1); ++i) {
          value.items.push_back(Value(depth - 1));
        }
        value.argument = value.indefinite ? 0 : entries;
        break;
      }
    }
    return value;
  }

 private:
  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }

  // Values around every head width boundary, and anywhere.
  uint64_t Argument() {
    static constexpr uint64_t kEdges[] = {0,     23,    24,         255,         256,
                                          65535, 65536, 0xffffffff, 0x100000000, UINT64_MAX};
    if (Below(2) == 0) return kEdges[Below(std::size(kEdges))];
    return rng_() >> Below(64);
  }

  std::vector<uint8_t> String() {
    const uint64_t length = Below(8) == 0 ? Below(300) : Below(30);
    std::vector<uint8_t> out(length);
    for (uint8_t& b : out) b = static_cast<uint8_t>(rng_());
    return out;
  }

  std::mt19937_64 rng_;
};

TEST(CborRoundTripTest, RandomStructuresDecodeToThemselves) {
  const CborLimits limits{8, 1000000};
  std::vector<uint8_t> buffer(1 << 20);
  for (uint32_t seed = 1; seed <= 1000; ++seed) {
    Generator generator(seed);
    const CborValue value = generator.Value(6);
    CborWriter writer(buffer);
    EncodeValue(writer, value);
    ASSERT_TRUE(writer.status().ok()) << seed;
    const std::vector<uint8_t> encoded(writer.written().begin(), writer.written().end());

    CborReader reader(encoded, limits);
    CborValue decoded;
    ASSERT_TRUE(DecodeValue(reader, decoded).ok()) << seed << " " << ToHex(encoded);
    EXPECT_TRUE(reader.ExpectEnd().ok()) << seed;
    EXPECT_EQ(decoded, value) << seed << " " << ToHex(encoded);

    CborReader skipper(encoded, limits);
    EXPECT_TRUE(skipper.Skip().ok()) << seed;
    EXPECT_TRUE(skipper.ExpectEnd().ok()) << seed;

    // Every truncation is detected.
    if (seed % 50 == 0) {
      for (size_t length = 0; length < encoded.size(); ++length) {
        const std::vector<uint8_t> prefix(encoded.begin(), encoded.begin() + length);
        CborReader truncated(prefix, limits);
        EXPECT_EQ(truncated.Skip().code(), StatusCode::kDataLoss) << seed << " " << length;
      }
    }
  }
}

}  // namespace
}  // namespace bleota::smp
