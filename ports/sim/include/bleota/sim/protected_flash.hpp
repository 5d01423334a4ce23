// One requester's view of the simulated flash: every access is checked by the protection unit
// first. A refused access leaves the flash untouched, records a Fault and returns
// kPermissionDenied.
//
// CPU views (bootloader, application) also stop at a watchdog reset: once the watchdog deadline
// has passed, the CPU is being reset and nothing it does reaches the flash (kFlashIo). A
// multi-sector erase is checked sector by sector, so the reset lands between sectors as on a
// part that erases one page at a time.
#pragma once

#include <cstdint>

#include "bleota/flash.hpp"
#include "bleota/sim/sim_flash.hpp"
#include "bleota/sim/sim_protection_unit.hpp"
#include "bleota/sim/sim_watchdog.hpp"

namespace bleota::sim {

class ProtectedFlash final : public Flash {
 public:
  // `watchdog` is null for the debug port, which the CPU reset does not stop.
  ProtectedFlash(SimFlash& flash, SimProtectionUnit& protection, Requester requester,
                 const SimWatchdog* watchdog);

  const FlashGeometry& geometry() const override { return flash_.geometry(); }
  Status Read(uint32_t offset, ByteSpan out) override;
  Status Program(uint32_t offset, ConstByteSpan data) override;
  Status Erase(uint32_t offset, uint32_t size) override;

  Requester requester() const { return requester_; }

 private:
  bool Halted() const { return watchdog_ != nullptr && watchdog_->Expired(); }

  SimFlash& flash_;
  SimProtectionUnit& protection_;
  Requester requester_;
  const SimWatchdog* watchdog_;
};

}  // namespace bleota::sim
