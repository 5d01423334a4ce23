#include "bleota/boot/platform.hpp"

namespace bleota::boot {

const char* ResetCauseName(ResetCause cause) {
  switch (cause) {
    case ResetCause::kPowerOn:
      return "power_on";
    case ResetCause::kPin:
      return "pin";
    case ResetCause::kWatchdog:
      return "watchdog";
    case ResetCause::kSoftware:
      return "software";
    case ResetCause::kLockup:
      return "lockup";
  }
  return "unknown";
}

}  // namespace bleota::boot
