// One requester's view of the simulated OTP, checked by the protection unit (see
// sim_protection_unit.hpp for the rules). A refused access records a Fault, changes nothing and
// returns kPermissionDenied; a CPU view returns kFlashIo once a watchdog reset is due.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/sim/sim_otp.hpp"
#include "bleota/sim/sim_protection_unit.hpp"
#include "bleota/sim/sim_watchdog.hpp"
#include "bleota/status.hpp"

namespace bleota::sim {

class ProtectedOtp {
 public:
  // `watchdog` is null for the debug port.
  ProtectedOtp(SimOtp& otp, SimProtectionUnit& protection, Requester requester,
               const SimWatchdog* watchdog);

  Status Read(uint32_t offset, ByteSpan out);
  Status Program(uint32_t offset, ConstByteSpan data);
  uint32_t size() const { return otp_.size(); }
  Requester requester() const { return requester_; }

 private:
  bool Halted() const { return watchdog_ != nullptr && watchdog_->Expired(); }

  SimOtp& otp_;
  SimProtectionUnit& protection_;
  Requester requester_;
  const SimWatchdog* watchdog_;
};

}  // namespace bleota::sim
