// libFuzzer target: the SMP CBOR codec (bleota::smp::CborReader, CborWriter) on arbitrary bytes,
// which is what a BLE or serial peer can put in an SMP payload.
//
// Oracle, per input:
// - Decoding the input into a value tree (Next/HasNext) and Skip() read the same items: same
//   status, same end offset.
// - A decoded tree re-encodes (shortest heads, same definite/indefinite forms) into at most
//   input-size bytes, and that encoding decodes to the same tree and re-encodes to itself.
// - FindKey on a decoded top-level map agrees with the tree: kNotFound when no text key equals
//   the key, the value (decoded from the returned reader) when one does, kInvalidArgument when
//   several do.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "bleota/smp/cbor_reader.hpp"
#include "bleota/smp/cbor_writer.hpp"
#include "cbor_value.hpp"

namespace bleota::smp {
namespace {

using testing::CborValue;
using testing::DecodeValue;
using testing::EncodeValue;

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, condition);
  std::abort();
}

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : CheckFailed(__FILE__, __LINE__, #condition))

constexpr std::string_view kKeys[] = {"off", "data", "len", "sha", "image", "upgrade", "a", ""};

void CheckFindKey(ConstByteSpan input, const CborValue& map, CborLimits limits) {
  for (std::string_view key : kKeys) {
    size_t matches = 0;
    const CborValue* expected = nullptr;
    for (size_t i = 0; i + 1 < map.items.size(); i += 2) {
      const CborValue& k = map.items[i];
      if (k.type == CborType::kText &&
          std::string_view(reinterpret_cast<const char*>(k.bytes.data()), k.bytes.size()) == key) {
        ++matches;
        expected = &map.items[i + 1];
      }
    }
    Result<CborReader> found = CborReader(input, limits).FindKey(key);
    if (matches == 0) {
      FUZZ_CHECK(found.status().code() == StatusCode::kNotFound);
    } else if (matches > 1) {
      FUZZ_CHECK(found.status().code() == StatusCode::kInvalidArgument);
    } else {
      FUZZ_CHECK(found.ok());
      CborValue value;
      FUZZ_CHECK(DecodeValue(*found, value, limits.max_depth - 1).ok());
      FUZZ_CHECK(value == *expected);
    }
  }
}

void FuzzOne(ConstByteSpan input) {
  const CborLimits limits{};  // the defaults the SMP server uses
  CborReader decoder(input, limits);
  CborValue tree;
  const Status decoded = DecodeValue(decoder, tree, limits.max_depth);

  CborReader skipper(input, limits);
  const Status skipped = skipper.Skip();
  FUZZ_CHECK(skipped.code() == decoded.code());
  FUZZ_CHECK(skipper.offset() == decoder.offset());
  FUZZ_CHECK(decoder.offset() <= input.size());
  if (!decoded.ok()) return;

  std::vector<uint8_t> encoded(decoder.offset());
  CborWriter writer(encoded);
  EncodeValue(writer, tree);
  FUZZ_CHECK(writer.status().ok());  // shortest heads never take more room than the input's
  const ConstByteSpan first = writer.written();

  // Generous limits: the re-encoding has as many items as the input, but FindKey below and a
  // possibly shallower encoding must not trip on the budget.
  const CborLimits wide{limits.max_depth, 1u << 20};
  CborReader again(first, wide);
  CborValue tree_again;
  FUZZ_CHECK(DecodeValue(again, tree_again, limits.max_depth).ok());
  FUZZ_CHECK(again.ExpectEnd().ok());
  FUZZ_CHECK(tree_again == tree);
  std::vector<uint8_t> second(first.size());
  CborWriter rewriter(second);
  EncodeValue(rewriter, tree_again);
  FUZZ_CHECK(rewriter.status().ok());
  FUZZ_CHECK(std::vector<uint8_t>(first.begin(), first.end()) == second);

  if (tree.type == CborType::kMap) CheckFindKey(first, tree, wide);
}

}  // namespace
}  // namespace bleota::smp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  bleota::smp::FuzzOne(bleota::ConstByteSpan(data, size));
  return 0;
}
