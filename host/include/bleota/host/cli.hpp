// The `bleota` command line (docs/cli.md). RunCli is the whole tool as a function, so tests run
// it in-process; main() only forwards argv and the standard streams, and the extensions: command
// groups from libraries that depend on bleota_host (`bleota sim`, `bleota bench`), which
// bleota_host itself cannot link.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace bleota::host {

namespace cli {
class Command;
}  // namespace cli

// Adds subcommands to the top-level app and their Commands to `commands` (see cli_command.hpp).
using CliExtension = void (*)(CLI::App& app, std::vector<std::unique_ptr<cli::Command>>& commands);

// args[0] is the program name. Returns the process exit code (ExitCode in error.hpp); errors are
// written to `err` as "bleota: error: <message>". `extensions` add command groups after the
// built-in ones.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err,
           const std::vector<CliExtension>& extensions = {});

}  // namespace bleota::host
