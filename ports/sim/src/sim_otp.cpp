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
  if (!powered_) return StatusCode::kFlashIo;
  if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), size())) {
    return StatusCode::kOutOfRange;
  }
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return Status::Ok();
}

void SimOtp::ArmPowerCut(uint64_t op_index, CutMode mode, uint64_t seed) {
  cut_armed_ = true;
  cut_at_ = op_index;
  cut_mode_ = mode;
  cut_happened_ = false;
  rng_.seed(seed);
}

void SimOtp::ApplyTornProgram(uint32_t offset, ConstByteSpan data, CutMode mode) {
  const uint32_t words = static_cast<uint32_t>(data.size()) / kWordSize;
  if (words == 0) return;
  const uint32_t k = static_cast<uint32_t>(rng_() % words);  // words fully written before the cut
  for (uint32_t i = 0; i < k * kWordSize; ++i) bytes_[offset + i] &= data[i];
  std::fill(word_programmed_.begin() + offset / kWordSize,
            word_programmed_.begin() + offset / kWordSize + k, true);
  if (mode == CutMode::kProgramWordNoise) {
    // The word being programmed holds random bits; programming only clears bits.
    const uint32_t at = offset + k * kWordSize;
    for (uint32_t i = 0; i < kWordSize; ++i) bytes_[at + i] &= static_cast<uint8_t>(rng_());
    word_programmed_[at / kWordSize] = true;
  }
}

Status SimOtp::Program(uint32_t offset, ConstByteSpan data) {
  if (!powered_) return StatusCode::kFlashIo;
  const uint32_t length = static_cast<uint32_t>(data.size());
  if (offset % kWordSize != 0 || length % kWordSize != 0) return StatusCode::kFlashAlignment;
  if (!RangeWithin(offset, length, size())) return StatusCode::kOutOfRange;
  for (uint32_t at = offset; at < offset + length; at += kWordSize) {
    if (word_programmed_[at / kWordSize]) return StatusCode::kFlashNotErased;
  }
  if (cut_armed_ && mutating_ops_ == cut_at_) {
    ++mutating_ops_;
    cut_armed_ = false;
    cut_happened_ = true;
    powered_ = false;
    if (cut_mode_ == CutMode::kProgramPartial || cut_mode_ == CutMode::kProgramWordNoise) {
      ApplyTornProgram(offset, data, cut_mode_);
    } else if (cut_mode_ == CutMode::kAfter) {
      for (uint32_t i = 0; i < length; ++i) bytes_[offset + i] &= data[i];
      std::fill(word_programmed_.begin() + offset / kWordSize,
                word_programmed_.begin() + (offset + length) / kWordSize, true);
    }
    return StatusCode::kFlashIo;
  }
  ++mutating_ops_;
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
