// `bleota web`: registered in the `bleota` executable as a CLI extension (host/src/main.cpp).
#pragma once

#include <memory>
#include <vector>

#include "bleota/host/cli.hpp"
#include "bleota/host/cli_command.hpp"

namespace bleota::web {

// `bleota web [--port N] [--host ADDR] [--open-browser yes|no]` (a host::CliExtension). Serves
// the embedded updater page until SIGINT or SIGTERM.
void AddWebCommands(CLI::App& app, std::vector<std::unique_ptr<host::cli::Command>>& commands);

}  // namespace bleota::web
