// Something the image code can read from at an offset: a flash area, or a buffer on the host.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/status.hpp"

namespace bleota {

class Readable {
 public:
  // Reads out.size() bytes at `offset`; fails with kOutOfRange past size().
  virtual Status Read(uint32_t offset, ByteSpan out) = 0;
  virtual uint32_t size() const = 0;

 protected:
  ~Readable() = default;
};

// A Readable over bytes in memory (host tools, tests, RAM buffers).
class MemoryReadable final : public Readable {
 public:
  explicit MemoryReadable(ConstByteSpan bytes) : bytes_(bytes) {}
  Status Read(uint32_t offset, ByteSpan out) override;
  uint32_t size() const override { return static_cast<uint32_t>(bytes_.size()); }

 private:
  ConstByteSpan bytes_;
};

}  // namespace bleota
