#include "bleota/sim/sim_otp.hpp"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace bleota::sim {

SimOtp::SimOtp(uint32_t size, uint32_t key_region_size, VirtualClock& clock,
               uint32_t program_us_per_word)
    : clock_(clock),
      program_us_per_word_(program_us_per_word),
      key_region_size_(key_region_size),
      bytes_(size, kErasedValue),
      word_programmed_(size / kWordSize, false) {
  if (size == 0 || size % kWordSize != 0 || key_region_size % kWordSize != 0 ||
      key_region_size > size) {
    throw std::invalid_argument("SimOtp: sizes must be word multiples with key region <= size");
  }
}

Status SimOtp::Read(uint32_t offset, ByteSpan out) const {
  if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), size())) {
    return StatusCode::kOutOfRange;
  }
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return Status::Ok();
}

Status SimOtp::Program(uint32_t offset, ConstByteSpan data) {
  const uint32_t length = static_cast<uint32_t>(data.size());
  if (offset % kWordSize != 0 || length % kWordSize != 0) return StatusCode::kFlashAlignment;
  if (!RangeWithin(offset, length, size())) return StatusCode::kOutOfRange;
  for (uint32_t at = offset; at < offset + length; at += kWordSize) {
    if (word_programmed_[at / kWordSize]) return StatusCode::kFlashNotErased;
  }
  for (uint32_t i = 0; i < length; ++i) bytes_[offset + i] &= data[i];
  std::fill(word_programmed_.begin() + offset / kWordSize,
            word_programmed_.begin() + (offset + length) / kWordSize, true);
  clock_.Advance(static_cast<uint64_t>(length / kWordSize) * program_us_per_word_);
  return Status::Ok();
}

uint32_t SimOtp::programmed_word_count() const {
  return static_cast<uint32_t>(std::count(word_programmed_.begin(), word_programmed_.end(), true));
}

void SimOtp::EraseAll() {
  std::fill(bytes_.begin(), bytes_.end(), kErasedValue);
  std::fill(word_programmed_.begin(), word_programmed_.end(), false);
}

}  // namespace bleota::sim
