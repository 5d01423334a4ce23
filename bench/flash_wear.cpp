#include "flash_wear.hpp"

#include <algorithm>
#include <vector>

#include "bench_client.hpp"
#include "bench_device.hpp"
#include "bleota/host/dfu_image_requests.hpp"
#include "bleota/host/dfu_update.hpp"
#include "bleota/host/error.hpp"
#include "direct_transport.hpp"

namespace bleota::bench {
namespace {

struct NamedArea {
  const char* name;
  const FlashArea* area;
};

// Erase counts per area between two snapshots of SimFlash::erase_counts().
std::vector<AreaWear> WearByArea(BenchDevice& bench, const std::vector<uint32_t>& before) {
  const boot::BootAreas areas = bench.areas();
  const std::vector<NamedArea> named = {
      {"bootloader", areas.bootloader},     {"boot state", areas.boot_state},
      {"upload state", areas.upload_state}, {"primary slot", areas.primary},
      {"secondary slot", areas.secondary},  {"swap area", areas.swap},
      {"golden slot", areas.golden},
  };
  sim::SimFlash& flash = bench.device().soc().sim_flash();
  const FlashGeometry& geometry = flash.geometry();
  const std::vector<uint32_t>& after = flash.erase_counts();
  std::vector<AreaWear> result;
  for (const NamedArea& entry : named) {
    if (entry.area == nullptr) continue;
    AreaWear wear;
    wear.area = entry.name;
    const uint32_t begin = entry.area->offset();
    const uint32_t end = begin + entry.area->size();
    for (uint32_t index = 0; index < after.size(); ++index) {
      const Result<Sector> sector = geometry.SectorByIndex(index);
      if (!sector.ok() || sector->offset < begin || sector->offset >= end) continue;
      const uint32_t erases = after[index] - before[index];
      ++wear.sectors;
      wear.erases += erases;
      wear.max_erases = std::max(wear.max_erases, erases);
    }
    result.push_back(wear);
  }
  return result;
}

void TestUpdate(host::SmpClient& client, const std::vector<uint8_t>& image) {
  const host::UpdateImageFacts facts = host::InspectUpdateFile(image, false, "benchmark image");
  host::UpdateOptions options;
  options.mark = host::UpdateMark::kTest;
  options.reset = true;
  host::RunUpdate(client, image, facts, options);
}

void ExpectRunning(sim::SimDevice& device, uint8_t major, bool testing, const char* when) {
  const auto& decision = device.last_decision();
  if (device.mode() != sim::DeviceMode::kApplication || !decision ||
      decision->version.major != major || decision->testing != testing) {
    host::ThrowInternal(std::string("wear benchmark: unexpected image running ") + when);
  }
}

WearResult Measure(const char* scenario, uint32_t image_size, bool confirm) {
  BenchDevice bench(image_size, /*flash_timing=*/false);  // erase counts do not need timing
  const std::vector<uint8_t> image = bench.MakeImage(2, image_size);
  const std::vector<uint32_t> before = bench.device().soc().sim_flash().erase_counts();
  DirectTransport transport(bench.device());
  host::SmpClient client(transport, BenchClientOptions());
  TestUpdate(client, image);
  ExpectRunning(bench.device(), 2, true, "after the install");
  if (confirm) host::ImageStateWrite(client, {}, true);
  bench.device().Reset(boot::ResetCause::kSoftware);
  if (confirm) {
    ExpectRunning(bench.device(), 2, false, "after the confirm and a reset");
  } else {
    ExpectRunning(bench.device(), 1, false, "after the revert");
  }
  WearResult result;
  result.scenario = scenario;
  result.image_size = image_size;
  result.slot_size = bench.areas().primary->size();
  const Result<Sector> sector =
      bench.device().soc().sim_flash().geometry().SectorAt(bench.areas().primary->offset());
  result.sector_size = sector.ok() ? sector->size : 0;
  result.areas = WearByArea(bench, before);
  return result;
}

}  // namespace

WearResult MeasureWearConfirmed(uint32_t image_size) {
  return Measure("confirmed", image_size, true);
}

WearResult MeasureWearReverted(uint32_t image_size) {
  return Measure("reverted", image_size, false);
}

}  // namespace bleota::bench
