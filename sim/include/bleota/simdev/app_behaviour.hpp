// Faults the operator can give the modelled example application at run time (`bleota sim ctl
// app ...`), and what the application then does. The application's code is not executed (see
// sim_device.hpp); these flags are its whole behaviour.
//
// A fault belongs to one application build, identified by its image's SHA256 TLV: the image in
// primary, or, while an install is pending, the image that will be installed. It holds at every
// run of that build (across resets and power cuts, while the simulator process runs) until the
// build is replaced (an install, revert or golden restore puts another image in primary) or
// `app normal` clears it. So a bad version keeps misbehaving until an update or the bootloader
// replaces it.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace bleota::sim {

enum class AppFault : uint8_t {
  kNone,           // "normal": serves SMP, advertises, sets the health flag, kicks the watchdog
  kCrash,          // a CPU fault: lockup reset now, and kCrashAfterStartUs after every start
  kHang,           // stops: no SMP, no advertising, no watchdog kicks, so the watchdog resets
                   // it. A hang that starts with the run sets no health flag either: a confirmed
                   // build that hangs at every start lands in OTA mode at its second watchdog
                   // reset (the first run set the flag before it hung)
  kNoConfirm,      // never confirms an image in test mode by itself (no auto-confirm)
  kNoAdvertising,  // stops advertising; its health supervisor clears the "trigger path healthy"
                   // flag and stops kicking the watchdog, so the next watchdog reset finds the
                   // flag missing (OTA bootloader mode, reason health_missing)
};

// Virtual time from the start of a crashing build to its fault: a crash loop takes time, as on
// hardware, instead of looping inside one boot.
inline constexpr uint64_t kCrashAfterStartUs = 2'000'000;

// "normal", "crash", "hang", "no-confirm", "no-advertising".
const char* AppFaultName(AppFault fault);
std::optional<AppFault> ParseAppFault(std::string_view name);

// What the application does with a fault (kNone: everything).
struct AppConduct {
  bool serves_smp;
  bool kicks_watchdog;
  bool advertises;  // and sets the "trigger path healthy" flag
  bool confirms;    // auto-confirm, when the device has it
};

AppConduct ConductOf(AppFault fault);

}  // namespace bleota::sim
