// Simulated protection unit: the access rules of the flash and OTP, per requester, and the list
// of faults (refused accesses) for tests to inspect.
//
// Model (one CPU, one debug port):
// - kBootloader and kApplication are the CPU running bootloader or application code. The
//   hardware cannot tell them apart by the code, only by the locks: ApplyProtection (the
//   handover) locks the no_access and read_only flash ranges for the CPU until the next reset,
//   so the bootloader too must finish its writes before calling it.
// - Key OTP: never readable or programmable by the application. The bootloader may read and
//   program it until LockKeyOtp (or ProtectionConfig::lock_key_otp); the lock holds until reset
//   and applies to every requester. Counter OTP: bootloader reads and programs, the application
//   only reads.
// - Debug port: a sticky lock (like nRF52 APPROTECT in UICR) set by ProtectionConfig::
//   debug_port_locked survives resets and power cycles; once set, the debug port can access no
//   flash and no OTP. Only a full chip erase clears it. The CPU flash range locks do not apply to
//   the debug port.
// - Resets clear every volatile lock; the bootloader must set them again on every boot.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bleota/boot/platform.hpp"
#include "bleota/flash.hpp"
#include "bleota/sim/virtual_clock.hpp"
#include "bleota/status.hpp"

namespace bleota::sim {

enum class Requester : uint8_t { kBootloader, kApplication, kDebugPort };

enum class AccessKind : uint8_t { kRead, kProgram, kErase, kOtpRead, kOtpProgram };

const char* RequesterName(Requester requester);
const char* AccessKindName(AccessKind kind);

// One refused access. Offsets are flash offsets, or OTP offsets for the kOtp* kinds.
struct Fault {
  Requester requester;
  AccessKind kind;
  uint32_t offset;
  uint32_t size;
  uint64_t at_us;

  friend bool operator==(const Fault&, const Fault&) = default;
};

// "application program [0x1000, +0x100) at 12345 us", for test messages.
std::string DescribeFault(const Fault& fault);

class SimProtectionUnit {
 public:
  // `otp_key_region_size`: OTP bytes [0, otp_key_region_size) are the key region.
  SimProtectionUnit(const FlashGeometry& geometry, uint32_t otp_key_region_size,
                    const VirtualClock& clock);

  // Validates and applies the handover locks. Ranges must be non-empty, inside the flash and on
  // sector boundaries (the unit's granularity) and the counts within kMaxRanges, else
  // kInvalidArgument. The lock registers are write-once per boot: a second call before reset
  // fails with kFailedPrecondition. Nothing changes on failure.
  Status Apply(const boot::ProtectionConfig& config);
  void LockKeyOtp() { key_otp_locked_ = true; }
  void LockDebugPort() { debug_port_locked_ = true; }

  // A reset clears the volatile locks (handover ranges, key OTP lock); the debug lock stays.
  void OnReset();
  // A full chip erase also clears the sticky debug lock.
  void OnChipErase();

  bool protection_applied() const { return applied_; }
  bool key_otp_locked() const { return key_otp_locked_; }
  bool debug_port_locked() const { return debug_port_locked_; }
  // The ranges in force (empty before the handover).
  const std::vector<boot::ProtectionConfig::Range>& no_access_ranges() const { return no_access_; }
  const std::vector<boot::ProtectionConfig::Range>& read_only_ranges() const { return read_only_; }

  // Ok when `requester` may access [offset, offset+size); otherwise records a Fault and returns
  // kPermissionDenied. kind is one of kRead/kProgram/kErase.
  Status CheckFlash(Requester requester, AccessKind kind, uint32_t offset, uint32_t size);
  // The same for OTP; kind is kOtpRead or kOtpProgram.
  Status CheckOtp(Requester requester, AccessKind kind, uint32_t offset, uint32_t size);

  const std::vector<Fault>& faults() const { return faults_; }
  void ClearFaults() { faults_.clear(); }

 private:
  bool FlashAllowed(Requester requester, AccessKind kind, uint32_t offset, uint32_t size) const;
  bool OtpAllowed(Requester requester, AccessKind kind, uint32_t offset, uint32_t size) const;
  Status Deny(Requester requester, AccessKind kind, uint32_t offset, uint32_t size);

  const FlashGeometry& geometry_;
  uint32_t otp_key_region_size_;
  const VirtualClock& clock_;

  bool applied_ = false;
  bool key_otp_locked_ = false;
  bool debug_port_locked_ = false;  // non-volatile
  std::vector<boot::ProtectionConfig::Range> no_access_;
  std::vector<boot::ProtectionConfig::Range> read_only_;
  std::vector<Fault> faults_;
};

}  // namespace bleota::sim
