#include "end_to_end.hpp"

#include <optional>
#include <vector>

#include "bench_client.hpp"
#include "bench_device.hpp"
#include "bleota/host/dfu_update.hpp"
#include "bleota/host/error.hpp"
#include "bleota/simdev/ble_device_session.hpp"
#include "bleota/simdev/ble_in_process_transport.hpp"
#include "bleota/simdev/ble_link.hpp"
#include "direct_transport.hpp"

namespace bleota::bench {
namespace {

// Upload, mark for test, reset: the flow of `bleota dfu image upload --test --reset`.
// `clock` reads the virtual time of the path; `uploaded_at` gets the time of the last upload
// acknowledgement.
template <typename Clock>
void RunTestUpdate(host::SmpClient& client, const std::vector<uint8_t>& image, Clock clock,
                   std::optional<uint64_t>& uploaded_at) {
  const host::UpdateImageFacts facts = host::InspectUpdateFile(image, false, "benchmark image");
  host::UpdateOptions options;
  options.mark = host::UpdateMark::kTest;
  options.reset = true;
  options.upload.on_progress = [&](const host::UploadProgress& progress) {
    if (progress.acknowledged == progress.total) uploaded_at = clock();
  };
  const host::UpdateResult result = host::RunUpdate(client, image, facts, options);
  if (result.upload.match != true || !uploaded_at) {
    host::ThrowInternal("end-to-end benchmark: the upload did not complete with a matching hash");
  }
}

void ExpectRunsTestImage(sim::SimDevice& device, const std::string& path) {
  const auto& decision = device.last_decision();
  if (device.mode() != sim::DeviceMode::kApplication || !decision || decision->version.major != 2 ||
      !decision->testing) {
    host::ThrowInternal("end-to-end benchmark (" + path +
                        "): the new image does not run in test mode after the reset");
  }
}

void Finish(EndToEndResult& result) {
  result.transfer_rate = result.image_size / (static_cast<double>(result.transfer_us) / 1e6);
}

}  // namespace

EndToEndResult MeasureEndToEndBle(const sim::BleProfile& profile, uint32_t image_size) {
  EndToEndResult result;
  result.path = std::string("ble ") + profile.name;
  result.image_size = image_size;
  BenchDevice bench(image_size, /*flash_timing=*/true);
  const std::vector<uint8_t> image = bench.MakeImage(2, image_size);
  sim::BleLink link(profile.params);
  sim::BleDeviceSession session(bench.device(), link);
  sim::BleInProcessTransport transport(link, session);
  host::SmpClient client(transport, BenchClientOptions());

  // Virtual time starts with the connection: the client connects, then sends.
  const uint64_t start_us = transport.virtual_now_us();
  transport.Connect();
  std::optional<uint64_t> uploaded_at;
  RunTestUpdate(
      client, image, [&] { return transport.virtual_now_us(); }, uploaded_at);
  // The reset reply is in; the device resets once the link has delivered it, which ends the
  // connection (BleDeviceSession). The boot's work moves the device clock past the link's.
  const uint32_t boots = bench.device().boots();
  while (link.connected()) link.Step();
  if (bench.device().boots() != boots + 1) {
    host::ThrowInternal("end-to-end benchmark: the connection ended without the device reset");
  }
  const uint64_t reset_us = link.now_us();
  const uint64_t booted_us = bench.now_us();
  transport.Connect();  // waits for the boot to end, as a central waits for advertising
  ExpectRunsTestImage(bench.device(), result.path);
  const uint64_t connected_us = transport.virtual_now_us();

  result.transfer_us = *uploaded_at - start_us;
  result.mark_reset_us = reset_us - *uploaded_at;
  result.install_us = booted_us - reset_us;
  result.reconnect_us = connected_us - booted_us;
  result.total_us = connected_us - start_us;
  Finish(result);
  return result;
}

EndToEndResult MeasureEndToEndDirect(uint32_t image_size) {
  EndToEndResult result;
  result.path = "direct (no link)";
  result.image_size = image_size;
  BenchDevice bench(image_size, /*flash_timing=*/true);
  const std::vector<uint8_t> image = bench.MakeImage(2, image_size);
  DirectTransport transport(bench.device());
  host::SmpClient client(transport, BenchClientOptions());

  const uint64_t start_us = bench.now_us();
  std::optional<uint64_t> uploaded_at;
  RunTestUpdate(
      client, image, [&] { return bench.now_us(); }, uploaded_at);
  if (transport.reset_booted_us() == 0) {
    host::ThrowInternal("end-to-end benchmark: the device did not reset");
  }
  ExpectRunsTestImage(bench.device(), result.path);

  result.transfer_us = *uploaded_at - start_us;
  result.mark_reset_us = transport.reset_started_us() - *uploaded_at;
  result.install_us = transport.reset_booted_us() - transport.reset_started_us();
  result.reconnect_us = 0;
  result.total_us = transport.reset_booted_us() - start_us;
  Finish(result);
  return result;
}

}  // namespace bleota::bench
