#include "link_efficiency.hpp"

#include "bench_client.hpp"
#include "bench_device.hpp"
#include "bleota/host/dfu_upload.hpp"
#include "bleota/host/error.hpp"
#include "bleota/simdev/ble_device_session.hpp"
#include "bleota/simdev/ble_in_process_transport.hpp"
#include "bleota/simdev/ble_link.hpp"

namespace bleota::bench {

std::vector<LinkCase> LinkCases() {
  std::vector<LinkCase> cases;
  for (const sim::BleProfile& profile : sim::BleProfiles()) {
    cases.push_back({profile.name, profile.params});
  }
  LinkCase lossy{std::string(sim::DefaultBleProfile().name) + ", 1% loss",
                 sim::DefaultBleProfile().params};
  lossy.params.packet_error_rate_ppm = 10000;
  cases.push_back(lossy);
  return cases;
}

LinkResult MeasureLinkEfficiency(const LinkCase& link_case, uint32_t image_size) {
  LinkResult result;
  result.link = link_case;
  result.limit = sim::ModelLinkLimit(link_case.params);
  result.image_size = image_size;

  BenchDevice bench(image_size, /*flash_timing=*/false);
  const std::vector<uint8_t> image = bench.MakeImage(2, image_size);
  sim::BleLink link(link_case.params);
  sim::BleDeviceSession session(bench.device(), link);
  sim::BleInProcessTransport transport(link, session);
  transport.Connect();  // connection set-up and MTU exchange are not part of the upload
  host::SmpClient client(transport, BenchClientOptions());

  const uint64_t start_us = transport.virtual_now_us();
  const sim::BleLinkStats before = transport.stats();
  const host::UploadResult upload = host::UploadImage(client, image, host::UploadOptions());
  const sim::BleLinkStats& after = transport.stats();
  result.upload_us = transport.virtual_now_us() - start_us;
  if (upload.match != true) {
    host::ThrowInternal("link benchmark " + link_case.name + ": the device's hash does not match");
  }
  if (result.upload_us == 0) host::ThrowInternal("link benchmark: no virtual time passed");

  const double seconds = static_cast<double>(result.upload_us) / 1e6;
  result.goodput = image_size / seconds;
  result.ratio = result.goodput / result.limit.goodput_bytes_per_s;
  result.att_write_rate = static_cast<double>(after.write_bytes - before.write_bytes) / seconds;
  result.requests = upload.requests;
  result.max_chunk = upload.max_chunk;
  result.packet_limit = upload.packet_limit;
  result.window = upload.window;
  result.timeouts = upload.timeouts;
  result.retransmissions = (after.central_retransmissions - before.central_retransmissions) +
                           (after.peripheral_retransmissions - before.peripheral_retransmissions);
  result.lost_packets = after.lost_packets - before.lost_packets;
  result.naks = after.naks - before.naks;
  return result;
}

}  // namespace bleota::bench
