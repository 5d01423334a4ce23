// `bleota bench --quick` as a smoke test: every section runs, the Markdown tables are well formed
// (each row has the header's column count), the figures are positive, the goodput stays below
// the link model's limit, two runs give the same figures (virtual time), and the wear counts
// show one erase per slot sector. Nothing here is judged on time.
#include <gtest/gtest.h>

#include <sstream>
#include <string>
#include <vector>

#include "bench_cli.hpp"
#include "bench_suite.hpp"
#include "bleota/host/cli.hpp"
#include "bleota/host/error.hpp"

namespace bleota::bench {
namespace {

const BenchReport& QuickReport() {
  static const BenchReport report = [] {
    BenchOptions options;
    options.quick = true;
    return RunBench(options);
  }();
  return report;
}

size_t Columns(const std::string& line) {
  size_t bars = 0;
  for (char c : line) bars += c == '|';
  return bars;
}

// `bleota bench --quick` as the executable runs it (the CLI extension), its Markdown and JSON.
std::string RunBleota(const std::vector<std::string>& args, int& code) {
  std::ostringstream out;
  std::ostringstream err;
  std::vector<std::string> argv = {"bleota"};
  argv.insert(argv.end(), args.begin(), args.end());
  code = host::RunCli(argv, out, err, {AddBenchCommands});
  EXPECT_EQ(err.str(), "");
  return out.str();
}

TEST(BenchSuiteTest, QuickRunPrintsWellFormedTables) {
  int code = -1;
  const std::string text = RunBleota({"bench", "--quick"}, code);
  ASSERT_EQ(code, 0);
  for (const char* title : {"### Link efficiency", "### End to end", "### Flash wear"}) {
    EXPECT_NE(text.find(title), std::string::npos) << title;
  }
  std::istringstream lines(text);
  std::string line;
  size_t header_columns = 0;
  size_t tables = 0;
  size_t rows = 0;
  bool in_table = false;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] != '|') {
      in_table = false;
      continue;
    }
    if (!in_table) {
      in_table = true;
      header_columns = Columns(line);
      ++tables;
      continue;
    }
    EXPECT_EQ(Columns(line), header_columns) << line;
    ++rows;
  }
  EXPECT_EQ(tables, 3u);  // the comparison table needs the full run
  // Separator rows included: 7 link rows, 2 end-to-end rows, 7 areas + the MCUboot row.
  EXPECT_EQ(rows, (1 + LinkCases().size()) + (1 + 2) + (1 + 8));
}

TEST(BenchSuiteTest, QuickJsonFiguresArePositiveAndBelowTheModelLimit) {
  int code = -1;
  const nlohmann::json report =
      nlohmann::json::parse(RunBleota({"bench", "--quick", "--json"}, code));
  ASSERT_EQ(code, 0);
  EXPECT_EQ(report["time"], "virtual");
  ASSERT_EQ(report["link"].size(), LinkCases().size());
  for (const nlohmann::json& row : report["link"]) {
    SCOPED_TRACE(row.dump());
    EXPECT_GT(row["goodput_bytes_per_s"].get<double>(), 0);
    EXPECT_LT(row["goodput_bytes_per_s"].get<double>(), row["limit_bytes_per_s"].get<double>());
    EXPECT_GT(row["ratio"].get<double>(), 0);
    EXPECT_LT(row["ratio"].get<double>(), 1);
  }
  ASSERT_EQ(report["e2e"].size(), 2u);
  for (const nlohmann::json& row : report["e2e"]) {
    SCOPED_TRACE(row.dump());
    for (const char* key : {"transfer_us", "install_us", "total_us"}) {
      EXPECT_GT(row[key].get<uint64_t>(), 0u) << key;
    }
  }
  ASSERT_EQ(report["wear"].size(), 2u);
  // The same figures as the library call: the run is deterministic.
  EXPECT_EQ(report, BenchReportJson(QuickReport()));
}

TEST(BenchSuiteTest, UnknownSectionIsRefusedByTheCli) {
  int code = -1;
  std::ostringstream out;
  std::ostringstream err;
  code = host::RunCli({"bleota", "bench", "--only", "speed"}, out, err, {AddBenchCommands});
  EXPECT_EQ(code, static_cast<int>(host::ExitCode::kUsage));
  EXPECT_NE(err.str().find("speed"), std::string::npos) << err.str();
}

TEST(BenchSuiteTest, LinkGoodputIsPositiveAndBelowTheModelLimit) {
  const BenchReport& report = QuickReport();
  ASSERT_EQ(report.link.size(), LinkCases().size());
  for (const LinkResult& r : report.link) {
    SCOPED_TRACE(r.link.name);
    EXPECT_GT(r.limit.goodput_bytes_per_s, 0);
    EXPECT_GT(r.goodput, 0);
    EXPECT_GT(r.upload_us, 0u);
    EXPECT_LT(r.goodput, r.limit.goodput_bytes_per_s);
    EXPECT_LT(r.att_write_rate, r.limit.goodput_bytes_per_s * 1.001);
    EXPECT_GT(r.ratio, 0);
    EXPECT_LT(r.ratio, 1);
    EXPECT_EQ(r.image_size, report.image_size);
    EXPECT_GT(r.requests, 0u);
  }
  // The lossy case retransmits; the loss-free ones do not lose packets.
  EXPECT_GT(report.link.back().lost_packets, 0u);
  EXPECT_EQ(report.link.front().lost_packets, 0u);
}

TEST(BenchSuiteTest, EndToEndPhasesArePositiveAndAddUp) {
  const BenchReport& report = QuickReport();
  ASSERT_EQ(report.end_to_end.size(), 2u);  // ble 2m-dle and direct
  for (const EndToEndResult& r : report.end_to_end) {
    SCOPED_TRACE(r.path);
    EXPECT_GT(r.transfer_us, 0u);
    EXPECT_GT(r.install_us, 0u);
    EXPECT_GT(r.transfer_rate, 0);
    EXPECT_EQ(r.total_us, r.transfer_us + r.mark_reset_us + r.install_us + r.reconnect_us);
  }
  // The link adds time to the flash bound; the install is the same boot on both paths.
  const EndToEndResult& ble = report.end_to_end.front();
  const EndToEndResult& direct = report.end_to_end.back();
  EXPECT_GE(ble.transfer_us, direct.transfer_us);
  EXPECT_EQ(ble.install_us, direct.install_us);
  // The transfer over BLE is no faster than the link alone allows.
  EXPECT_LT(ble.transfer_rate,
            sim::ModelLinkLimit(sim::DefaultBleProfile().params).goodput_bytes_per_s);
}

TEST(BenchSuiteTest, WearCountsOneEraseOfEachUsedSlotSector) {
  const BenchReport& report = QuickReport();
  ASSERT_EQ(report.wear.size(), 2u);
  for (const WearResult& w : report.wear) {
    SCOPED_TRACE(w.scenario);
    EXPECT_GT(w.sector_size, 0u);
    EXPECT_GE(w.slot_size, w.image_size);
    bool saw_primary = false;
    for (const AreaWear& a : w.areas) {
      EXPECT_GT(a.sectors, 0u) << a.area;
      if (a.area == "primary slot" || a.area == "secondary slot") {
        saw_primary = saw_primary || a.area == "primary slot";
        EXPECT_GE(a.max_erases, 1u) << a.area;
        EXPECT_LE(a.max_erases, 3u) << a.area;
      }
      if (a.area == "bootloader" || a.area == "golden slot") {
        EXPECT_EQ(a.erases, 0u) << a.area;
      }
    }
    EXPECT_TRUE(saw_primary);
  }
}

TEST(BenchSuiteTest, FiguresAreTheSameInEveryRunAndJsonCarriesThem) {
  BenchOptions options;
  options.quick = true;
  options.only = {"link"};
  const BenchReport again = RunBench(options);
  const nlohmann::json first = BenchReportJson(QuickReport());
  const nlohmann::json second = BenchReportJson(again);
  EXPECT_EQ(first["link"], second["link"]);
  EXPECT_EQ(first["time"], "virtual");
  EXPECT_TRUE(second["e2e"].empty());
  EXPECT_EQ(first["link"].size(), QuickReport().link.size());
}

TEST(BenchSuiteTest, UnknownSectionIsAUsageError) {
  BenchOptions options;
  options.only = {"speed"};
  try {
    RunBench(options);
    FAIL() << "an unknown section ran";
  } catch (const host::HostError& e) {
    EXPECT_EQ(e.code(), host::ExitCode::kUsage);
  }
}

}  // namespace
}  // namespace bleota::bench
