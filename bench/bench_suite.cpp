#include "bench_suite.hpp"

#include <cstdarg>
#include <cstdio>
#include <string>

#include "bleota/host/error.hpp"
#include "reference_figures.hpp"

namespace bleota::bench {
namespace {

constexpr uint32_t kQuickImageSize = 64 * 1024;

std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
std::string Format(const char* format, ...) {
  va_list args;
  va_start(args, format);
  va_list again;
  va_copy(again, args);
  const int length = std::vsnprintf(nullptr, 0, format, args);
  va_end(args);
  std::string text(length > 0 ? static_cast<size_t>(length) : 0, '\0');
  if (length > 0) std::vsnprintf(text.data(), text.size() + 1, format, again);
  va_end(again);
  return text;
}

// A paragraph wrapped at 100 columns (docs/benchmarks.md pastes the output), then a blank line.
std::string Paragraph(const std::string& text) {
  constexpr size_t kWidth = 100;
  std::string out;
  size_t line_length = 0;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = text.find(' ', at);
    if (end == std::string::npos) end = text.size();
    const std::string word = text.substr(at, end - at);
    if (line_length > 0 && line_length + 1 + word.size() > kWidth) {
      out += '\n';
      line_length = 0;
    } else if (line_length > 0) {
      out += ' ';
      ++line_length;
    }
    out += word;
    line_length += word.size();
    at = end + 1;
  }
  return out + "\n\n";
}

double Seconds(uint64_t us) { return static_cast<double>(us) / 1e6; }
double KBps(double bytes_per_s) { return bytes_per_s / 1000; }

bool Wanted(const BenchOptions& options, const std::string& section) {
  return options.only.empty() || options.only.count(section) != 0;
}

void PrintLink(const BenchReport& report, std::ostream& out) {
  out << "### Link efficiency: client upload over the simulated BLE link\n\n";
  out << Paragraph(Format(
      "Image %u bytes, uploaded by host::UploadImage (as `bleota dfu image upload`: params "
      "asked, window 4, packets filling ATT_MTU - 3 pieces) over BleInProcessTransport. Device "
      "flash timing OFF (erases and programs take no virtual time): the link is measured, not "
      "the flash. Time: virtual, from the params request to the last upload reply (connection "
      "set-up and MTU exchange not counted). kB = 1000 bytes.",
      report.image_size));
  out << "| link | PHY | LL payload | ATT MTU | CI ms | packets/event cap | model limit kB/s "
         "| goodput kB/s | goodput / limit | ATT writes kB/s | requests | LL retransmissions |\n";
  out << "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const LinkResult& r : report.link) {
    const sim::BleLinkParams& p = r.link.params;
    const std::string cap =
        p.max_packets_per_event == 0 ? "none" : std::to_string(p.max_packets_per_event);
    out << Format("| %s | %s | %u | %u | %.1f | %s | %.1f | %.1f | %.1f%% | %.1f | %zu | %llu |\n",
                  r.link.name.c_str(), sim::BlePhyName(p.phy), p.max_ll_payload, p.att_mtu,
                  p.connection_interval_us / 1000.0, cap.c_str(), KBps(r.limit.goodput_bytes_per_s),
                  KBps(r.goodput), 100 * r.ratio, KBps(r.att_write_rate), r.requests,
                  static_cast<unsigned long long>(r.retransmissions));
  }
  out << "\n";
}

std::string Range(double low, double high, const char* unit) {
  return Format("%.1f-%.1f %s", low, high, unit);
}

void PrintEndToEnd(const BenchReport& report, std::ostream& out) {
  out << "### End to end: a whole update on the nRF52840 flash profile\n\n";
  out << Paragraph(Format(
      "Image %u bytes; the simulated nRF52840 (85 ms page erase, 41 us per word) with the real "
      "bootloader. host::RunUpdate uploads, marks for test and resets (`bleota dfu image upload "
      "--test --reset`); the bootloader installs at the next boot (swap keeping the old image). "
      "Virtual time; device CPU time (hashing, signature checks) is not modelled.",
      report.image_size));
  out << "| path | transfer s | transfer kB/s | mark + reset s | install s | reconnect s "
         "| total s |\n";
  out << "|---|---|---|---|---|---|---|\n";
  for (const EndToEndResult& r : report.end_to_end) {
    out << Format("| %s | %.2f | %.1f | %.3f | %.2f | %.3f | %.2f |\n", r.path.c_str(),
                  Seconds(r.transfer_us), KBps(r.transfer_rate), Seconds(r.mark_reset_us),
                  Seconds(r.install_us), Seconds(r.reconnect_us), Seconds(r.total_us));
  }
  out << "\n";

  const EndToEndResult* ble = nullptr;
  const EndToEndResult* direct = nullptr;
  for (const EndToEndResult& r : report.end_to_end) {
    if (r.path == std::string("ble ") + sim::DefaultBleProfile().name) ble = &r;
    if (r.path.rfind("direct", 0) == 0) direct = &r;
  }
  if (report.image_size != reference::kImageSize || ble == nullptr || direct == nullptr) {
    out << Paragraph(
        "(The comparison with the reference and the peers needs the full run: 256 KiB images, "
        "the BLE and direct rows.)");
    return;
  }
  out << Paragraph(
      "Next to the reference flash bound (ble-and-flash-model.md) and the peers' published "
      "figures:");
  out << "| figure | bleota (simulated) | reference / peer | bleota / reference |\n";
  out << "|---|---|---|---|\n";
  auto row = [&](const std::string& figure, const std::string& ours, const std::string& theirs,
                 const std::string& ratio) {
    out << "| " << figure << " | " << ours << " | " << theirs << " | " << ratio << " |\n";
  };
  const double ble_transfer = Seconds(ble->transfer_us);
  const double direct_transfer = Seconds(direct->transfer_us);
  const double install = Seconds(direct->install_us);
  const double ble_total = Seconds(ble->total_us);
  const std::string ble_name = ble->path;
  row("transfer incl. flash writes, " + ble_name, Format("%.2f s", ble_transfer),
      Format("write while receiving ~%.1f s", reference::kWriteWhileReceivingS),
      Format("%.2fx", ble_transfer / reference::kWriteWhileReceivingS));
  row("transfer, direct (flash alone)", Format("%.2f s", direct_transfer),
      Format("write while receiving ~%.1f s", reference::kWriteWhileReceivingS),
      Format("%.2fx", direct_transfer / reference::kWriteWhileReceivingS));
  row("install (swap at the next boot)", Format("%.2f s", install),
      Format("swap keeping rollback ~%.1f s", reference::kSwapWithRollbackS),
      Format("%.2fx", install / reference::kSwapWithRollbackS));
  row("install (swap at the next boot)", Format("%.2f s", install),
      Format("MCUboot swap-move / swap-scratch ~%.1f s", reference::kMcubootSwapMoveScratchS),
      Format("%.2fx", install / reference::kMcubootSwapMoveScratchS));
  const double bound_total = reference::kWriteWhileReceivingS + reference::kSwapWithRollbackS;
  row("total, " + ble_name, Format("%.2f s", ble_total),
      Format("reference bound %.1f + %.1f = %.1f s", reference::kWriteWhileReceivingS,
             reference::kSwapWithRollbackS, bound_total),
      Format("%.2fx", ble_total / bound_total));
  const double mcuboot_total =
      reference::kWriteWhileReceivingS + reference::kMcubootSwapMoveScratchS;
  row("total, " + ble_name, Format("%.2f s", ble_total),
      Format("MCUboot swap-move/scratch %.1f + %.1f = %.1f s (derived)",
             reference::kWriteWhileReceivingS, reference::kMcubootSwapMoveScratchS, mcuboot_total),
      Format("%.2fx", ble_total / mcuboot_total));
  const double rate = KBps(ble->transfer_rate);
  const double size = reference::kImageSize / 1000.0;
  row("upload rate incl. flash writes, " + ble_name, Format("%.1f kB/s", rate),
      Format("mcumgr unpipelined 2-4 kB/s (256 KiB in %s)",
             Range(size / reference::kMcumgrUnpipelinedHighKBps,
                   size / reference::kMcumgrUnpipelinedLowKBps, "s")
                 .c_str()),
      Format("%.1f-%.1fx", rate / reference::kMcumgrUnpipelinedHighKBps,
             rate / reference::kMcumgrUnpipelinedLowKBps));
  row("upload rate incl. flash writes, " + ble_name, Format("%.1f kB/s", rate),
      Format("mcumgr pipelined ~36 kB/s (256 KiB in %.1f s)",
             size / reference::kMcumgrPipelinedKBps),
      Format("%.2fx", rate / reference::kMcumgrPipelinedKBps));
  row("upload rate incl. flash writes, " + ble_name, Format("%.1f kB/s", rate),
      Format("Nordic Secure DFU 6-9 kB/s (256 KiB in %s)",
             Range(size / reference::kNordicSecureDfuHighKBps,
                   size / reference::kNordicSecureDfuLowKBps, "s")
                 .c_str()),
      Format("%.1f-%.1fx", rate / reference::kNordicSecureDfuHighKBps,
             rate / reference::kNordicSecureDfuLowKBps));
  out << "\n";
}

void PrintWear(const BenchReport& report, std::ostream& out) {
  out << "### Flash wear per update\n\n";
  const WearResult& first = report.wear.front();
  out << Paragraph(Format(
      "Image %u bytes on the simulated nRF52840 layout (%u KiB pages, %u KiB slots). Erases of "
      "each sector during one update: confirmed = upload, test, install, confirm, next boot; "
      "reverted = upload, test, install, no confirm, the next boot swaps back.",
      report.image_size, first.sector_size / 1024, first.slot_size / 1024));
  out << "| area | sectors |";
  for (const WearResult& w : report.wear) {
    out << " max erases of a sector, " << w.scenario << " |";
  }
  for (const WearResult& w : report.wear) out << " erases in the area, " << w.scenario << " |";
  out << "\n|---|---|";
  for (size_t i = 0; i < 2 * report.wear.size(); ++i) out << "---|";
  out << "\n";
  if (!report.wear.empty()) {
    for (size_t a = 0; a < report.wear.front().areas.size(); ++a) {
      const AreaWear& first = report.wear.front().areas[a];
      out << "| " << first.area << " | " << first.sectors << " |";
      for (const WearResult& w : report.wear) out << " " << w.areas[a].max_erases << " |";
      for (const WearResult& w : report.wear) out << " " << w.areas[a].erases << " |";
      out << "\n";
    }
    out << "| MCUboot swap-scratch scratch sector (reference, 256 KiB) | 1 |";
    for (size_t i = 0; i < report.wear.size(); ++i) {
      out << " " << reference::kMcubootScratchErasesPerUpdate << " |";
    }
    for (size_t i = 0; i < report.wear.size(); ++i) {
      out << " " << reference::kMcubootScratchErasesPerUpdate << " |";
    }
    out << "\n";
  }
  out << "\n";
}

nlohmann::json LinkJson(const LinkResult& r) {
  const sim::BleLinkParams& p = r.link.params;
  return {{"link", r.link.name},
          {"phy", sim::BlePhyName(p.phy)},
          {"max_ll_payload", p.max_ll_payload},
          {"att_mtu", p.att_mtu},
          {"connection_interval_us", p.connection_interval_us},
          {"max_packets_per_event", p.max_packets_per_event},
          {"packet_error_rate_ppm", p.packet_error_rate_ppm},
          {"limit_bytes_per_s", r.limit.goodput_bytes_per_s},
          {"limit_exchange_us", r.limit.exchange_us},
          {"limit_packets_per_event", r.limit.packets_per_event},
          {"image_size", r.image_size},
          {"upload_us", r.upload_us},
          {"goodput_bytes_per_s", r.goodput},
          {"ratio", r.ratio},
          {"att_write_bytes_per_s", r.att_write_rate},
          {"requests", r.requests},
          {"max_chunk", r.max_chunk},
          {"packet_limit", r.packet_limit},
          {"window", r.window},
          {"timeouts", r.timeouts},
          {"ll_retransmissions", r.retransmissions},
          {"lost_packets", r.lost_packets},
          {"naks", r.naks}};
}

nlohmann::json EndToEndJson(const EndToEndResult& r) {
  return {{"path", r.path},
          {"image_size", r.image_size},
          {"transfer_us", r.transfer_us},
          {"transfer_bytes_per_s", r.transfer_rate},
          {"mark_reset_us", r.mark_reset_us},
          {"install_us", r.install_us},
          {"reconnect_us", r.reconnect_us},
          {"total_us", r.total_us}};
}

nlohmann::json WearJson(const WearResult& w) {
  nlohmann::json areas = nlohmann::json::array();
  for (const AreaWear& a : w.areas) {
    areas.push_back({{"area", a.area},
                     {"sectors", a.sectors},
                     {"max_erases", a.max_erases},
                     {"erases", a.erases}});
  }
  return {{"scenario", w.scenario},
          {"image_size", w.image_size},
          {"slot_size", w.slot_size},
          {"sector_size", w.sector_size},
          {"areas", areas}};
}

}  // namespace

BenchReport RunBench(const BenchOptions& options) {
  for (const std::string& section : options.only) {
    bool known = false;
    for (const char* name : kSections) known = known || section == name;
    if (!known) host::ThrowUsage("unknown bench section '" + section + "' (link, e2e, wear)");
  }
  BenchReport report;
  report.quick = options.quick;
  report.image_size = options.quick ? kQuickImageSize : reference::kImageSize;
  if (Wanted(options, "link")) {
    for (const LinkCase& link : LinkCases()) {
      report.link.push_back(MeasureLinkEfficiency(link, report.image_size));
    }
  }
  if (Wanted(options, "e2e")) {
    for (const sim::BleProfile& profile : sim::BleProfiles()) {
      if (options.quick && std::string(profile.name) != sim::DefaultBleProfile().name) continue;
      report.end_to_end.push_back(MeasureEndToEndBle(profile, report.image_size));
    }
    report.end_to_end.push_back(MeasureEndToEndDirect(report.image_size));
  }
  if (Wanted(options, "wear")) {
    report.wear.push_back(MeasureWearConfirmed(report.image_size));
    report.wear.push_back(MeasureWearReverted(report.image_size));
  }
  return report;
}

void PrintBenchTables(const BenchReport& report, std::ostream& out) {
  if (!report.link.empty()) PrintLink(report, out);
  if (!report.end_to_end.empty()) PrintEndToEnd(report, out);
  if (!report.wear.empty()) PrintWear(report, out);
}

nlohmann::json BenchReportJson(const BenchReport& report) {
  nlohmann::json link = nlohmann::json::array();
  for (const LinkResult& r : report.link) link.push_back(LinkJson(r));
  nlohmann::json e2e = nlohmann::json::array();
  for (const EndToEndResult& r : report.end_to_end) e2e.push_back(EndToEndJson(r));
  nlohmann::json wear = nlohmann::json::array();
  for (const WearResult& w : report.wear) wear.push_back(WearJson(w));
  return {{"quick", report.quick},
          {"image_size", report.image_size},
          {"time", "virtual"},
          {"link", link},
          {"e2e", e2e},
          {"wear", wear}};
}

}  // namespace bleota::bench
