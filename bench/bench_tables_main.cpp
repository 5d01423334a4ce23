// Runs the `bleota bench` tables without the `bleota` executable (the same options):
//   bench_tables [--quick] [--json] [--only link|e2e|wear ...]
#include <iostream>
#include <string>
#include <vector>

#include "bench_suite.hpp"
#include "bleota/host/error.hpp"

int main(int argc, char** argv) {
  bleota::bench::BenchOptions options;
  bool json = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--quick") {
      options.quick = true;
    } else if (arg == "--json") {
      json = true;
    } else if (arg == "--only" && i + 1 < argc) {
      options.only.insert(argv[++i]);
    } else {
      std::cerr << "usage: bench_tables [--quick] [--json] [--only link|e2e|wear ...]\n";
      return 2;
    }
  }
  try {
    const bleota::bench::BenchReport report = bleota::bench::RunBench(options);
    if (json) {
      std::cout << bleota::bench::BenchReportJson(report).dump(2) << "\n";
    } else {
      bleota::bench::PrintBenchTables(report, std::cout);
    }
  } catch (const bleota::host::HostError& e) {
    std::cerr << "bench_tables: error: " << e.what() << "\n";
    return static_cast<int>(e.code());
  }
  return 0;
}
