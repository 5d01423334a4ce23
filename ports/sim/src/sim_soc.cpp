#include "bleota/sim/sim_soc.hpp"

#include <algorithm>
#include <cstring>

namespace bleota::sim {

using boot::ResetCause;

SimSoc::SimSoc(const SocConfig& config)
    : config_(config),
      flash_(config_.flash_profile, clock_, config_.reprogram_rule),
      otp_(config_.otp_size, config_.otp_key_region_size, clock_,
           config_.flash_profile.program_us_per_word),
      protection_(flash_.geometry(), config_.otp_key_region_size, clock_),
      watchdog_(clock_),
      retained_ram_(config_.retained_ram_size, config_.seed),
      bootloader_flash_(flash_, protection_, Requester::kBootloader, &watchdog_),
      application_flash_(flash_, protection_, Requester::kApplication, &watchdog_),
      debug_flash_(flash_, protection_, Requester::kDebugPort, nullptr),
      bootloader_otp_(otp_, protection_, Requester::kBootloader, &watchdog_),
      application_otp_(otp_, protection_, Requester::kApplication, &watchdog_),
      debug_otp_(otp_, protection_, Requester::kDebugPort, nullptr) {}

void SimSoc::StartWatchdog(uint32_t period_ms) {
  if (watchdog_.Start(period_ms).code() == StatusCode::kFailedPrecondition) {
    ++watchdog_start_refusals_;
  }
}

Status SimSoc::ReadOtp(uint32_t offset, ByteSpan out) {
  if (!flash_.powered()) return StatusCode::kFlashIo;  // one power domain
  return bootloader_otp_.Read(offset, out);
}

Status SimSoc::ProgramOtp(uint32_t offset, ConstByteSpan data) {
  if (!flash_.powered()) return StatusCode::kFlashIo;
  const Status programmed = bootloader_otp_.Program(offset, data);
  if (!otp_.powered()) flash_.PowerOff();  // the cut took the whole SoC down
  return programmed;
}

Status SimSoc::ApplyProtection(const boot::ProtectionConfig& config) {
  if (watchdog_.Expired()) return StatusCode::kFlashIo;
  return protection_.Apply(config);
}

void SimSoc::Reset(ResetCause cause) {
  if (cause == ResetCause::kPowerOn) {
    PowerCycle();
    return;
  }
  const bool soft = cause == ResetCause::kSoftware || cause == ResetCause::kLockup;
  if (!(soft && config_.watchdog_survives_soft_reset)) watchdog_.Stop();
  protection_.OnReset();
  reset_cause_ = cause;
  ++reset_count_;
}

void SimSoc::PowerCycle() {
  flash_.PowerOn();
  otp_.PowerOn();
  watchdog_.Stop();
  protection_.OnReset();
  retained_ram_.LosePower();
  reset_cause_ = ResetCause::kPowerOn;
  ++reset_count_;
}

bool SimSoc::AdvanceTime(uint64_t us) {
  clock_.Advance(us);
  return watchdog_reset_due();
}

bool SimSoc::ResetIfWatchdogDue() {
  if (!watchdog_reset_due()) return false;
  Reset(ResetCause::kWatchdog);
  return true;
}

Status SimSoc::DebugChipErase() {
  BLEOTA_TRY(flash_.Erase(0, flash_.geometry().total_size()));
  otp_.EraseAll();
  protection_.OnChipErase();
  ByteSpan ram = retained_ram_.bytes();
  std::fill(ram.begin(), ram.end(), 0);
  Reset(ResetCause::kPin);
  return Status::Ok();
}

ProtectedFlash& SimSoc::flash(Requester requester) {
  switch (requester) {
    case Requester::kBootloader:
      return bootloader_flash_;
    case Requester::kApplication:
      return application_flash_;
    case Requester::kDebugPort:
      break;
  }
  return debug_flash_;
}

ProtectedOtp& SimSoc::otp(Requester requester) {
  switch (requester) {
    case Requester::kBootloader:
      return bootloader_otp_;
    case Requester::kApplication:
      return application_otp_;
    case Requester::kDebugPort:
      break;
  }
  return debug_otp_;
}

Status SimSoc::ProvisionFlash(uint32_t offset, ConstByteSpan data) {
  const uint32_t size = static_cast<uint32_t>(data.size());
  if (!RangeWithin(offset, size, flash_.geometry().total_size())) return StatusCode::kOutOfRange;
  if (size == 0) return Status::Ok();
  std::memcpy(flash_.raw().data() + offset, data.data(), size);
  flash_.MarkProgrammed(offset, size, true);
  return Status::Ok();
}

}  // namespace bleota::sim
