// The `bleota` executable: see docs/cli.md.
#include <iostream>
#include <string>
#include <vector>

#include "bleota/host/cli.hpp"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  return bleota::host::RunCli(args, std::cout, std::cerr);
}
