// `bleota sim ctl`: one control command to the device running in a state directory.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

#include "bleota/host/error.hpp"
#include "bleota/simdev/control_command.hpp"
#include "bleota/simdev/control_socket.hpp"
#include "bleota/simdev/sim_cli.hpp"

namespace bleota::sim {
namespace {

class SimCtlCommand final : public host::cli::Command {
 public:
  explicit SimCtlCommand(CLI::App* app) : Command(app) {
    app->add_option("--state-dir", state_dir_, "Directory of the running device")->required();
    app->add_option("--timeout", timeout_ms_, "Time to wait for the answer in ms (default 60000)")
        ->check(CLI::Range(1, 3'600'000));
    // Everything after the first word is the command's, options included (power-cut
    // --at-flash-op N), so ctl's own options come first.
    app->prefix_command();
    app->footer(
        "COMMAND: status | power-cut [--at-flash-op N [--mode before|after|program-partial|"
        "program-word-noise|erase-noise]] | power-on | reset | button hold|release | app "
        "normal|crash|hang|no-confirm|no-advertising | corrupt primary|secondary | advance "
        "SECONDS (docs/simulator.md, \"Controls\")");
  }

  int Run(host::cli::Streams& streams) override {
    const std::vector<std::string> words = app()->remaining();
    if (words.empty()) host::ThrowUsage("give a COMMAND (see --help)");
    std::string line;
    for (const std::string& word : words) {
      if (word.empty() || word.find_first_of(" \t\r\n") != std::string::npos) {
        host::ThrowUsage("a command word is empty or holds white space: '" + word + "'");
      }
      line += (line.empty() ? "" : " ") + word;
    }
    // Checked here too, so a typo is a usage error even when no device runs.
    const ControlParse parsed = ParseControlLine(line);
    if (!parsed.command) host::ThrowUsage(parsed.error);
    const std::string reply = SendControlLine(state_dir_, line, timeout_ms_);
    if (reply.rfind("ok", 0) == 0) {
      streams.out << (reply.size() > 3 ? reply.substr(3) : std::string()) << "\n";
      return 0;
    }
    host::ThrowDevice(reply.rfind("error ", 0) == 0 ? reply.substr(6)
                                                    : "unexpected answer: " + reply);
  }

 private:
  std::string state_dir_;
  int timeout_ms_ = 60'000;
};

}  // namespace

std::unique_ptr<host::cli::Command> AddSimCtlCommand(CLI::App& sim) {
  return std::make_unique<SimCtlCommand>(sim.add_subcommand(
      "ctl", "Send a control command to the device running in --state-dir and print its answer"));
}

}  // namespace bleota::sim
