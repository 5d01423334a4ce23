#include "bleota/sim/sim_protection_unit.hpp"

#include <cstdio>

namespace bleota::sim {
namespace {

using Range = boot::ProtectionConfig::Range;

// Empty accesses touch nothing and so overlap nothing.
bool Overlaps(const Range& range, uint32_t offset, uint32_t size) {
  const uint64_t begin = offset;
  const uint64_t end = begin + size;
  const uint64_t range_begin = range.offset;
  const uint64_t range_end = range_begin + range.size;
  return size != 0 && begin < range_end && range_begin < end;
}

bool OverlapsAny(const std::vector<Range>& ranges, uint32_t offset, uint32_t size) {
  for (const Range& range : ranges) {
    if (Overlaps(range, offset, size)) return true;
  }
  return false;
}

bool ValidRanges(const FlashGeometry& geometry, const Range* ranges, int count) {
  if (count < 0 || count > boot::ProtectionConfig::kMaxRanges) return false;
  for (int i = 0; i < count; ++i) {
    const Range& range = ranges[i];
    if (range.size == 0 || !RangeWithin(range.offset, range.size, geometry.total_size())) {
      return false;
    }
    if (!geometry.IsSectorBoundary(range.offset) ||
        !geometry.IsSectorBoundary(range.offset + range.size)) {
      return false;
    }
  }
  return true;
}

}  // namespace

const char* RequesterName(Requester requester) {
  switch (requester) {
    case Requester::kBootloader:
      return "bootloader";
    case Requester::kApplication:
      return "application";
    case Requester::kDebugPort:
      return "debug_port";
  }
  return "unknown";
}

const char* AccessKindName(AccessKind kind) {
  switch (kind) {
    case AccessKind::kRead:
      return "read";
    case AccessKind::kProgram:
      return "program";
    case AccessKind::kErase:
      return "erase";
    case AccessKind::kOtpRead:
      return "otp_read";
    case AccessKind::kOtpProgram:
      return "otp_program";
  }
  return "unknown";
}

std::string DescribeFault(const Fault& fault) {
  char text[128];
  std::snprintf(text, sizeof(text), "%s %s [0x%x, +0x%x) at %llu us",
                RequesterName(fault.requester), AccessKindName(fault.kind), fault.offset,
                fault.size, static_cast<unsigned long long>(fault.at_us));
  return text;
}

SimProtectionUnit::SimProtectionUnit(const FlashGeometry& geometry, uint32_t otp_key_region_size,
                                     const VirtualClock& clock)
    : geometry_(geometry), otp_key_region_size_(otp_key_region_size), clock_(clock) {}

Status SimProtectionUnit::Apply(const boot::ProtectionConfig& config) {
  if (applied_) return StatusCode::kFailedPrecondition;
  if (!ValidRanges(geometry_, config.no_access, config.no_access_count) ||
      !ValidRanges(geometry_, config.read_only, config.read_only_count)) {
    return StatusCode::kInvalidArgument;
  }
  no_access_.assign(config.no_access, config.no_access + config.no_access_count);
  read_only_.assign(config.read_only, config.read_only + config.read_only_count);
  applied_ = true;
  if (config.lock_key_otp) key_otp_locked_ = true;
  if (config.debug_port_locked) debug_port_locked_ = true;
  return Status::Ok();
}

void SimProtectionUnit::OnReset() {
  applied_ = false;
  key_otp_locked_ = false;
  no_access_.clear();
  read_only_.clear();
}

void SimProtectionUnit::OnChipErase() {
  OnReset();
  debug_port_locked_ = false;
}

bool SimProtectionUnit::FlashAllowed(Requester requester, AccessKind kind, uint32_t offset,
                                     uint32_t size) const {
  if (requester == Requester::kDebugPort) return !debug_port_locked_;
  if (!applied_) return true;
  if (OverlapsAny(no_access_, offset, size)) return false;
  if (kind != AccessKind::kRead && OverlapsAny(read_only_, offset, size)) return false;
  return true;
}

bool SimProtectionUnit::OtpAllowed(Requester requester, AccessKind kind, uint32_t offset,
                                   uint32_t size) const {
  const Range key_region{0, otp_key_region_size_};
  const bool touches_keys = Overlaps(key_region, offset, size);
  const uint64_t end = static_cast<uint64_t>(offset) + size;
  const bool touches_counters = size != 0 && end > otp_key_region_size_;
  switch (requester) {
    case Requester::kDebugPort:
      return !debug_port_locked_ && !(touches_keys && key_otp_locked_);
    case Requester::kBootloader:
      return !(touches_keys && key_otp_locked_);
    case Requester::kApplication:
      return !touches_keys && !(touches_counters && kind == AccessKind::kOtpProgram);
  }
  return false;
}

Status SimProtectionUnit::Deny(Requester requester, AccessKind kind, uint32_t offset,
                               uint32_t size) {
  faults_.push_back({requester, kind, offset, size, clock_.now_us()});
  return StatusCode::kPermissionDenied;
}

Status SimProtectionUnit::CheckFlash(Requester requester, AccessKind kind, uint32_t offset,
                                     uint32_t size) {
  if (FlashAllowed(requester, kind, offset, size)) return Status::Ok();
  return Deny(requester, kind, offset, size);
}

Status SimProtectionUnit::CheckOtp(Requester requester, AccessKind kind, uint32_t offset,
                                   uint32_t size) {
  if (OtpAllowed(requester, kind, offset, size)) return Status::Ok();
  return Deny(requester, kind, offset, size);
}

}  // namespace bleota::sim
