// boot::Platform for the nRF51: reset cause (reset.hpp), button A of the micro:bit as the update
// button, retained RAM, the WDT, and the MPU's flash write/erase protection. The nRF51 has no
// OTP: keys are compiled into the bootloader and there is no anti-rollback counter
// (docs/nrf51.md, "Keys and protection").
#pragma once

#include <cstdint>

#include "bleota/boot/platform.hpp"

namespace bleota::nrf51 {

// Flash blocks the MPU's PROTENSET0/1 registers protect (PROTBLOCKSIZE 0: 4 KiB).
inline constexpr uint32_t kProtectionBlockSize = 4096;

class Nrf51Platform final : public boot::Platform {
 public:
  explicit Nrf51Platform(boot::ResetCause cause) : cause_(cause) {}

  boot::ResetCause reset_cause() override { return cause_; }
  // Button A (P0.17, active low, internal pull-up).
  bool update_button_pressed() override;
  ByteSpan retained_ram() override;
  void StartWatchdog(uint32_t period_ms) override;
  void KickWatchdog() override;
  // No OTP on the nRF51: reads and programs fail with kUnsupported, otp_size() is 0.
  Status ReadOtp(uint32_t offset, ByteSpan out) override;
  Status ProgramOtp(uint32_t offset, ConstByteSpan data) override;
  uint32_t otp_size() const override { return 0; }
  // Sets erase/write protection (until the next reset) on every 4 KiB block of the no-access and
  // read-only ranges. The nRF51 cannot block reads at run time (only code region 0 readback
  // protection, set in UICR), so no-access ranges become write-protected only.
  // kInvalidArgument when a range does not start and end on a 4 KiB boundary.
  Status ApplyProtection(const boot::ProtectionConfig& config) override;

 private:
  boot::ResetCause cause_;
};

}  // namespace bleota::nrf51
