// `bleota bench`: the performance tables of docs/benchmarks.md, measured on the simulated device
// in virtual time (deterministic: the same figures in every run), never judged on time.
//   link  goodput of the client's upload over the simulated BLE link / the link model's limit
//   e2e   a whole update of a 256 KiB image on the nRF52840 flash profile, over BLE and direct,
//         next to the reference flash bound and the peers' published figures
//   wear  erases per sector and flash area for one update
#pragma once

#include <cstdint>
#include <ostream>
#include <set>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "end_to_end.hpp"
#include "flash_wear.hpp"
#include "link_efficiency.hpp"

namespace bleota::bench {

inline constexpr const char* kSections[] = {"link", "e2e", "wear"};

struct BenchOptions {
  bool quick = false;          // smaller images and fewer BLE rows: a smoke run
  std::set<std::string> only;  // sections to run ("link", "e2e", "wear"); empty: all
};

struct BenchReport {
  bool quick = false;
  uint32_t image_size = 0;  // of every update measured
  std::vector<LinkResult> link;
  std::vector<EndToEndResult> end_to_end;
  std::vector<WearResult> wear;
};

// Image size: 256 KiB (the reference's), 64 KiB when quick. Throws host::HostError(kUsage) for
// an unknown section, other HostErrors when a measured update fails.
BenchReport RunBench(const BenchOptions& options);

// The tables as Markdown (what docs/benchmarks.md pastes).
void PrintBenchTables(const BenchReport& report, std::ostream& out);
nlohmann::json BenchReportJson(const BenchReport& report);

}  // namespace bleota::bench
