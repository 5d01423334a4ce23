// `bleota bench`: registered in the `bleota` executable as a CLI extension (host/src/main.cpp).
#pragma once

#include <memory>
#include <vector>

#include "bleota/host/cli.hpp"
#include "bleota/host/cli_command.hpp"

namespace bleota::bench {

// `bleota bench [--quick] [--json] [--only link|e2e|wear ...]` (a host::CliExtension).
void AddBenchCommands(CLI::App& app, std::vector<std::unique_ptr<host::cli::Command>>& commands);

}  // namespace bleota::bench
