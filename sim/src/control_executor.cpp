#include "bleota/simdev/control_executor.hpp"

#include "bleota/host/error.hpp"

namespace bleota::sim {
namespace {

const char* StatusModeName(DeviceMode mode) {
  switch (mode) {
    case DeviceMode::kApplication:
      return "application";
    case DeviceMode::kBootloaderOta:
      return "ota";
    case DeviceMode::kOff:
      return "off";
    case DeviceMode::kHalted:
      break;
  }
  return "halted";
}

std::string Ok(const std::string& text) { return "ok " + text; }
std::string Error(const std::string& text) { return "error " + text; }

}  // namespace

std::string StatusFields(SimDevice& device) {
  const bool application = device.mode() == DeviceMode::kApplication;
  std::string line = std::string("mode=") + StatusModeName(device.mode());
  line += " version=" + (application && device.last_decision()
                             ? VersionString(device.last_decision()->version)
                             : std::string("none"));
  line += std::string(" confirmed=") + (device.RunningImageConfirmed() ? "yes" : "no");
  line += " boots=" + std::to_string(device.boots());
  line += " time_us=" + std::to_string(device.soc().clock().now_us());
  line += std::string(" app=") + AppFaultName(device.running_app_fault());
  line += std::string(" advertising=") + (device.advertising() ? "yes" : "no");
  line += std::string(" button=") + (device.soc().button().pressed() ? "held" : "released");
  const std::optional<uint64_t> cut = device.flash_ops_until_cut();
  line += " power_cut_in=" + (cut ? std::to_string(*cut) : std::string("none"));
  return line;
}

std::string ExecuteControl(SimDevice& device, const ControlCommand& command) {
  const bool off = device.mode() == DeviceMode::kOff;
  try {
    switch (command.verb) {
      case ControlVerb::kStatus:
        return Ok(StatusFields(device));
      case ControlVerb::kPowerCut:
        if (off) return Error("the device is already off");
        if (command.at_flash_op == 0) {
          device.CutPower();
          return Ok("power cut: the device is off");
        }
        device.ArmPowerCut(command.at_flash_op, command.cut_mode);
        return Ok("power cut armed at flash operation " + std::to_string(command.at_flash_op) +
                  " from now (" + CutModeOptionName(command.cut_mode) + ")");
      case ControlVerb::kPowerOn:
        if (!off) return Error("the device is already on");
        device.PowerOn();
        return Ok(StatusFields(device));
      case ControlVerb::kReset:
        if (off) return Error("the device is off (power-on first)");
        device.Log("reset (pin)");
        device.Reset(boot::ResetCause::kPin);
        return Ok(StatusFields(device));
      case ControlVerb::kButton:
        device.SetButton(command.button_held);
        return Ok(command.button_held ? "button held" : "button released");
      case ControlVerb::kApp:
        return Ok("app: " + device.SetAppFault(command.app_fault));
      case ControlVerb::kCorrupt:
        return Ok(device.CorruptSlot(command.slot == SlotName::kSecondary));
      case ControlVerb::kAdvance:
        device.Advance(command.advance_us);
        return Ok(StatusFields(device));
    }
  } catch (const host::HostError& e) {
    return Error(e.what());
  }
  return Error("unknown command");
}

std::string HandleControlLine(SimDevice& device, std::string_view line) {
  const ControlParse parsed = ParseControlLine(line);
  if (!parsed.command) return Error(parsed.error);
  return ExecuteControl(device, *parsed.command);
}

}  // namespace bleota::sim
