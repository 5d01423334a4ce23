// The `bleota` executable: see docs/cli.md. The built-in commands come from bleota_host; the
// command groups of libraries that depend on it are added here as extensions, one line each.
#include <iostream>
#include <string>
#include <vector>

#include "bench_cli.hpp"
#include "bleota/host/cli.hpp"
#include "bleota/simdev/sim_cli.hpp"
#include "bleota/web/web_cli.hpp"

int main(int argc, char** argv) {
  const std::vector<bleota::host::CliExtension> extensions = {
      bleota::sim::AddSimCommands,
      bleota::bench::AddBenchCommands,
      bleota::web::AddWebCommands,
  };
  std::vector<std::string> args(argv, argv + argc);
  return bleota::host::RunCli(args, std::cout, std::cerr, extensions);
}
