#include "bleota/simdev/app_behaviour.hpp"

namespace bleota::sim {

const char* AppFaultName(AppFault fault) {
  switch (fault) {
    case AppFault::kNone:
      return "normal";
    case AppFault::kCrash:
      return "crash";
    case AppFault::kHang:
      return "hang";
    case AppFault::kNoConfirm:
      return "no-confirm";
    case AppFault::kNoAdvertising:
      return "no-advertising";
  }
  return "normal";
}

std::optional<AppFault> ParseAppFault(std::string_view name) {
  for (const AppFault fault : {AppFault::kNone, AppFault::kCrash, AppFault::kHang,
                               AppFault::kNoConfirm, AppFault::kNoAdvertising}) {
    if (name == AppFaultName(fault)) return fault;
  }
  return std::nullopt;
}

AppConduct ConductOf(AppFault fault) {
  switch (fault) {
    case AppFault::kNone:
      break;
    case AppFault::kCrash:  // runs normally until its fault
      break;
    case AppFault::kHang:
      return {.serves_smp = false, .kicks_watchdog = false, .advertises = false, .confirms = false};
    case AppFault::kNoConfirm:
      return {.serves_smp = true, .kicks_watchdog = true, .advertises = true, .confirms = false};
    case AppFault::kNoAdvertising:
      return {.serves_smp = true, .kicks_watchdog = false, .advertises = false, .confirms = true};
  }
  return {.serves_smp = true, .kicks_watchdog = true, .advertises = true, .confirms = true};
}

}  // namespace bleota::sim
