// The `bleota` command line (docs/cli.md). RunCli is the whole tool as a function, so tests run
// it in-process; main() only forwards argv and the standard streams.
#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace bleota::host {

// args[0] is the program name. Returns the process exit code (ExitCode in error.hpp); errors are
// written to `err` as "bleota: error: <message>".
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace bleota::host
