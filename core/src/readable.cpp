#include "bleota/readable.hpp"

#include <cstring>

namespace bleota {

Status MemoryReadable::Read(uint32_t offset, ByteSpan out) {
  if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), size())) {
    return StatusCode::kOutOfRange;
  }
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return Status::Ok();
}

}  // namespace bleota
