// What the bootloader needs from the SoC besides flash: reset cause, the update button,
// retained RAM, the hardware watchdog, OTP (keys and the anti-rollback counter) and the
// protection unit. A port implements it for its part; ports/sim implements it for tests.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/status.hpp"

namespace bleota::boot {

enum class ResetCause : uint8_t {
  kPowerOn,   // power was lost: retained RAM content is undefined
  kPin,       // reset pin
  kWatchdog,  // the hardware watchdog expired (periodic reset or a hang)
  kSoftware,  // the app or the bootloader asked for a reset
  kLockup,    // CPU fault / lockup
};

const char* ResetCauseName(ResetCause cause);

// Regions the protection unit can lock. Locks set by the bootloader hold until the next reset.
struct ProtectionConfig {
  // Flash ranges the application may neither read nor write (bootloader, boot state, golden
  // slot) and ranges it may read but not write. Offsets are device flash offsets.
  struct Range {
    uint32_t offset;
    uint32_t size;
  };
  static constexpr int kMaxRanges = 6;
  Range no_access[kMaxRanges] = {};
  int no_access_count = 0;
  Range read_only[kMaxRanges] = {};
  int read_only_count = 0;
  bool lock_key_otp = true;       // key OTP unreadable until reset
  bool debug_port_locked = true;  // external programmer cannot read flash
};

class Platform {
 public:
  virtual ResetCause reset_cause() = 0;
  // The physical "force update" button, sampled at boot.
  virtual bool update_button_pressed() = 0;

  // RAM that keeps its content across resets but not across power loss. The bootloader and the
  // app exchange small records here (docs/spec/boot-state.md); content must be validated.
  virtual ByteSpan retained_ram() = 0;

  // Starts the hardware watchdog; once started it cannot be stopped until reset.
  virtual void StartWatchdog(uint32_t period_ms) = 0;
  virtual void KickWatchdog() = 0;

  // One-time-programmable memory. Key OTP reads fail with kPermissionDenied after LockKeyOtp().
  // Programming can only clear bits of erased (0xFF) OTP words and cannot be undone.
  virtual Status ReadOtp(uint32_t offset, ByteSpan out) = 0;
  virtual Status ProgramOtp(uint32_t offset, ConstByteSpan data) = 0;
  virtual uint32_t otp_size() const = 0;

  // Sets the protection unit before the jump to the application.
  virtual Status ApplyProtection(const ProtectionConfig& config) = 0;

 protected:
  ~Platform() = default;
};

}  // namespace bleota::boot
