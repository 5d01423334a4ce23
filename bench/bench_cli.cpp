#include "bench_cli.hpp"

#include <string>

#include "bench_suite.hpp"

namespace bleota::bench {
namespace {

class BenchCommand final : public host::cli::Command {
 public:
  explicit BenchCommand(CLI::App* app) : Command(app) {
    app->add_flag("--quick", quick_, "Smoke run: 64 KiB images, one BLE row end to end");
    app->add_flag("--json", json_, "Print the figures as JSON instead of Markdown tables");
    app->add_option("--only", only_, "Sections to run (default all)")
        ->check(CLI::IsMember({"link", "e2e", "wear"}))
        ->expected(1, 3);
  }

  int Run(host::cli::Streams& streams) override {
    BenchOptions options;
    options.quick = quick_;
    options.only.insert(only_.begin(), only_.end());
    const BenchReport report = RunBench(options);
    if (json_) {
      streams.out << BenchReportJson(report).dump(2) << "\n";
    } else {
      PrintBenchTables(report, streams.out);
    }
    return 0;
  }

 private:
  bool quick_ = false;
  bool json_ = false;
  std::vector<std::string> only_;
};

}  // namespace

void AddBenchCommands(CLI::App& app, std::vector<std::unique_ptr<host::cli::Command>>& commands) {
  CLI::App* bench = app.add_subcommand(
      "bench",
      "Performance tables on the simulated device in virtual time (deterministic): BLE link "
      "efficiency, end-to-end update time, flash wear (docs/benchmarks.md)");
  commands.push_back(std::make_unique<BenchCommand>(bench));
}

}  // namespace bleota::bench
