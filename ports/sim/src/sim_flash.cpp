#include "bleota/sim/sim_flash.hpp"

#include <algorithm>
#include <cstring>

namespace bleota::sim {

const char* CutModeName(CutMode mode) {
  switch (mode) {
    case CutMode::kBefore:
      return "before";
    case CutMode::kProgramPartial:
      return "program_partial";
    case CutMode::kProgramWordNoise:
      return "program_word_noise";
    case CutMode::kEraseNoise:
      return "erase_noise";
    case CutMode::kAfter:
      return "after";
  }
  return "unknown";
}

SimFlash::SimFlash(const FlashProfile& profile, VirtualClock& clock, ReprogramRule rule)
    : profile_(profile),
      geometry_(profile_.runs, profile_.write_align, profile_.erase_value),
      clock_(clock),
      rule_(rule),
      bytes_(profile_.total_size(), profile_.erase_value),
      unit_programmed_(profile_.total_size() / profile_.write_align, 0),
      erase_counts_(geometry_.sector_count(), 0) {}

Status SimFlash::Read(uint32_t offset, ByteSpan out) {
  if (!powered_) return StatusCode::kFlashIo;
  if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), geometry_.total_size())) {
    return StatusCode::kOutOfRange;
  }
  if (log_reads_) {
    log_.push_back(
        {FlashOpKind::kRead, offset, static_cast<uint32_t>(out.size()), clock_.now_us()});
  }
  if (!out.empty()) std::memcpy(out.data(), bytes_.data() + offset, out.size());
  return Status::Ok();
}

bool SimFlash::CutNow(CutMode* mode) {
  const uint64_t index = mutating_ops_++;
  if (!cut_armed_ || index != cut_at_) return false;
  cut_armed_ = false;
  cut_happened_ = true;
  *mode = cut_mode_;
  return true;
}

void SimFlash::ArmPowerCut(uint64_t op_index, CutMode mode, uint64_t seed) {
  cut_armed_ = true;
  cut_at_ = op_index;
  cut_mode_ = mode;
  cut_happened_ = false;
  rng_.seed(seed);
}

Status SimFlash::ProgramUnits(uint32_t offset, ConstByteSpan data, uint32_t unit_count) {
  const uint32_t align = profile_.write_align;
  for (uint32_t u = 0; u < unit_count; ++u) {
    const uint32_t at = offset + u * align;
    const size_t unit = at / align;
    if (unit_programmed_[unit] && rule_ == ReprogramRule::kError)
      return StatusCode::kFlashNotErased;
    for (uint32_t i = 0; i < align; ++i) bytes_[at + i] &= data[u * align + i];
    unit_programmed_[unit] = true;
  }
  return Status::Ok();
}

void SimFlash::ApplyTornProgram(uint32_t offset, ConstByteSpan data, CutMode mode) {
  const uint32_t align = profile_.write_align;
  const uint32_t units = static_cast<uint32_t>(data.size()) / align;
  if (units == 0) return;
  const uint32_t k = static_cast<uint32_t>(rng_() % units);  // units fully written before the cut
  ProgramUnits(offset, data, k).IgnoreError();
  if (mode == CutMode::kProgramWordNoise) {
    // The unit being programmed when power failed reads back as random bits.
    const uint32_t at = offset + k * align;
    for (uint32_t i = 0; i < align; ++i) bytes_[at + i] = static_cast<uint8_t>(rng_());
    unit_programmed_[at / align] = true;
  }
}

Status SimFlash::Program(uint32_t offset, ConstByteSpan data) {
  if (!powered_) return StatusCode::kFlashIo;
  const uint32_t size = static_cast<uint32_t>(data.size());
  const uint32_t align = profile_.write_align;
  if (offset % align != 0 || size % align != 0) return StatusCode::kFlashAlignment;
  if (!RangeWithin(offset, size, geometry_.total_size())) return StatusCode::kOutOfRange;
  if (rule_ == ReprogramRule::kError) {
    // Real controllers refuse before changing anything only in some parts; checking first keeps
    // the model simple and makes a refused program harmless.
    for (uint32_t at = offset; at < offset + size; at += align) {
      if (unit_programmed_[at / align]) return StatusCode::kFlashNotErased;
    }
  }
  log_.push_back({FlashOpKind::kProgram, offset, size, clock_.now_us()});
  CutMode mode;
  if (CutNow(&mode)) {
    if (mode == CutMode::kAfter) ProgramUnits(offset, data, size / align).IgnoreError();
    if (mode == CutMode::kProgramPartial || mode == CutMode::kProgramWordNoise) {
      ApplyTornProgram(offset, data, mode);
    }
    powered_ = false;
    return StatusCode::kFlashIo;
  }
  const uint32_t words = (size + 3) / 4;
  clock_.Advance(static_cast<uint64_t>(words) * profile_.program_us_per_word);
  return ProgramUnits(offset, data, size / align);
}

Status SimFlash::Erase(uint32_t offset, uint32_t size) {
  if (!powered_) return StatusCode::kFlashIo;
  if (!RangeWithin(offset, size, geometry_.total_size())) return StatusCode::kOutOfRange;
  if (!geometry_.IsSectorBoundary(offset) || !geometry_.IsSectorBoundary(offset + size)) {
    return StatusCode::kFlashAlignment;
  }
  // One operation per sector: a cut can land between the sectors of a multi-sector erase.
  uint32_t at = offset;
  while (at < offset + size) {
    Result<Sector> sector = geometry_.SectorAt(at);
    if (!sector.ok()) return sector.status();
    log_.push_back({FlashOpKind::kErase, sector->offset, sector->size, clock_.now_us()});
    uint8_t* begin = bytes_.data() + sector->offset;
    CutMode mode;
    if (CutNow(&mode)) {
      if (mode == CutMode::kAfter || mode == CutMode::kEraseNoise) {
        erase_counts_[sector->index]++;
        std::fill(begin, begin + sector->size, profile_.erase_value);
        SetUnits(sector->offset, sector->size, false);
      }
      if (mode == CutMode::kEraseNoise) {
        // An interrupted erase leaves cells anywhere between programmed and erased.
        for (uint32_t i = 0; i < sector->size; ++i) begin[i] = static_cast<uint8_t>(rng_());
        SetUnits(sector->offset, sector->size, true);
      }
      powered_ = false;
      return StatusCode::kFlashIo;
    }
    clock_.Advance(profile_.EraseMicros(sector->size));
    erase_counts_[sector->index]++;
    std::fill(begin, begin + sector->size, profile_.erase_value);
    SetUnits(sector->offset, sector->size, false);
    at = sector->offset + sector->size;
  }
  return Status::Ok();
}

void SimFlash::SetUnits(uint32_t offset, uint32_t size, bool programmed) {
  const uint32_t align = profile_.write_align;
  std::memset(unit_programmed_.data() + offset / align, programmed ? 1 : 0, size / align);
}

void SimFlash::MarkProgrammed(uint32_t offset, uint32_t size, bool programmed) {
  const uint32_t align = profile_.write_align;
  for (uint32_t at = offset - offset % align; at < offset + size && at < bytes_.size();
       at += align) {
    unit_programmed_[at / align] = programmed;
  }
}

}  // namespace bleota::sim
