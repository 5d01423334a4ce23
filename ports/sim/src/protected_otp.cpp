#include "bleota/sim/protected_otp.hpp"

namespace bleota::sim {

ProtectedOtp::ProtectedOtp(SimOtp& otp, SimProtectionUnit& protection, Requester requester,
                           const SimWatchdog* watchdog)
    : otp_(otp), protection_(protection), requester_(requester), watchdog_(watchdog) {}

Status ProtectedOtp::Read(uint32_t offset, ByteSpan out) {
  if (Halted()) return StatusCode::kFlashIo;
  BLEOTA_TRY(protection_.CheckOtp(requester_, AccessKind::kOtpRead, offset,
                                  static_cast<uint32_t>(out.size())));
  return otp_.Read(offset, out);
}

Status ProtectedOtp::Program(uint32_t offset, ConstByteSpan data) {
  if (Halted()) return StatusCode::kFlashIo;
  BLEOTA_TRY(protection_.CheckOtp(requester_, AccessKind::kOtpProgram, offset,
                                  static_cast<uint32_t>(data.size())));
  return otp_.Program(offset, data);
}

}  // namespace bleota::sim
