// Console reporter that also collects the runs and, at the end, prints them as Markdown tables:
// one row per size-swept family (time per KiB of payload, and per image) and one for single
// operations. Families are "<family>/<payload bytes>"; single operations have no size argument.
// Times are CPU time: on a shared host, wall time also counts other processes.
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>
#include <map>
#include <ostream>
#include <string>
#include <vector>

namespace bleota::bench {

class TableReporter : public benchmark::ConsoleReporter {
 public:
  explicit TableReporter(OutputOptions options) : ConsoleReporter(options) {}

  void ReportRuns(const std::vector<Run>& runs) override;
  void PrintTables(std::ostream& out) const;
  // Benchmarks that reported an error (a failed verification): the run is not valid.
  int error_count() const { return error_count_; }

 private:
  struct Cell {
    double ns_per_image = 0;
    double ns_per_kib = 0;
  };
  std::vector<std::string> family_order_;
  std::vector<int64_t> sizes_;
  std::map<std::string, std::map<int64_t, Cell>> sweeps_;
  std::vector<std::pair<std::string, double>> operations_ns_;
  int error_count_ = 0;
};

}  // namespace bleota::bench
