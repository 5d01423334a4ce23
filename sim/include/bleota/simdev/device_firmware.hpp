// What runs on the simulated device after the bootloader: the example application (modelled)
// or the bootloader's OTA mode. Both are the device library's SMP server (OS group + image
// group) behind its UDP and serial transports, on the flash views of the code that runs:
//   application  the application's views (primary read-only, boot state, secondary, upload
//                state); the public signing keys it was built with; no decryption keys (key OTP
//                is locked for it); the anti-rollback counter read through its own OTP view.
//   OTA mode     the bootloader's views; all keys, read again from key OTP.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bleota/boot/bootloader.hpp"
#include "bleota/boot/device_keys.hpp"
#include "bleota/boot/flash_layout.hpp"
#include "bleota/boot/slot_geometry.hpp"
#include "bleota/boot/upload_state_store.hpp"
#include "bleota/sim/sim_soc.hpp"
#include "bleota/simdev/app_behaviour.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/smp/ble_smp_transport.hpp"
#include "bleota/smp/image_group.hpp"
#include "bleota/smp/os_group.hpp"
#include "bleota/smp/reset_request.hpp"
#include "bleota/smp/serial_smp_transport.hpp"
#include "bleota/smp/smp_link.hpp"
#include "bleota/smp/smp_server.hpp"
#include "bleota/smp/udp_smp_transport.hpp"

namespace bleota::sim {

using FirmwareLog = std::function<void(const std::string& line)>;

// The largest SMP packet the device takes (mcumgr buf_size) and the requests in flight it
// allows (buf_count).
inline constexpr uint32_t kSmpBufferSize = 4096;
inline constexpr uint32_t kSmpBufferCount = 4;
// The device logs an upload's progress at every multiple of this offset.
inline constexpr uint32_t kUploadLogStep = 64 * 1024;

// The public keys the example application is built with (the same as in key OTP).
struct PublicSigningKeys {
  std::vector<std::vector<uint8_t>> spki;
  std::vector<image::TrustedKey> trusted;  // spans into spki
};

struct FirmwareSetup {
  SimSoc& soc;
  boot::BootLayout& layout;  // the views of the code that runs
  const DeviceConfig& config;
  smp::SmpLinkSink* serial_sink = nullptr;  // the serial line, if the device has one
  FirmwareLog log;
};

class DeviceFirmware {
 public:
  // The application after a jump: sets the trigger-path-healthy flag and confirms its image when
  // config.app.auto_confirm says so (and it runs in test mode), unless `fault` (the fault of
  // this build, app_behaviour.hpp) stops it.
  static std::unique_ptr<DeviceFirmware> StartApplication(const FirmwareSetup& setup,
                                                          const PublicSigningKeys& keys,
                                                          const boot::BootDecision& decision,
                                                          AppFault fault = AppFault::kNone);
  // The bootloader's OTA mode.
  static std::unique_ptr<DeviceFirmware> StartOtaMode(const FirmwareSetup& setup);

  ~DeviceFirmware();
  DeviceFirmware(const DeviceFirmware&) = delete;
  DeviceFirmware& operator=(const DeviceFirmware&) = delete;

  // One UDP datagram; the reply goes to `reply` (the datagram's sender).
  smp::SmpTransportResult OnUdpDatagram(ConstByteSpan datagram, smp::SmpLinkSink& reply);
  // Serial console bytes (replies go to the setup's serial sink). Stops after a reply that left
  // a reset pending: the caller resets and feeds the rest to the next firmware.
  smp::SmpTransportResult OnSerialBytes(ConstByteSpan bytes);
  // One whole request packet, straight to the server (in-process tests). Returns the response
  // size in `response` (0: none).
  size_t HandleSmp(ConstByteSpan request, ByteSpan response);
  // One GATT write to a BLE transport built on server() and reset_request() (the BLE session
  // owns it, as the link owns its MTU).
  smp::SmpTransportResult OnBleWrite(smp::BleSmpTransport& transport, ConstByteSpan write);

  smp::SmpServer& server() { return *server_; }
  const smp::ResetRequest& reset_request() const { return reset_; }

  bool reset_requested() const { return reset_.pending(); }

  // The application's fault changed while it runs: it stops or resumes serving, kicking the
  // watchdog and advertising, and keeps the "trigger path healthy" flag in step with its
  // advertising. No effect in OTA mode.
  void ChangeAppFault(AppFault fault);
  // What the running code does: the OTA mode serves, kicks and advertises.
  bool serves_smp() const { return conduct_.serves_smp; }
  bool kicks_watchdog() const { return conduct_.kicks_watchdog; }
  bool advertising() const { return conduct_.advertises; }

 private:
  class CounterSource;
  explicit DeviceFirmware(const FirmwareSetup& setup);
  void StartServer(bool application, std::span<const image::TrustedKey> keys,
                   const image::DecryptionKeys* decryption);
  // Logs the upload's progress every kUploadLogStep bytes, and its end.
  void LogUploadProgress();
  // A turn of the main loop kicks the watchdog, unless the app's fault stops it.
  void MainLoopKick();
  // Input a hung application never reads.
  static smp::SmpTransportResult Ignored(ConstByteSpan input);

  SimSoc& soc_;
  boot::BootLayout& layout_;
  const DeviceConfig& config_;
  FirmwareLog log_;
  smp::SmpLinkSink* serial_sink_;

  boot::DeviceKeys keys_;  // OTA mode only
  image::DecryptionKeys decryption_;
  std::unique_ptr<CounterSource> counter_;
  std::optional<boot::SlotGeometry> geometry_;
  std::optional<boot::UploadStateStore> upload_store_;
  std::vector<uint8_t> image_work_;
  std::unique_ptr<smp::ImageGroup> image_group_;
  smp::ResetRequest reset_;
  std::optional<smp::OsGroup> os_group_;
  std::array<smp::SmpGroup*, 2> groups_{};
  std::optional<smp::SmpServer> server_;
  std::vector<uint8_t> request_buffer_;
  std::vector<uint8_t> response_buffer_;
  std::optional<smp::UdpSmpTransport> udp_;
  std::optional<smp::SerialSmpTransport> serial_;
  bool application_ = false;
  AppConduct conduct_ = ConductOf(AppFault::kNone);
  bool upload_seen_ = false;
  uint32_t upload_logged_step_ = 0;
  uint32_t upload_last_offset_ = 0;
  uint32_t upload_size_ = 0;
};

}  // namespace bleota::sim
