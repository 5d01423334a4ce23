#include "bleota/simdev/sim_cli.hpp"

#include <CLI/CLI.hpp>

#include <iostream>

#include "bleota/host/error.hpp"

namespace bleota::sim {
namespace {

class SimRunCommand final : public host::cli::Command {
 public:
  explicit SimRunCommand(CLI::App* app) : Command(app) { AddSimRunOptions(*app, options_); }
  int Run(host::cli::Streams& streams) override { return RunSimDevice(options_, streams.out); }

 private:
  SimRunOptions options_;
};

}  // namespace

void AddSimCommands(CLI::App& app, std::vector<std::unique_ptr<host::cli::Command>>& commands) {
  CLI::App* sim = app.add_subcommand(
      "sim", "A simulated device: run one, or control a running one (docs/simulator.md)");
  sim->require_subcommand(1);
  commands.push_back(std::make_unique<SimRunCommand>(sim->add_subcommand(
      "run",
      "Run a simulated device (the real bootloader and DFU server on a simulated nRF52840, kept "
      "in a state directory) in the foreground")));
  commands.push_back(AddSimCtlCommand(*sim));
}

int SimDeviceMain(int argc, char** argv) {
  CLI::App app(
      "A simulated bleota device: the real bootloader and DFU server on a simulated "
      "nRF52840, kept in a state directory; the same program as `bleota sim run` "
      "(docs/simulator.md)",
      "bleota-sim-device");
  SimRunOptions options;
  AddSimRunOptions(app, options);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(host::ExitCode::kUsage);
  }
  try {
    return RunSimDevice(options, std::cout);
  } catch (const host::HostError& e) {
    std::cerr << "bleota-sim-device: error: " << e.what() << std::endl;
    return static_cast<int>(e.code());
  }
}

}  // namespace bleota::sim
