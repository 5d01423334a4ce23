// Shared by the BLE link tests: a saturating write stream on a BleLink, and a whole 256 KiB
// upload with the host client to a SimDevice over the in-process central.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/dfu_upload.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/keys.hpp"
#include "bleota/host/smp_client.hpp"
#include "bleota/simdev/ble_device_session.hpp"
#include "bleota/simdev/ble_in_process_transport.hpp"
#include "bleota/simdev/ble_link.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/simdev/state_dir.hpp"
#include "bleota/smp/ble_reassembly.hpp"

namespace bleota::sim::testing {

// Takes every write at once (unless `hold`) and records them.
class TestPeripheral final : public BlePeripheralHost {
 public:
  void OnConnect(BleLink&) override { ++connects; }
  void OnMtu(BleLink&, uint16_t att_mtu) override { mtu = att_mtu; }
  void OnDisconnect(BleLink&, BleDisconnectReason reason) override {
    disconnects.push_back(reason);
  }
  void Service(BleLink& link) override {
    if (hold) return;
    while (std::optional<std::vector<uint8_t>> write = link.TakeWrite()) {
      writes.push_back(std::move(*write));
    }
  }

  bool hold = false;
  int connects = 0;
  uint16_t mtu = 0;
  std::vector<BleDisconnectReason> disconnects;
  std::vector<std::vector<uint8_t>> writes;
};

// A value of `size` bytes whose first 4 bytes number it.
inline std::vector<uint8_t> Numbered(uint32_t number, size_t size) {
  std::vector<uint8_t> value(size, static_cast<uint8_t>(number * 13));
  for (size_t i = 0; i < 4 && i < size; ++i) value[i] = static_cast<uint8_t>(number >> (8 * i));
  return value;
}

inline uint32_t NumberOf(const std::vector<uint8_t>& value) {
  uint32_t number = 0;
  for (size_t i = 0; i < 4 && i < value.size(); ++i) number |= uint32_t{value[i]} << (8 * i);
  return number;
}

// Connects and runs the link until the MTU exchange is done; false if the link dropped.
inline bool ConnectAndExchangeMtu(BleLink& link) {
  if (!link.Connect().ok()) return false;
  while (!link.mtu_exchanged()) {
    if (!link.Step()) return false;
  }
  return true;
}

struct StreamResult {
  double bytes_per_s = 0;
  uint32_t writes_sent = 0;
  BleLinkStats stats;
};

// Keeps the central's TX buffers full with numbered full writes (AttPayloadSize) for
// `intervals` connection intervals of virtual time; the throughput is the ATT values the
// peripheral received over that time.
inline StreamResult SaturatingStream(BleLink& link, uint32_t intervals) {
  StreamResult result;
  const size_t size = smp::AttPayloadSize(link.att_mtu());
  const uint64_t start_us = link.now_us();
  const uint64_t start_bytes = link.stats().write_bytes;
  const uint64_t end_us = start_us + uint64_t{intervals} * link.params().connection_interval_us;
  while (link.now_us() < end_us && link.connected()) {
    while (link.TryWrite(Numbered(result.writes_sent, size)) == BleWriteStatus::kQueued) {
      ++result.writes_sent;
    }
    link.Step();
  }
  result.stats = link.stats();
  result.bytes_per_s = static_cast<double>(result.stats.write_bytes - start_bytes) /
                       (static_cast<double>(link.now_us() - start_us) / 1e6);
  return result;
}

inline std::vector<uint8_t> MakeSignedImage(const host::PrivateKey& key, uint8_t major,
                                            size_t payload_size) {
  host::ImageBuildOptions options;
  options.header_size = 0x200;
  options.pad_header = true;
  options.align = 4;
  options.version.major = major;
  options.signing_key = &key;
  std::vector<uint8_t> payload(payload_size);
  for (size_t i = 0; i < payload_size; ++i) {
    payload[i] = static_cast<uint8_t>((i * 31) ^ (i >> 9) ^ major);
  }
  return host::BuildImage(payload, options);
}

struct UploadRun {
  size_t image_size = 0;
  uint64_t elapsed_us = 0;  // virtual time of UploadImage (params asked before)
  double goodput = 0;       // image bytes per second of virtual time
  host::UploadResult result;
  BleLinkStats link;  // of the upload alone
  BleSessionStats session;
};

// Provisions a device (flash timing off) in `dir` (emptied first) and uploads a signed image of
// about `image_size` bytes over a link with `params`, pipelined with the device's params.
inline UploadRun RunUpload(const BleLinkParams& params, const std::filesystem::path& dir,
                           size_t image_size) {
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  // Ed25519: signatures of one size, so every run moves the same bytes.
  const host::PrivateKey signing = host::GenerateKey(host::KeyType::kEd25519);
  host::WriteFileText(dir / "sign.pub.pem", host::PublicKeyPem(signing.public_key), "key");
  KeyFiles keys;
  keys.signing_keys = {dir / "sign.pub.pem"};
  DeviceConfig config = Nrf52840DeviceConfig();
  config.flash_timing = false;
  FactoryImages images;
  images.primary = MakeSignedImage(signing, 1, 3000);
  SimDevice::Provision(StateDir(dir / "device"), config, KeyOtpRecordFromFiles(keys), images);
  SimDevice device(StateDir(dir / "device"), nullptr);

  BleLink link(params);
  BleDeviceSession session(device, link);
  BleInProcessTransport transport(link, session);
  host::SmpClientOptions client_options;
  client_options.first_sequence = 1;
  host::SmpClient client(transport, client_options);
  const std::vector<uint8_t> image = MakeSignedImage(signing, 2, image_size - 0x200 - 256);

  host::UploadOptions options;
  options.window = 64;  // the device's buf_count decides
  options.params = host::OsParams(client);
  UploadRun run;
  run.image_size = image.size();
  const uint64_t start_us = transport.virtual_now_us();
  const BleLinkStats before = link.stats();
  run.result = host::UploadImage(client, image, options);
  run.elapsed_us = transport.virtual_now_us() - start_us;
  run.goodput = static_cast<double>(image.size()) / (static_cast<double>(run.elapsed_us) / 1e6);
  run.link = link.stats();
  run.link.events -= before.events;
  run.link.exchanges -= before.exchanges;
  run.link.central_data_packets -= before.central_data_packets;
  run.link.central_retransmissions -= before.central_retransmissions;
  run.link.notifications_delivered -= before.notifications_delivered;
  run.session = session.stats();
  return run;
}

}  // namespace bleota::sim::testing
