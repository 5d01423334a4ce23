// A host-side CBOR value tree for tests and the fuzz target: decoded with CborReader's item-level
// API (Next/HasNext), encoded with CborWriter, compared with ==.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bleota/smp/cbor_reader.hpp"
#include "bleota/smp/cbor_writer.hpp"

namespace bleota::smp::testing {

struct CborValue {
  CborType type = CborType::kNull;
  uint64_t argument = 0;  // ints: the argument; definite containers: the count
  bool indefinite = false;
  std::vector<uint8_t> bytes;    // strings
  std::vector<CborValue> items;  // arrays: the items; maps: key, value, key, value...

  bool operator==(const CborValue&) const = default;
};

inline CborValue Uint(uint64_t v) { return {CborType::kUnsigned, v, false, {}, {}}; }
inline CborValue Text(const std::string& s) {
  return {CborType::kText, 0, false, std::vector<uint8_t>(s.begin(), s.end()), {}};
}
inline CborValue Bytes(std::vector<uint8_t> b) { return {CborType::kBytes, 0, false, b, {}}; }

// Decodes one item (recursively, at most `max_depth` containers deep).
inline Status DecodeValue(CborReader& reader, CborValue& out, int max_depth = 16) {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, reader.Next());
  out = CborValue{};
  out.type = item.type;
  out.indefinite = item.indefinite;
  switch (item.type) {
    case CborType::kBreak:
      return StatusCode::kDataLoss;
    case CborType::kBytes:
    case CborType::kText:
      out.bytes.assign(item.bytes.begin(), item.bytes.end());
      return Status::Ok();
    case CborType::kArray:
    case CborType::kMap: {
      if (max_depth == 0) return StatusCode::kResourceExhausted;
      out.argument = item.indefinite ? 0 : item.argument;
      CborContainer container{item.indefinite, item.argument};
      const int per_entry = item.type == CborType::kMap ? 2 : 1;
      while (true) {
        BLEOTA_ASSIGN_OR_RETURN(const bool more, reader.HasNext(container));
        if (!more) return Status::Ok();
        for (int i = 0; i < per_entry; ++i) {
          out.items.emplace_back();
          BLEOTA_TRY(DecodeValue(reader, out.items.back(), max_depth - 1));
        }
      }
    }
    case CborType::kUnsigned:
    case CborType::kNegative:
      out.argument = item.argument;
      return Status::Ok();
    default:
      return Status::Ok();
  }
}

inline void EncodeValue(CborWriter& writer, const CborValue& value) {
  switch (value.type) {
    case CborType::kUnsigned:
      writer.WriteUint(value.argument);
      break;
    case CborType::kNegative:
      writer.WriteNegative(value.argument);
      break;
    case CborType::kBytes:
      writer.WriteBytes(value.bytes);
      break;
    case CborType::kText:
      writer.WriteText(
          std::string_view(reinterpret_cast<const char*>(value.bytes.data()), value.bytes.size()));
      break;
    case CborType::kArray:
    case CborType::kMap: {
      const bool map = value.type == CborType::kMap;
      if (value.indefinite) {
        map ? writer.BeginIndefiniteMap() : writer.BeginIndefiniteArray();
      } else {
        map ? writer.BeginMap(value.items.size() / 2) : writer.BeginArray(value.items.size());
      }
      for (const CborValue& item : value.items) EncodeValue(writer, item);
      if (value.indefinite) writer.WriteBreak();
      break;
    }
    case CborType::kFalse:
      writer.WriteBool(false);
      break;
    case CborType::kTrue:
      writer.WriteBool(true);
      break;
    case CborType::kNull:
      writer.WriteNull();
      break;
    case CborType::kBreak:
      writer.WriteBreak();
      break;
  }
}

inline std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

inline std::string ToHex(ConstByteSpan bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
  return out;
}

}  // namespace bleota::smp::testing
