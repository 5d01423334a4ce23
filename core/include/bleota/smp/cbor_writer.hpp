// CBOR encoder for SMP responses over a caller-provided buffer (RFC 8949, the subset in
// docs/spec/smp.md). Integers and lengths use the shortest head (preferred serialization).
// A write that does not fit writes nothing and fails the writer with kResourceExhausted; every
// later write is ignored, so callers write a whole response and check status() once at the end.
// The writer does not track structure: the caller writes exactly `count` items (maps: 2*count)
// after a definite head, and WriteBreak() after the items of an indefinite container.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bleota/bytes.hpp"
#include "bleota/status.hpp"

namespace bleota::smp {

class CborWriter {
 public:
  explicit CborWriter(ByteSpan buffer) : buffer_(buffer) {}

  void WriteUint(uint64_t value);
  void WriteInt(int64_t value);
  // Writes the negative integer -1 - argument (reaches -2^64, below int64_t's range).
  void WriteNegative(uint64_t argument);
  void WriteBool(bool value);
  void WriteNull();
  void WriteText(std::string_view text);
  void WriteBytes(ConstByteSpan bytes);
  void BeginArray(uint64_t count);
  void BeginMap(uint64_t pair_count);
  void BeginIndefiniteArray();
  void BeginIndefiniteMap();
  void WriteBreak();

  // kOk, or kResourceExhausted once any write did not fit.
  Status status() const { return status_; }
  size_t size() const { return size_; }
  // The bytes written so far (everything before the first failed write).
  ConstByteSpan written() const { return ConstByteSpan(buffer_.data(), size_); }

 private:
  void WriteHead(uint8_t major, uint64_t argument);
  void WriteRaw(const uint8_t* data, size_t length);
  // False (and the writer failed) when `length` more bytes do not fit or it failed before.
  bool Fits(size_t length);

  ByteSpan buffer_;
  size_t size_ = 0;
  Status status_;
};

}  // namespace bleota::smp
