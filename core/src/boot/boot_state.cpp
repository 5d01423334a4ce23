#include "bleota/boot/boot_state.hpp"

#include <cstring>

#include "bleota/crc32.hpp"

namespace bleota::boot {
namespace {

// Record layout, little-endian (docs/spec/boot-state.md).
constexpr uint32_t kOffMagic = 0;
constexpr uint32_t kOffVersion = 2;
constexpr uint32_t kOffOp = 3;
constexpr uint32_t kOffSeq = 4;
constexpr uint32_t kOffStep = 8;
constexpr uint32_t kOffSwapSectors = 10;
constexpr uint32_t kOffFlags = 12;
constexpr uint32_t kOffTestBoots = 13;
constexpr uint32_t kOffPending = 14;
constexpr uint32_t kOffReason = 15;
constexpr uint32_t kOffPendingHash = 16;
constexpr uint32_t kOffVerifiedHash = 24;
constexpr uint32_t kOffCrc = 28;

constexpr uint8_t kFlagSecondaryShifted = 0x01;
constexpr uint8_t kFlagSecondaryPlaintext = 0x02;
constexpr uint8_t kFlagPrimaryTesting = 0x04;
constexpr uint8_t kFlagPrimaryVerified = 0x08;
constexpr uint8_t kKnownFlags =
    kFlagSecondaryShifted | kFlagSecondaryPlaintext | kFlagPrimaryTesting | kFlagPrimaryVerified;

}  // namespace

void EncodeBootRecord(const BootState& state, std::span<uint8_t, kBootRecordSize> out) {
  std::memset(out.data(), 0, out.size());
  StoreLe16(&out[kOffMagic], kBootRecordMagic);
  out[kOffVersion] = kBootRecordVersion;
  out[kOffOp] = static_cast<uint8_t>(state.op);
  StoreLe32(&out[kOffSeq], state.seq);
  StoreLe16(&out[kOffStep], state.step);
  StoreLe16(&out[kOffSwapSectors], state.swap_sectors);
  out[kOffFlags] = static_cast<uint8_t>((state.secondary_shifted ? kFlagSecondaryShifted : 0) |
                                        (state.secondary_plaintext ? kFlagSecondaryPlaintext : 0) |
                                        (state.primary_testing ? kFlagPrimaryTesting : 0) |
                                        (state.primary_verified ? kFlagPrimaryVerified : 0));
  out[kOffTestBoots] = state.test_boots;
  out[kOffPending] = static_cast<uint8_t>(state.pending);
  out[kOffReason] = static_cast<uint8_t>(state.swap_reason);
  std::memcpy(&out[kOffPendingHash], state.pending_hash, kPendingHashBytes);
  std::memcpy(&out[kOffVerifiedHash], state.verified_hash, kVerifiedHashBytes);
  StoreLe32(&out[kOffCrc], Crc32(std::span<const uint8_t>(out.data(), kOffCrc)));
}

Result<BootState> DecodeBootRecord(std::span<const uint8_t, kBootRecordSize> in) {
  if (LoadLe16(&in[kOffMagic]) != kBootRecordMagic || in[kOffVersion] != kBootRecordVersion) {
    return StatusCode::kDataLoss;
  }
  if (LoadLe32(&in[kOffCrc]) != Crc32(std::span<const uint8_t>(in.data(), kOffCrc))) {
    return StatusCode::kDataLoss;
  }
  const uint8_t op = in[kOffOp];
  const uint8_t pending = in[kOffPending];
  const uint8_t reason = in[kOffReason];
  const uint8_t flags = in[kOffFlags];
  if (op > static_cast<uint8_t>(BootOp::kGoldenUpdate) ||
      pending > static_cast<uint8_t>(PendingRequest::kGolden) ||
      reason > static_cast<uint8_t>(SwapReason::kRevert) || (flags & ~kKnownFlags) != 0) {
    return StatusCode::kDataLoss;
  }
  BootState state;
  state.seq = LoadLe32(&in[kOffSeq]);
  state.op = static_cast<BootOp>(op);
  state.swap_reason = static_cast<SwapReason>(reason);
  state.step = LoadLe16(&in[kOffStep]);
  state.swap_sectors = LoadLe16(&in[kOffSwapSectors]);
  state.secondary_shifted = (flags & kFlagSecondaryShifted) != 0;
  state.secondary_plaintext = (flags & kFlagSecondaryPlaintext) != 0;
  state.primary_testing = (flags & kFlagPrimaryTesting) != 0;
  state.test_boots = in[kOffTestBoots];
  state.pending = static_cast<PendingRequest>(pending);
  std::memcpy(state.pending_hash, &in[kOffPendingHash], kPendingHashBytes);
  state.primary_verified = (flags & kFlagPrimaryVerified) != 0;
  std::memcpy(state.verified_hash, &in[kOffVerifiedHash], kVerifiedHashBytes);
  return state;
}

}  // namespace bleota::boot
