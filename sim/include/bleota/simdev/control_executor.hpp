// Carries out control commands (control_command.hpp) on a SimDevice and words the reply line:
// "ok ..." when done, "error ..." when the command is malformed or does not apply now (e.g.
// power-on of a device that is on). Shared by the control socket and the device's terminal.
#pragma once

#include <string>
#include <string_view>

#include "bleota/simdev/control_command.hpp"
#include "bleota/simdev/sim_device.hpp"

namespace bleota::sim {

// The reply (no newline). Never throws for a command the device refuses.
std::string ExecuteControl(SimDevice& device, const ControlCommand& command);
// Parses `line` and executes it.
std::string HandleControlLine(SimDevice& device, std::string_view line);
// The status fields: "mode=application version=1.0.0 confirmed=yes boots=3 time_us=2132 ...".
std::string StatusFields(SimDevice& device);

}  // namespace bleota::sim
