#include "bleota/simdev/device_firmware.hpp"

#include <string>
#include <string_view>

#include "bleota/boot/image_control.hpp"
#include "bleota/boot/retained_record.hpp"
#include "bleota/boot/security_counter.hpp"

namespace bleota::sim {
namespace {

// Staging/read buffer of the image group: divides every profile's sector size.
constexpr size_t kImageWorkSize = 1024;
constexpr uint32_t kEraseAheadSectors = 2;

// The OTP as one requester sees it, as a boot::Platform for boot::SecurityCounter: the
// application reads the anti-rollback counter through its own view (the protection unit
// decides), the OTA mode through the bootloader's. Everything else is the SoC's.
class RequesterPlatform final : public boot::Platform {
 public:
  RequesterPlatform(SimSoc& soc, ProtectedOtp& otp) : soc_(soc), otp_(otp) {}

  boot::ResetCause reset_cause() override { return soc_.reset_cause(); }
  bool update_button_pressed() override { return soc_.update_button_pressed(); }
  ByteSpan retained_ram() override { return soc_.retained_ram(); }
  void StartWatchdog(uint32_t period_ms) override { soc_.StartWatchdog(period_ms); }
  void KickWatchdog() override { soc_.KickWatchdog(); }
  Status ReadOtp(uint32_t offset, ByteSpan out) override { return otp_.Read(offset, out); }
  Status ProgramOtp(uint32_t offset, ConstByteSpan data) override {
    return otp_.Program(offset, data);
  }
  uint32_t otp_size() const override { return soc_.otp_size(); }
  Status ApplyProtection(const boot::ProtectionConfig&) override {
    return StatusCode::kPermissionDenied;  // only the bootloader sets the protection unit
  }

 private:
  SimSoc& soc_;
  ProtectedOtp& otp_;
};

// What the OS group's info command reports.
constexpr smp::OsInfoStrings kApplicationInfo{"bleota",      "bleota-sim", "0.1.0",
                                              "example-app", "",           "nrf52840-sim",
                                              "cortex-m4",   "bleota-sim", "bleota"};
constexpr smp::OsInfoStrings kOtaInfo{"bleota",         "bleota-sim", "0.1.0",
                                      "ota-bootloader", "",           "nrf52840-sim",
                                      "cortex-m4",      "bleota-sim", "bleota"};

}  // namespace

class DeviceFirmware::CounterSource final : public smp::SecurityCounterSource {
 public:
  CounterSource(SimSoc& soc, ProtectedOtp& otp, const DeviceConfig& config)
      : platform_(soc, otp),
        counter_(platform_, config.counter_otp_offset, config.counter_otp_entries) {}
  Result<uint32_t> ReadSecurityCounter() override { return counter_.Read(); }

 private:
  RequesterPlatform platform_;
  boot::SecurityCounter counter_;
};

DeviceFirmware::DeviceFirmware(const FirmwareSetup& setup)
    : soc_(setup.soc),
      layout_(setup.layout),
      config_(setup.config),
      log_(setup.log),
      serial_sink_(setup.serial_sink),
      image_work_(kImageWorkSize),
      request_buffer_(kSmpBufferSize),
      response_buffer_(kSmpBufferSize) {}

DeviceFirmware::~DeviceFirmware() = default;

std::unique_ptr<DeviceFirmware> DeviceFirmware::StartApplication(const FirmwareSetup& setup,
                                                                 const PublicSigningKeys& keys,
                                                                 const boot::BootDecision& decision,
                                                                 AppFault fault) {
  std::unique_ptr<DeviceFirmware> firmware(new DeviceFirmware(setup));
  firmware->application_ = true;
  firmware->conduct_ = ConductOf(fault);
  // The app shows that its trigger path works (it advertises and takes connections).
  if (firmware->conduct_.advertises) boot::SetTriggerPathHealthy(firmware->soc_.retained_ram());
  if (setup.config.app.auto_confirm && decision.testing && !firmware->conduct_.confirms) {
    firmware->log_(std::string("app: does not confirm its image (") + AppFaultName(fault) + ")");
  } else if (setup.config.app.auto_confirm && decision.testing) {
    boot::ImageControl control(*firmware->layout_.areas().boot_state);
    const Status confirmed = control.ConfirmRunningImage();
    firmware->log_(confirmed.ok() ? std::string("app: confirmed its image (auto-confirm)")
                                  : std::string("app: confirm failed: ") + confirmed.name());
  }
  firmware->counter_ = std::make_unique<CounterSource>(
      firmware->soc_, firmware->soc_.otp(Requester::kApplication), setup.config);
  firmware->StartServer(true, keys.trusted, nullptr);
  return firmware;
}

std::unique_ptr<DeviceFirmware> DeviceFirmware::StartOtaMode(const FirmwareSetup& setup) {
  std::unique_ptr<DeviceFirmware> firmware(new DeviceFirmware(setup));
  firmware->counter_ = std::make_unique<CounterSource>(
      firmware->soc_, firmware->soc_.otp(Requester::kBootloader), setup.config);
  const Status loaded =
      boot::LoadDeviceKeys(firmware->soc_, setup.config.key_otp_offset, firmware->keys_);
  if (!loaded.ok()) {
    // Without keys nothing can be verified: uploads are refused at their end.
    firmware->log_(std::string("ota: no usable keys in key OTP (") + loaded.name() + ")");
    firmware->keys_.Wipe();
  }
  firmware->decryption_ = firmware->keys_.decryption();
  firmware->StartServer(false, firmware->keys_.keys(), &firmware->decryption_);
  return firmware;
}

void DeviceFirmware::StartServer(bool application, std::span<const image::TrustedKey> keys,
                                 const image::DecryptionKeys* decryption) {
  const boot::BootAreas areas = layout_.areas();
  Result<boot::SlotGeometry> geometry =
      boot::SlotGeometry::Create(*areas.primary, *areas.secondary, areas.swap);
  if (geometry.ok()) geometry_.emplace(*geometry);
  if (areas.upload_state != nullptr) upload_store_.emplace(*areas.upload_state);

  smp::ImageGroupConfig image_config;
  image_config.geometry = geometry_ ? &*geometry_ : nullptr;
  image_config.boot_state = areas.boot_state;
  image_config.checks.keys = keys;
  image_config.checks.decryption = decryption;
  image_config.checks.counter = config_.counter_otp_entries > 0 ? counter_.get() : nullptr;
  image_config.work = image_work_;
  image_config.erase_ahead_sectors = kEraseAheadSectors;
  image_config.upload_store = upload_store_ ? &*upload_store_ : nullptr;
  image_group_ = std::make_unique<smp::ImageGroup>(image_config);
  if (!image_group_->init_status().ok()) {
    log_(std::string("image group: ") + image_group_->init_status().name() +
         (upload_store_ ? " (a recorded upload could not be restored; uploads start afresh)" : ""));
  } else if (image_group_->uploader().in_progress()) {
    log_("image group: resuming the upload recorded before the reset at offset " +
         std::to_string(image_group_->uploader().offset()) + " of " +
         std::to_string(image_group_->uploader().image_size()));
  }

  smp::OsGroupConfig os_config;
  os_config.buf_size = kSmpBufferSize;
  os_config.buf_count = kSmpBufferCount;
  os_config.info = application ? kApplicationInfo : kOtaInfo;
  Result<smp::OsGroup> os_group = smp::OsGroup::Create(os_config, reset_);
  if (!os_group.ok()) std::abort();  // fixed, valid configuration
  os_group_.emplace(*os_group);

  groups_ = {&*os_group_, image_group_.get()};
  server_.emplace(std::span<smp::SmpGroup* const>(groups_));
  udp_.emplace(*server_, reset_, ByteSpan(response_buffer_));
  if (serial_sink_ != nullptr) {
    serial_.emplace(*server_, *serial_sink_, reset_, ByteSpan(request_buffer_),
                    ByteSpan(response_buffer_));
  }
  log_(std::string(application ? "app" : "ota") + ": serving SMP (OS and image groups)");
}

smp::SmpTransportResult DeviceFirmware::OnUdpDatagram(ConstByteSpan datagram,
                                                      smp::SmpLinkSink& reply) {
  // A real firmware kicks the watchdog from its main loop; a request is one turn of it.
  if (!conduct_.serves_smp) return Ignored(datagram);
  MainLoopKick();
  smp::SmpTransportResult result = udp_->OnDatagram(datagram, reply);
  MainLoopKick();
  LogUploadProgress();
  return result;
}

smp::SmpTransportResult DeviceFirmware::OnSerialBytes(ConstByteSpan bytes) {
  if (!serial_ || !conduct_.serves_smp) return Ignored(bytes);
  MainLoopKick();
  smp::SmpTransportResult result = serial_->Feed(bytes);
  MainLoopKick();
  LogUploadProgress();
  return result;
}

smp::SmpTransportResult DeviceFirmware::OnBleWrite(smp::BleSmpTransport& transport,
                                                   ConstByteSpan write) {
  if (!conduct_.serves_smp) return Ignored(write);
  MainLoopKick();
  smp::SmpTransportResult result = transport.OnWrite(write);
  MainLoopKick();
  LogUploadProgress();
  return result;
}

size_t DeviceFirmware::HandleSmp(ConstByteSpan request, ByteSpan response) {
  if (!conduct_.serves_smp) return 0;
  MainLoopKick();
  Result<size_t> size = server_->Handle(request, response);
  MainLoopKick();
  LogUploadProgress();
  return size.ok() ? *size : 0;
}

void DeviceFirmware::MainLoopKick() {
  if (conduct_.kicks_watchdog) soc_.KickWatchdog();
}

smp::SmpTransportResult DeviceFirmware::Ignored(ConstByteSpan input) {
  smp::SmpTransportResult ignored;
  ignored.consumed = input.size();
  return ignored;
}

void DeviceFirmware::ChangeAppFault(AppFault fault) {
  if (!application_) return;
  conduct_ = ConductOf(fault);
  // The app's health supervisor keeps the flag in step with its trigger path: set while it
  // advertises, cleared when advertising stops (so the next watchdog reset finds it missing). A
  // hung app changes nothing: the flag its run set before the hang stays.
  boot::RetainedRecord record = boot::LoadRetainedRecord(soc_.retained_ram());
  const bool healthy = fault == AppFault::kNoAdvertising ? false
                       : conduct_.advertises             ? true
                                                         : record.trigger_path_healthy;
  if (record.trigger_path_healthy != healthy) {
    record.trigger_path_healthy = healthy;
    boot::StoreRetainedRecord(record, soc_.retained_ram());
  }
}

void DeviceFirmware::LogUploadProgress() {
  const smp::UploadReceiver& uploader = image_group_->uploader();
  if (uploader.in_progress()) {
    const uint32_t step = uploader.offset() / kUploadLogStep;
    if (!upload_seen_ || uploader.image_size() != upload_size_) {
      log_("upload: started, " + std::to_string(uploader.image_size()) + " bytes, at offset " +
           std::to_string(uploader.offset()));
      upload_logged_step_ = step;
    } else if (step != upload_logged_step_) {
      log_("upload: " + std::to_string(step * kUploadLogStep) + " of " +
           std::to_string(uploader.image_size()) + " bytes");
      upload_logged_step_ = step;
    }
    upload_seen_ = true;
    upload_last_offset_ = uploader.offset();
    upload_size_ = uploader.image_size();
  } else if (upload_seen_) {
    upload_seen_ = false;
    // Finished (checked or refused), erased or replaced: the group no longer holds a session.
    log_("upload: session closed (last seen at offset " + std::to_string(upload_last_offset_) +
         " of " + std::to_string(upload_size_) + ")");
  }
}

}  // namespace bleota::sim
