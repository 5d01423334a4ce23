// One `bleota` subcommand: declares its options on a CLI11 app and runs after parsing. Public so
// that libraries which depend on bleota_host (the simulator, the benchmarks) can add commands
// through a CliExtension (cli.hpp).
#pragma once

#include <CLI/CLI.hpp>

#include <memory>
#include <ostream>
#include <vector>

namespace bleota::host::cli {

struct Streams {
  std::ostream& out;
  std::ostream& err;
};

class Command {
 public:
  explicit Command(CLI::App* app) : app_(app) {}
  virtual ~Command() = default;
  Command(const Command&) = delete;
  Command& operator=(const Command&) = delete;

  bool parsed() const { return app_->parsed(); }
  // Returns the exit code; throws HostError for failures.
  virtual int Run(Streams& streams) = 0;

 protected:
  CLI::App* app() const { return app_; }

 private:
  CLI::App* app_;
};

std::unique_ptr<Command> AddKeygenCommand(CLI::App& image);
std::unique_ptr<Command> AddGetpubCommand(CLI::App& image);
std::unique_ptr<Command> AddGetprivCommand(CLI::App& image);
std::unique_ptr<Command> AddSignCommand(CLI::App& image);
std::unique_ptr<Command> AddVerifyCommand(CLI::App& image);
std::unique_ptr<Command> AddInfoCommand(CLI::App& image);
std::unique_ptr<Command> AddDecryptCommand(CLI::App& image);
// `bleota dfu` and its subcommands (cli_dfu.cpp).
void AddDfuCommands(CLI::App& app, std::vector<std::unique_ptr<Command>>& commands);

}  // namespace bleota::host::cli
