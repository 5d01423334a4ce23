// `bleota sim` (run: the simulated device in the foreground; ctl: a control command to a running
// one) and the bleota-sim-device executable, which is `bleota sim run` under another name
// (docs/simulator.md).
#pragma once

#include <memory>
#include <ostream>
#include <vector>

#include "bleota/host/cli_command.hpp"
#include "bleota/simdev/sim_cli_options.hpp"

namespace bleota::sim {

// The CliExtension (bleota/host/cli.hpp) that adds `bleota sim run` and `bleota sim ctl`.
void AddSimCommands(CLI::App& app, std::vector<std::unique_ptr<host::cli::Command>>& commands);

// `bleota sim ctl` (sim_cli_ctl.cpp).
std::unique_ptr<host::cli::Command> AddSimCtlCommand(CLI::App& sim);

// Runs the device until SIGINT or SIGTERM: provisions a new device if asked, serves its
// endpoints, writes log lines to `out`. Returns the exit code; throws host::HostError.
int RunSimDevice(const SimRunOptions& options, std::ostream& out);

// main() of bleota-sim-device.
int SimDeviceMain(int argc, char** argv);

}  // namespace bleota::sim
