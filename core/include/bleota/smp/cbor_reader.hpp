// CBOR pull parser for SMP requests (RFC 8949, the subset in docs/spec/smp.md): a cursor over
// the input that reads one item head at a time. Strings come back as spans into the input
// (nothing is copied). Every length is checked against the remaining input before it is used;
// malformed input gives kDataLoss, a wrong type kInvalidArgument, indefinite-length strings,
// tags, floats and simple values other than false/true/null kUnsupported. Nesting (in Skip and
// FindKey) and the number of item heads read are bounded by Limits.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bleota/bytes.hpp"
#include "bleota/result.hpp"
#include "bleota/status.hpp"

namespace bleota::smp {

enum class CborType : uint8_t {
  kUnsigned,  // argument = the value
  kNegative,  // the value is -1 - argument
  kBytes,     // bytes = the string
  kText,      // bytes = the UTF-8 (not validated) string
  kArray,     // argument = item count, unless indefinite
  kMap,       // argument = pair count, unless indefinite
  kFalse,
  kTrue,
  kNull,
  kBreak,  // the end of an indefinite-length container
};

struct CborItem {
  CborType type = CborType::kNull;
  uint64_t argument = 0;
  bool indefinite = false;
  ConstByteSpan bytes;
};

// An array or map being read: what is left of it.
struct CborContainer {
  bool indefinite = false;
  uint64_t remaining = 0;  // items (arrays) or pairs (maps) left, when definite
};

struct CborLimits {
  uint8_t max_depth = 8;      // containers nested inside an item that Skip/FindKey walks
  uint32_t max_items = 1024;  // item heads (incl. breaks) a reader may read in total
};

class CborReader {
 public:
  explicit CborReader(ConstByteSpan input, CborLimits limits = {})
      : input_(input), limits_(limits) {}

  // Reads the next item head; strings are consumed whole, containers only their head.
  Result<CborItem> Next();

  Result<uint64_t> ReadUint();
  Result<uint32_t> ReadUint32();  // kOutOfRange above UINT32_MAX
  Result<int64_t> ReadInt();      // kOutOfRange outside int64_t
  Result<bool> ReadBool();
  Status ReadNull();
  Result<ConstByteSpan> ReadBytes();
  Result<std::string_view> ReadText();
  Result<CborContainer> EnterArray();
  Result<CborContainer> EnterMap();

  // True when `container` has another item (array) or pair (map) to read; consumes the break
  // that ends an indefinite container and then returns false.
  Result<bool> HasNext(CborContainer& container);

  // Skips one whole item, nested containers included (nesting at most limits.max_depth).
  Status Skip();

  // Reads the map at the cursor to its end (checking all of it) and returns a reader positioned
  // at the value of text key `key`. kNotFound when absent, kInvalidArgument when the key occurs
  // twice or the item is not a map. Keys that are not text are skipped with their values.
  // This reader is not moved.
  Result<CborReader> FindKey(std::string_view key) const;

  // kOk when the whole input has been read, kInvalidArgument when bytes follow.
  Status ExpectEnd() const;

  size_t offset() const { return offset_; }
  size_t remaining() const { return input_.size() - offset_; }

 private:
  Status ReadHead(uint8_t& major, uint8_t& info, uint64_t& argument);
  Status SkipAtDepth(uint8_t depth);
  Status ReadByte(uint8_t& byte);

  ConstByteSpan input_;
  CborLimits limits_;
  size_t offset_ = 0;
  uint32_t items_read_ = 0;
};

}  // namespace bleota::smp
