#include "bleota/simdev/device_firmware.hpp"

#include <string>
#include <string_view>

#include "bleota/boot/image_control.hpp"

namespace bleota::sim {
namespace {

// What the OS group's info command reports.
constexpr smp::OsInfoStrings kApplicationInfo{"bleota",      "bleota-sim", "0.1.0",
                                              "example-app", "",           "nrf52840-sim",
                                              "cortex-m4",   "bleota-sim", "bleota"};
constexpr smp::OsInfoStrings kOtaInfo{"bleota",         "bleota-sim", "0.1.0",
                                      "ota-bootloader", "",           "nrf52840-sim",
                                      "cortex-m4",      "bleota-sim", "bleota"};

}  // namespace

DeviceFirmware::DeviceFirmware(const FirmwareSetup& setup)
    : soc_(setup.soc),
      layout_(setup.layout),
      config_(setup.config),
      log_(setup.log),
      serial_sink_(setup.serial_sink),
      request_buffer_(kSmpBufferSize),
      response_buffer_(kSmpBufferSize) {}

DeviceFirmware::~DeviceFirmware() = default;

std::unique_ptr<DeviceFirmware> DeviceFirmware::StartApplication(
    const FirmwareSetup& setup, const PublicSigningKeys& keys, const boot::BootDecision& decision) {
  std::unique_ptr<DeviceFirmware> firmware(new DeviceFirmware(setup));
  // The app shows that its trigger path works (it advertises and takes connections).
  boot::SetTriggerPathHealthy(firmware->soc_.retained_ram());
  if (setup.config.app.auto_confirm && decision.testing) {
    boot::ImageControl control(*firmware->layout_.areas().boot_state);
    const Status confirmed = control.ConfirmRunningImage();
    firmware->log_(confirmed.ok() ? std::string("app: confirmed its image (auto-confirm)")
                                  : std::string("app: confirm failed: ") + confirmed.name());
  }
  static_cast<void>(keys);  // for the image group
  firmware->StartServer(true);
  return firmware;
}

std::unique_ptr<DeviceFirmware> DeviceFirmware::StartOtaMode(const FirmwareSetup& setup) {
  std::unique_ptr<DeviceFirmware> firmware(new DeviceFirmware(setup));
  firmware->StartServer(false);
  return firmware;
}

void DeviceFirmware::StartServer(bool application) {
  smp::OsGroupConfig os_config;
  os_config.buf_size = kSmpBufferSize;
  os_config.buf_count = kSmpBufferCount;
  os_config.info = application ? kApplicationInfo : kOtaInfo;
  Result<smp::OsGroup> os_group = smp::OsGroup::Create(os_config, reset_);
  if (!os_group.ok()) std::abort();  // fixed, valid configuration
  os_group_.emplace(*os_group);

  groups_ = {&*os_group_};
  server_.emplace(std::span<smp::SmpGroup* const>(groups_));
  udp_.emplace(*server_, reset_, ByteSpan(response_buffer_));
  if (serial_sink_ != nullptr) {
    serial_.emplace(*server_, *serial_sink_, reset_, ByteSpan(request_buffer_),
                    ByteSpan(response_buffer_));
  }
  log_(std::string(application ? "app" : "ota") + ": serving SMP (OS group)");
}

smp::SmpTransportResult DeviceFirmware::OnUdpDatagram(ConstByteSpan datagram,
                                                      smp::SmpLinkSink& reply) {
  // A real firmware kicks the watchdog from its main loop; a request is one turn of it.
  soc_.KickWatchdog();
  smp::SmpTransportResult result = udp_->OnDatagram(datagram, reply);
  soc_.KickWatchdog();
  return result;
}

smp::SmpTransportResult DeviceFirmware::OnSerialBytes(ConstByteSpan bytes) {
  if (!serial_) {
    smp::SmpTransportResult ignored;
    ignored.consumed = bytes.size();
    return ignored;
  }
  soc_.KickWatchdog();
  smp::SmpTransportResult result = serial_->Feed(bytes);
  soc_.KickWatchdog();
  return result;
}

size_t DeviceFirmware::HandleSmp(ConstByteSpan request, ByteSpan response) {
  soc_.KickWatchdog();
  Result<size_t> size = server_->Handle(request, response);
  soc_.KickWatchdog();
  return size.ok() ? *size : 0;
}

}  // namespace bleota::sim
