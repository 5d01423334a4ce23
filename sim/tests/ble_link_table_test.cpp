// The table of docs/ble-link.md ("Model and simulation"): for every profile, ModelLinkLimit,
// the simulated throughput of a saturating write stream, and the goodput of a 256 KiB upload
// with the host client (flash timing off). The test computes the table and fails when the doc
// holds another one; BLEOTA_UPDATE_DOCS=1 writes the computed table into the doc instead.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "ble_test_support.hpp"
#include "bleota/simdev/ble_link_limit.hpp"
#include "bleota/simdev/ble_link_params.hpp"

namespace bleota::sim {
namespace {

namespace fs = std::filesystem;

constexpr char kBegin[] = "<!-- ble-link-table:begin (sim/tests/ble_link_table_test.cpp) -->\n";
constexpr char kEnd[] = "<!-- ble-link-table:end -->";
constexpr size_t kImageSize = 256 * 1024;
constexpr uint32_t kStreamIntervals = 400;

std::string Format(const char* format, double a, double b = 0) {
  char text[64];
  std::snprintf(text, sizeof(text), format, a, b);
  return text;
}

struct Row {
  std::string name;
  BleLinkParams params;
};

std::string ComputeTable() {
  std::vector<Row> rows;
  for (const BleProfile& profile : BleProfiles()) rows.push_back({profile.name, profile.params});
  for (const uint32_t ppm : {10000u, 50000u}) {
    BleLinkParams lossy = DefaultBleProfile().params;
    lossy.packet_error_rate_ppm = ppm;
    rows.push_back({std::string("2m-dle, ") + std::to_string(ppm / 10000) + "% loss", lossy});
  }

  std::ostringstream table;
  table << "| profile | PHY | LL payload | ATT MTU | CI | packets/event cap | exchange | "
           "packets/event | ATT bytes/packet | model limit | write stream | 256 KiB upload |\n"
        << "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  const fs::path work = fs::path(BLEOTA_SIM_TEST_DIR) / "ble_link_table";
  for (const Row& row : rows) {
    const BleLinkParams& p = row.params;
    const BleLinkLimit limit = ModelLinkLimit(p);

    BleLink link(p);
    testing::TestPeripheral peripheral;
    link.AttachPeripheral(&peripheral);
    EXPECT_TRUE(testing::ConnectAndExchangeMtu(link)) << row.name;
    const testing::StreamResult stream = testing::SaturatingStream(link, kStreamIntervals);
    const testing::UploadRun upload = testing::RunUpload(p, work, kImageSize);
    EXPECT_EQ(upload.result.match, true) << row.name;

    const double model = limit.goodput_bytes_per_s;
    table << "| " << row.name << " | " << BlePhyName(p.phy) << " | " << p.max_ll_payload << " | "
          << p.att_mtu << " | " << Format("%.2f ms", p.connection_interval_us / 1000.0) << " | "
          << (p.max_packets_per_event == 0 ? std::string("none")
                                           : std::to_string(p.max_packets_per_event))
          << " | " << limit.exchange_us << " us | " << Format("%.2f", limit.packets_per_event)
          << " | " << Format("%.1f", limit.att_payload_per_packet) << " | "
          << Format("%.1f kB/s", model / 1000) << " | "
          << Format("%.1f kB/s (%.1f%%)", stream.bytes_per_s / 1000,
                    100 * stream.bytes_per_s / model)
          << " | "
          << Format("%.1f kB/s (%.1f%%)", upload.goodput / 1000, 100 * upload.goodput / model)
          << " |\n";
  }
  return table.str();
}

TEST(BleLinkTableTest, TheDocsTableIsTheComputedOne) {
  const fs::path doc = fs::path(BLEOTA_SOURCE_DIR) / "docs" / "ble-link.md";
  std::ifstream in(doc);
  ASSERT_TRUE(in) << doc;
  std::stringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();
  const size_t begin = text.find(kBegin);
  const size_t end = text.find(kEnd);
  ASSERT_NE(begin, std::string::npos) << "no table start marker in " << doc;
  ASSERT_NE(end, std::string::npos) << "no table end marker in " << doc;
  ASSERT_LT(begin, end);
  const size_t table_start = begin + std::string(kBegin).size();

  const std::string table = ComputeTable();
  const char* update = std::getenv("BLEOTA_UPDATE_DOCS");
  if (update != nullptr && std::string(update) == "1") {
    std::ofstream out(doc);
    out << text.substr(0, table_start) << table << text.substr(end);
    ASSERT_TRUE(out.good()) << doc;
    return;
  }
  EXPECT_EQ(text.substr(table_start, end - table_start), table)
      << "docs/ble-link.md holds another table; run this test with BLEOTA_UPDATE_DOCS=1 to "
         "write the computed one";
}

}  // namespace
}  // namespace bleota::sim
