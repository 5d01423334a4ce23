#include "bleota/smp/cbor_writer.hpp"

#include <cstring>

namespace bleota::smp {
namespace {

constexpr uint8_t kMajorUnsigned = 0;
constexpr uint8_t kMajorNegative = 1;
constexpr uint8_t kMajorBytes = 2;
constexpr uint8_t kMajorText = 3;
constexpr uint8_t kMajorArray = 4;
constexpr uint8_t kMajorMap = 5;
constexpr uint8_t kFalse = 0xf4;
constexpr uint8_t kTrue = 0xf5;
constexpr uint8_t kNull = 0xf6;
constexpr uint8_t kIndefiniteArray = 0x9f;
constexpr uint8_t kIndefiniteMap = 0xbf;
constexpr uint8_t kBreak = 0xff;

// The head's size for `argument`, to check that a whole string fits before writing its head.
size_t HeadSize(uint64_t argument) {
  if (argument < 24) return 1;
  if (argument <= 0xff) return 2;
  if (argument <= 0xffff) return 3;
  if (argument <= 0xffffffff) return 5;
  return 9;
}

}  // namespace

void CborWriter::WriteRaw(const uint8_t* data, size_t length) {
  if (!Fits(length)) return;
  if (length != 0) std::memcpy(buffer_.data() + size_, data, length);
  size_ += length;
}

// The shortest head for `argument`: in the initial byte below 24, else 1, 2, 4 or 8 bytes.
void CborWriter::WriteHead(uint8_t major, uint64_t argument) {
  uint8_t head[9];
  size_t argument_bytes;
  uint8_t info;
  if (argument < 24) {
    info = static_cast<uint8_t>(argument);
    argument_bytes = 0;
  } else if (argument <= 0xff) {
    info = 24;
    argument_bytes = 1;
  } else if (argument <= 0xffff) {
    info = 25;
    argument_bytes = 2;
  } else if (argument <= 0xffffffff) {
    info = 26;
    argument_bytes = 4;
  } else {
    info = 27;
    argument_bytes = 8;
  }
  head[0] = static_cast<uint8_t>((major << 5) | info);
  for (size_t i = 0; i < argument_bytes; ++i) {
    head[1 + i] = static_cast<uint8_t>(argument >> (8 * (argument_bytes - 1 - i)));
  }
  WriteRaw(head, 1 + argument_bytes);
}

void CborWriter::WriteUint(uint64_t value) { WriteHead(kMajorUnsigned, value); }

void CborWriter::WriteInt(int64_t value) {
  if (value >= 0) {
    WriteHead(kMajorUnsigned, static_cast<uint64_t>(value));
  } else {
    // -1 - value, which is ~value in two's complement and never overflows.
    WriteHead(kMajorNegative, ~static_cast<uint64_t>(value));
  }
}

void CborWriter::WriteNegative(uint64_t argument) { WriteHead(kMajorNegative, argument); }

void CborWriter::WriteBool(bool value) {
  const uint8_t byte = value ? kTrue : kFalse;
  WriteRaw(&byte, 1);
}

void CborWriter::WriteNull() { WriteRaw(&kNull, 1); }

bool CborWriter::Fits(size_t length) {
  if (!status_.ok()) return false;
  if (length > buffer_.size() - size_) {
    status_ = StatusCode::kResourceExhausted;
    return false;
  }
  return true;
}

void CborWriter::WriteText(std::string_view text) {
  if (!Fits(HeadSize(text.size()) + text.size())) return;
  WriteHead(kMajorText, text.size());
  WriteRaw(reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

void CborWriter::WriteBytes(ConstByteSpan bytes) {
  if (!Fits(HeadSize(bytes.size()) + bytes.size())) return;
  WriteHead(kMajorBytes, bytes.size());
  WriteRaw(bytes.data(), bytes.size());
}

void CborWriter::BeginArray(uint64_t count) { WriteHead(kMajorArray, count); }
void CborWriter::BeginMap(uint64_t pair_count) { WriteHead(kMajorMap, pair_count); }
void CborWriter::BeginIndefiniteArray() { WriteRaw(&kIndefiniteArray, 1); }
void CborWriter::BeginIndefiniteMap() { WriteRaw(&kIndefiniteMap, 1); }
void CborWriter::WriteBreak() { WriteRaw(&kBreak, 1); }

}  // namespace bleota::smp
