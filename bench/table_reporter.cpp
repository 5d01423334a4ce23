#include "table_reporter.hpp"

#include <algorithm>
#include <cstdio>
#include <string>

namespace bleota::bench {

namespace {

// Seconds per unit of a benchmark time unit, scaled to nanoseconds.
double NanosecondsPer(benchmark::TimeUnit unit) {
  switch (unit) {
    case benchmark::kNanosecond:
      return 1;
    case benchmark::kMicrosecond:
      return 1e3;
    case benchmark::kMillisecond:
      return 1e6;
    case benchmark::kSecond:
      return 1e9;
  }
  return 1;
}

std::string FormatDuration(double ns) {
  char text[32];
  if (ns < 1e3) {
    std::snprintf(text, sizeof(text), "%.0f ns", ns);
  } else if (ns < 1e6) {
    std::snprintf(text, sizeof(text), "%.1f us", ns / 1e3);
  } else {
    std::snprintf(text, sizeof(text), "%.2f ms", ns / 1e6);
  }
  return text;
}

}  // namespace

void TableReporter::ReportRuns(const std::vector<Run>& runs) {
  ConsoleReporter::ReportRuns(runs);
  for (const Run& run : runs) {
    if (run.error_occurred) ++error_count_;
    if (run.error_occurred || run.run_type != Run::RT_Iteration) continue;
    const double ns = run.GetAdjustedCPUTime() * NanosecondsPer(run.time_unit);
    const std::string& family = run.run_name.function_name;
    if (run.run_name.args.empty()) {
      operations_ns_.emplace_back(family, ns);
      continue;
    }
    const int64_t size = std::stoll(run.run_name.args);
    if (std::find(family_order_.begin(), family_order_.end(), family) == family_order_.end()) {
      family_order_.push_back(family);
    }
    if (std::find(sizes_.begin(), sizes_.end(), size) == sizes_.end()) sizes_.push_back(size);
    sweeps_[family][size] = Cell{ns, ns / (static_cast<double>(size) / 1024.0)};
  }
}

void TableReporter::PrintTables(std::ostream& out) const {
  std::vector<int64_t> sizes = sizes_;
  std::sort(sizes.begin(), sizes.end());
  if (!family_order_.empty()) {
    out << "\nTime per KiB of payload (time per image), host CPU time:\n\n| benchmark |";
    for (int64_t size : sizes) out << ' ' << size / 1024 << " KiB |";
    out << "\n|---|";
    for (size_t i = 0; i < sizes.size(); ++i) out << "---|";
    out << '\n';
    for (const std::string& family : family_order_) {
      out << "| " << family << " |";
      const auto& cells = sweeps_.at(family);
      for (int64_t size : sizes) {
        const auto cell = cells.find(size);
        if (cell == cells.end()) {
          out << " - |";
        } else {
          out << ' ' << FormatDuration(cell->second.ns_per_kib) << " ("
              << FormatDuration(cell->second.ns_per_image) << ") |";
        }
      }
      out << '\n';
    }
  }
  if (!operations_ns_.empty()) {
    out << "\nSingle operations, host CPU time:\n\n| operation | time |\n|---|---|\n";
    for (const auto& [name, ns] : operations_ns_) {
      out << "| " << name << " | " << FormatDuration(ns) << " |\n";
    }
  }
  out.flush();
}

}  // namespace bleota::bench
