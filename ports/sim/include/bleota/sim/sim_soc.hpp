// The simulated SoC: flash, OTP, protection unit, watchdog, button, retained RAM and reset
// logic tied together. It is the bootloader's boot::Platform in tests, and gives tests the
// device-level operations: resets, power cycles, virtual time, per-requester flash/OTP views,
// the fault list, and host-side provisioning.
//
// Reset model (nRF52-like):
//   Reset(cause)  flash, OTP, retained RAM and the debug lock kept; volatile locks cleared.
//                 The watchdog is reset by pin and watchdog resets; by default it keeps running
//                 through software and lockup resets (nRF52 behaviour: a bootloader entered by
//                 a soft reset from an app that started the watchdog must keep kicking it).
//   PowerCycle()  as Reset, plus: retained RAM gets random content, the watchdog stops, a
//                 powered-off SimFlash or SimOtp (after a power cut) powers on; cause kPowerOn.
// Power cuts: SimFlash and SimOtp count their operations separately (arm a cut on either), but
// they share one power domain as seen by the bootloader: while either is cut, the Platform's
// OTP accesses fail with kFlashIo, and a cut during an OTP program also powers the flash off.
// Nothing here runs code: a device runner calls the bootloader, then Reset/PowerCycle, and
// checks watchdog_reset_due() after the bootloader returns or while the app idles.
#pragma once

#include <cstdint>
#include <vector>

#include "bleota/boot/platform.hpp"
#include "bleota/sim/flash_profile.hpp"
#include "bleota/sim/protected_flash.hpp"
#include "bleota/sim/protected_otp.hpp"
#include "bleota/sim/retained_ram.hpp"
#include "bleota/sim/sim_button.hpp"
#include "bleota/sim/sim_flash.hpp"
#include "bleota/sim/sim_otp.hpp"
#include "bleota/sim/sim_protection_unit.hpp"
#include "bleota/sim/sim_watchdog.hpp"
#include "bleota/sim/virtual_clock.hpp"

namespace bleota::sim {

struct SocConfig {
  FlashProfile flash_profile = Nrf52840Profile();
  ReprogramRule reprogram_rule = ReprogramRule::kError;
  uint32_t otp_size = 1024;
  uint32_t otp_key_region_size = 512;  // the rest is the counter region
  uint32_t retained_ram_size = 64;
  uint64_t seed = 1;  // retained RAM content after power loss
  bool watchdog_survives_soft_reset = true;
};

class SimSoc final : public boot::Platform {
 public:
  // Starts as after the first power-on: flash and OTP erased, reset cause kPowerOn.
  explicit SimSoc(const SocConfig& config = SocConfig());
  SimSoc(const SimSoc&) = delete;
  SimSoc& operator=(const SimSoc&) = delete;

  // boot::Platform (the bootloader's view; OTP accesses are bootloader-requester accesses).
  boot::ResetCause reset_cause() override { return reset_cause_; }
  bool update_button_pressed() override { return button_.Sample(); }
  ByteSpan retained_ram() override { return retained_ram_.bytes(); }
  // A second start while running is ignored, as on hardware (period stays); see watchdog().
  void StartWatchdog(uint32_t period_ms) override;
  void KickWatchdog() override { watchdog_.Kick(); }
  Status ReadOtp(uint32_t offset, ByteSpan out) override;
  Status ProgramOtp(uint32_t offset, ConstByteSpan data) override;
  uint32_t otp_size() const override { return otp_.size(); }
  // Fails with kFlashIo (and does nothing) once a watchdog reset is due.
  Status ApplyProtection(const boot::ProtectionConfig& config) override;

  // Locks key OTP until reset (also done by ApplyProtection with lock_key_otp).
  void LockKeyOtp() { protection_.LockKeyOtp(); }

  // Device-level operations for tests and device runners.
  void Reset(boot::ResetCause cause);  // kPowerOn means PowerCycle()
  void PowerCycle();
  // Advances virtual time; returns watchdog_reset_due().
  bool AdvanceTime(uint64_t us);
  bool watchdog_reset_due() const { return watchdog_.Expired(); }
  // If a watchdog reset is due, performs it and returns true.
  bool ResetIfWatchdogDue();
  // Debug port ERASEALL: allowed even when the debug port is locked. Erases all flash (through
  // SimFlash, so wear counters and the log see it) and the whole OTP, clears the sticky debug
  // lock and retained RAM content, then resets the chip (cause kPin). Fails only when the flash
  // fails (a power cut), leaving the lock set.
  Status DebugChipErase();

  // Per-requester views. The bootloader under test gets flash(Requester::kBootloader); code
  // playing the application uses kApplication; an attacker with a programmer uses kDebugPort.
  ProtectedFlash& flash(Requester requester);
  ProtectedOtp& otp(Requester requester);

  const std::vector<Fault>& faults() const { return protection_.faults(); }
  void ClearFaults() { protection_.ClearFaults(); }

  // Host-side provisioning before "shipping": OTP rules (once per word) apply, locks do not.
  Status ProvisionOtp(uint32_t offset, ConstByteSpan data) { return otp_.Program(offset, data); }
  // Writes flash bytes directly (no rules, time or log), leaving them marked programmed.
  Status ProvisionFlash(uint32_t offset, ConstByteSpan data);

  // Components, for inspection and fine control (power cuts, op log, button).
  VirtualClock& clock() { return clock_; }
  SimFlash& sim_flash() { return flash_; }
  SimOtp& sim_otp() { return otp_; }
  SimProtectionUnit& protection() { return protection_; }
  SimWatchdog& watchdog() { return watchdog_; }
  SimButton& button() { return button_; }
  RetainedRam& retained() { return retained_ram_; }
  const SocConfig& config() const { return config_; }

  bool protection_applied() const { return protection_.protection_applied(); }
  bool key_otp_locked() const { return protection_.key_otp_locked(); }
  bool debug_port_locked() const { return protection_.debug_port_locked(); }
  uint32_t reset_count() const { return reset_count_; }
  // Watchdog starts refused because it was already running (a bootloader relying on its own
  // period after a soft reset would be wrong).
  uint32_t watchdog_start_refusals() const { return watchdog_start_refusals_; }

 private:
  SocConfig config_;
  VirtualClock clock_;
  SimFlash flash_;
  SimOtp otp_;
  SimProtectionUnit protection_;
  SimWatchdog watchdog_;
  SimButton button_;
  RetainedRam retained_ram_;
  ProtectedFlash bootloader_flash_;
  ProtectedFlash application_flash_;
  ProtectedFlash debug_flash_;
  ProtectedOtp bootloader_otp_;
  ProtectedOtp application_otp_;
  ProtectedOtp debug_otp_;
  boot::ResetCause reset_cause_ = boot::ResetCause::kPowerOn;
  uint32_t reset_count_ = 0;
  uint32_t watchdog_start_refusals_ = 0;
};

}  // namespace bleota::sim
