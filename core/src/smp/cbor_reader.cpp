#include "bleota/smp/cbor_reader.hpp"

#include <cstdint>

namespace bleota::smp {
namespace {

constexpr uint8_t kInfoIndefinite = 31;
constexpr uint8_t kBreakByte = 0xff;

}  // namespace

Status CborReader::ReadByte(uint8_t& byte) {
  if (offset_ >= input_.size()) return StatusCode::kDataLoss;
  byte = input_[offset_++];
  return Status::Ok();
}

// One initial byte and its 0/1/2/4/8-byte big-endian argument; info 31 leaves argument 0.
Status CborReader::ReadHead(uint8_t& major, uint8_t& info, uint64_t& argument) {
  if (items_read_ >= limits_.max_items) return StatusCode::kResourceExhausted;
  ++items_read_;
  uint8_t initial;
  BLEOTA_TRY(ReadByte(initial));
  major = static_cast<uint8_t>(initial >> 5);
  info = static_cast<uint8_t>(initial & 0x1f);
  argument = 0;
  if (info < 24) {
    argument = info;
    return Status::Ok();
  }
  if (info == kInfoIndefinite) return Status::Ok();
  if (info > 27) return StatusCode::kDataLoss;  // 28..30 are reserved: not well-formed
  const size_t length = size_t{1} << (info - 24);
  if (length > remaining()) return StatusCode::kDataLoss;
  for (size_t i = 0; i < length; ++i) argument = (argument << 8) | input_[offset_ + i];
  offset_ += length;
  return Status::Ok();
}

Result<CborItem> CborReader::Next() {
  uint8_t major;
  uint8_t info;
  uint64_t argument;
  BLEOTA_TRY(ReadHead(major, info, argument));
  CborItem item;
  item.argument = argument;
  switch (major) {
    case 0:
    case 1:
      if (info == kInfoIndefinite) return StatusCode::kDataLoss;
      item.type = major == 0 ? CborType::kUnsigned : CborType::kNegative;
      return item;
    case 2:
    case 3:
      // Indefinite-length (chunked) strings would need copying to return one span.
      if (info == kInfoIndefinite) return StatusCode::kUnsupported;
      if (argument > remaining()) return StatusCode::kDataLoss;
      item.type = major == 2 ? CborType::kBytes : CborType::kText;
      item.bytes = input_.subspan(offset_, static_cast<size_t>(argument));
      offset_ += static_cast<size_t>(argument);
      return item;
    case 4:
    case 5:
      item.type = major == 4 ? CborType::kArray : CborType::kMap;
      item.indefinite = info == kInfoIndefinite;
      // Every item takes at least one byte: a count the input cannot hold is malformed.
      if (!item.indefinite && argument > remaining() / (major == 4 ? 1 : 2)) {
        return StatusCode::kDataLoss;
      }
      return item;
    case 6:
      if (info == kInfoIndefinite) return StatusCode::kDataLoss;
      return StatusCode::kUnsupported;  // tags
    default:                            // 7: simple values and floats
      item.argument = 0;
      switch (info) {
        case 20:
          item.type = CborType::kFalse;
          return item;
        case 21:
          item.type = CborType::kTrue;
          return item;
        case 22:
          item.type = CborType::kNull;
          return item;
        case kInfoIndefinite:
          item.type = CborType::kBreak;
          return item;
        case 24:
          // A one-byte simple value below 32 is not well-formed (RFC 8949 section 3.3).
          if (argument < 32) return StatusCode::kDataLoss;
          return StatusCode::kUnsupported;
        default:
          return StatusCode::kUnsupported;  // other simple values, half/single/double floats
      }
  }
}

Result<uint64_t> CborReader::ReadUint() {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  if (item.type != CborType::kUnsigned) return StatusCode::kInvalidArgument;
  return item.argument;
}

Result<uint32_t> CborReader::ReadUint32() {
  BLEOTA_ASSIGN_OR_RETURN(const uint64_t value, ReadUint());
  if (value > UINT32_MAX) return StatusCode::kOutOfRange;
  return static_cast<uint32_t>(value);
}

Result<int64_t> CborReader::ReadInt() {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  if (item.type != CborType::kUnsigned && item.type != CborType::kNegative) {
    return StatusCode::kInvalidArgument;
  }
  if (item.argument > static_cast<uint64_t>(INT64_MAX)) return StatusCode::kOutOfRange;
  const int64_t magnitude = static_cast<int64_t>(item.argument);
  return item.type == CborType::kUnsigned ? magnitude : -1 - magnitude;
}

Result<bool> CborReader::ReadBool() {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  if (item.type == CborType::kTrue) return true;
  if (item.type == CborType::kFalse) return false;
  return StatusCode::kInvalidArgument;
}

Status CborReader::ReadNull() {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  return item.type == CborType::kNull ? Status::Ok() : Status(StatusCode::kInvalidArgument);
}

Result<ConstByteSpan> CborReader::ReadBytes() {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  if (item.type != CborType::kBytes) return StatusCode::kInvalidArgument;
  return item.bytes;
}

Result<std::string_view> CborReader::ReadText() {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  if (item.type != CborType::kText) return StatusCode::kInvalidArgument;
  return std::string_view(reinterpret_cast<const char*>(item.bytes.data()), item.bytes.size());
}

Result<CborContainer> CborReader::EnterArray() {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  if (item.type != CborType::kArray) return StatusCode::kInvalidArgument;
  return CborContainer{item.indefinite, item.argument};
}

Result<CborContainer> CborReader::EnterMap() {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  if (item.type != CborType::kMap) return StatusCode::kInvalidArgument;
  return CborContainer{item.indefinite, item.argument};
}

Result<bool> CborReader::HasNext(CborContainer& container) {
  if (!container.indefinite) {
    if (container.remaining == 0) return false;
    --container.remaining;
    return true;
  }
  if (offset_ >= input_.size()) return StatusCode::kDataLoss;  // no break before the end
  if (input_[offset_] != kBreakByte) return true;
  if (items_read_ >= limits_.max_items) return StatusCode::kResourceExhausted;
  ++items_read_;
  ++offset_;
  return false;
}

Status CborReader::Skip() { return SkipAtDepth(0); }

// `depth` is the number of containers already open around the item being skipped.
Status CborReader::SkipAtDepth(uint8_t depth) {
  BLEOTA_ASSIGN_OR_RETURN(const CborItem item, Next());
  if (item.type == CborType::kBreak) return StatusCode::kDataLoss;  // break outside a container
  if (item.type != CborType::kArray && item.type != CborType::kMap) return Status::Ok();
  if (depth >= limits_.max_depth) return StatusCode::kResourceExhausted;
  CborContainer container{item.indefinite, item.argument};
  const bool is_map = item.type == CborType::kMap;
  while (true) {
    BLEOTA_ASSIGN_OR_RETURN(const bool more, HasNext(container));
    if (!more) return Status::Ok();
    BLEOTA_TRY(SkipAtDepth(static_cast<uint8_t>(depth + 1)));
    if (is_map) BLEOTA_TRY(SkipAtDepth(static_cast<uint8_t>(depth + 1)));
  }
}

Result<CborReader> CborReader::FindKey(std::string_view key) const {
  CborReader reader = *this;
  BLEOTA_ASSIGN_OR_RETURN(CborContainer map, reader.EnterMap());
  if (limits_.max_depth == 0) return StatusCode::kResourceExhausted;
  CborReader at_value = reader;
  bool found = false;
  while (true) {
    BLEOTA_ASSIGN_OR_RETURN(const bool more, reader.HasNext(map));
    if (!more) break;
    const CborReader at_key = reader;
    BLEOTA_ASSIGN_OR_RETURN(const CborItem key_item, reader.Next());
    if (key_item.type == CborType::kText) {
      const std::string_view text(reinterpret_cast<const char*>(key_item.bytes.data()),
                                  key_item.bytes.size());
      if (text == key) {
        if (found) return StatusCode::kInvalidArgument;  // duplicate key
        found = true;
        at_value = reader;
      }
    } else {
      reader = at_key;
      BLEOTA_TRY(reader.SkipAtDepth(1));
    }
    BLEOTA_TRY(reader.SkipAtDepth(1));
  }
  if (!found) return StatusCode::kNotFound;
  return at_value;
}

Status CborReader::ExpectEnd() const {
  return offset_ == input_.size() ? Status::Ok() : Status(StatusCode::kInvalidArgument);
}

}  // namespace bleota::smp
