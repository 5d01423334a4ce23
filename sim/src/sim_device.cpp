#include "bleota/simdev/sim_device.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "bleota/boot/device_keys.hpp"
#include "bleota/host/error.hpp"

namespace bleota::sim {
namespace {

// The bootloader's copy/verify buffer: divides every profile's sector size.
constexpr size_t kBootWorkSize = 1024;

SocConfig SocConfigOf(const DeviceConfig& config) {
  SocConfig soc;
  soc.flash_profile = ProfileOf(config);
  soc.reprogram_rule = ReprogramRule::kError;
  soc.otp_size = config.otp_size;
  soc.otp_key_region_size = config.otp_key_region_size;
  if (!config.flash_timing) {
    for (FlashProfile::EraseTime& erase : soc.flash_profile.erase_times) erase.us = 0;
    soc.flash_profile.program_us_per_word = 0;
  }
  return soc;
}

boot::BootLayout MakeLayout(Flash& flash, const DeviceConfig& config) {
  Result<boot::BootLayout> layout = boot::BootLayout::Create(flash, config.layout);
  if (!layout.ok()) {
    host::ThrowUsage(std::string("the flash layout does not fit the ") + config.profile +
                     " flash: " + layout.status().name());
  }
  return *layout;
}

void ProvisionSlot(SimSoc& soc, const FlashArea& slot, const std::vector<uint8_t>& image,
                   const char* what) {
  const uint32_t align = soc.sim_flash().geometry().write_align();
  if (image.size() > slot.size()) {
    host::ThrowImage(std::string("the ") + what + " image (" + std::to_string(image.size()) +
                     " bytes) does not fit its slot (" + std::to_string(slot.size()) + " bytes)");
  }
  std::vector<uint8_t> padded = image;
  padded.resize((padded.size() + align - 1) / align * align,
                soc.sim_flash().geometry().erase_value());
  if (!soc.ProvisionFlash(slot.offset(), padded).ok()) {
    host::ThrowInternal(std::string("cannot provision the ") + what + " image");
  }
}

// A write unit is programmed when it holds anything but the erased value: what a restarted
// simulator can tell from flash.bin (a unit programmed with erased bytes reads as erased).
void RestoreFlash(SimFlash& flash, const std::vector<uint8_t>& bytes) {
  std::copy(bytes.begin(), bytes.end(), flash.raw().begin());
  const uint32_t unit = flash.geometry().write_align();
  const uint8_t erased = flash.geometry().erase_value();
  const uint32_t total = static_cast<uint32_t>(bytes.size());
  uint32_t run_start = 0;
  bool run_programmed = false;
  for (uint32_t at = 0; at <= total; at += unit) {
    bool programmed = false;
    if (at < total) {
      programmed = std::any_of(bytes.begin() + at, bytes.begin() + at + unit,
                               [erased](uint8_t b) { return b != erased; });
    }
    if (at == total || programmed != run_programmed) {
      if (at > run_start) flash.MarkProgrammed(run_start, at - run_start, run_programmed);
      run_start = at;
      run_programmed = programmed;
    }
  }
}

void RestoreOtp(SimSoc& soc, const std::vector<uint8_t>& bytes) {
  for (uint32_t at = 0; at + SimOtp::kWordSize <= bytes.size(); at += SimOtp::kWordSize) {
    const auto word = std::span(bytes).subspan(at, SimOtp::kWordSize);
    if (std::all_of(word.begin(), word.end(),
                    [](uint8_t b) { return b == SimOtp::kErasedValue; })) {
      continue;
    }
    if (!soc.ProvisionOtp(at, word).ok()) host::ThrowInternal("cannot restore otp.bin");
  }
}

std::string Seconds(uint64_t us) {
  char text[32];
  std::snprintf(text, sizeof(text), "%" PRIu64 ".%06" PRIu64, us / 1000000, us % 1000000);
  return text;
}

}  // namespace

const char* DeviceModeName(DeviceMode mode) {
  switch (mode) {
    case DeviceMode::kApplication:
      return "application";
    case DeviceMode::kBootloaderOta:
      return "bootloader OTA mode";
    case DeviceMode::kHalted:
      break;
  }
  return "halted";
}

std::string VersionString(const image::ImageVersion& version) {
  std::string text = std::to_string(version.major) + "." + std::to_string(version.minor) + "." +
                     std::to_string(version.revision);
  if (version.build != 0) text += "+" + std::to_string(version.build);
  return text;
}

void SimDevice::Provision(const StateDir& state, const DeviceConfig& config,
                          std::span<const uint8_t> key_otp_record, const FactoryImages& images) {
  if (state.provisioned()) {
    host::ThrowUsage(state.path().string() + " already holds a device");
  }
  SimSoc soc(SocConfigOf(config));
  boot::BootLayout layout = MakeLayout(soc.flash(Requester::kBootloader), config);
  const boot::BootAreas areas = layout.areas();
  if (key_otp_record.size() % SimOtp::kWordSize != 0 ||
      !soc.ProvisionOtp(config.key_otp_offset, key_otp_record).ok()) {
    host::ThrowUsage("the key OTP record does not fit the device's key OTP");
  }
  ProvisionSlot(soc, *areas.primary, images.primary, "primary");
  if (!images.golden.empty()) {
    if (areas.golden == nullptr) host::ThrowUsage("the device layout has no golden slot");
    ProvisionSlot(soc, *areas.golden, images.golden, "golden");
  }
  state.Create();
  state.SaveFlash(soc.sim_flash().raw());
  state.SaveOtp(soc.sim_otp().raw());
  state.SaveConfig(config);  // last: a device is provisioned once device.json exists
}

SimDevice::SimDevice(const StateDir& state, LogSink log, smp::SmpLinkSink* serial_sink)
    : state_(state),
      log_(std::move(log)),
      serial_sink_(serial_sink),
      config_(state.LoadConfig()),
      work_(kBootWorkSize) {
  soc_ = std::make_unique<SimSoc>(SocConfigOf(config_));
  const uint32_t flash_size = soc_->sim_flash().geometry().total_size();
  RestoreFlash(soc_->sim_flash(), state_.LoadFlash(flash_size));
  RestoreOtp(*soc_, state_.LoadOtp(soc_->sim_otp().size()));
  saved_flash_ops_ = soc_->sim_flash().mutating_ops();
  saved_otp_ops_ = soc_->sim_otp().mutating_ops();
  LoadApplicationKeys();
  bootloader_layout_.emplace(MakeLayout(soc_->flash(Requester::kBootloader), config_));
  application_layout_.emplace(MakeLayout(soc_->flash(Requester::kApplication), config_));
  Log("power on: " + config_.profile + " device from " + state_.path().string());
  Boot();  // a fresh SimSoc starts as after a power-on
}

SimDevice::~SimDevice() = default;

// The example application is built with the device's public signing keys: the same ones as in
// key OTP, read here once as the build would embed them (the application itself can never read
// key OTP).
void SimDevice::LoadApplicationKeys() {
  boot::DeviceKeys keys;
  if (!boot::LoadDeviceKeys(*soc_, config_.key_otp_offset, keys).ok()) return;
  for (const image::TrustedKey& key : keys.keys()) {
    app_keys_.spki.emplace_back(key.spki_der.begin(), key.spki_der.end());
  }
  for (size_t i = 0; i < app_keys_.spki.size(); ++i) {
    app_keys_.trusted.push_back({keys.trusted[i].algorithm, app_keys_.spki[i]});
  }
}

void SimDevice::Log(const std::string& line) {
  if (log_) log_("[" + Seconds(soc_->clock().now_us()) + " s] " + line);
}

void SimDevice::PowerCycle() {
  firmware_.reset();
  soc_->PowerCycle();
  Log("power cycle");
  Boot();
}

void SimDevice::Reset(boot::ResetCause cause) {
  firmware_.reset();
  soc_->Reset(cause);
  Boot();
}

void SimDevice::Boot() {
  ++boots_;
  firmware_.reset();
  last_decision_.reset();
  const uint64_t start_us = soc_->clock().now_us();
  const std::string cause = boot::ResetCauseName(soc_->reset_cause());
  boot::BootConfig boot_config = BootConfigOf(config_);
  Result<boot::BootDecision> decision = [&] {
    boot::Bootloader bootloader(bootloader_layout_->areas(), *soc_, boot_config, work_);
    return bootloader.Boot();
  }();
  const std::string took = Seconds(soc_->clock().now_us() - start_us);
  if (!decision.ok()) {
    mode_ = DeviceMode::kHalted;
    Log("boot " + std::to_string(boots_) + " (" + cause + "): failed: " + decision.status().name() +
        "; halted until the next reset");
    Persist();
    return;
  }
  last_decision_ = *decision;
  if (decision->refused_pending) {
    Log(std::string("boot: the pending image was refused: ") +
        StatusCodeName(decision->refused_status));
  }
  std::string line = "boot " + std::to_string(boots_) + " (" + cause +
                     "): " + boot::BootReasonName(decision->reason) + " -> ";
  if (decision->action == boot::BootAction::kJumpToApplication) {
    line += "application " + VersionString(decision->version) +
            (decision->testing ? " in test mode" : " (confirmed)");
  } else {
    line += "stays in bootloader OTA mode";
  }
  Log(line + " (" + took + " s of boot work)");
  StartFirmware(*decision);
  Persist();
}

void SimDevice::StartFirmware(const boot::BootDecision& decision) {
  const FirmwareLog log = [this](const std::string& line) { Log(line); };
  if (decision.action == boot::BootAction::kJumpToApplication) {
    mode_ = DeviceMode::kApplication;
    FirmwareSetup setup{*soc_, *application_layout_, config_, serial_sink_, log};
    firmware_ = DeviceFirmware::StartApplication(setup, app_keys_, decision);
  } else {
    mode_ = DeviceMode::kBootloaderOta;
    FirmwareSetup setup{*soc_, *bootloader_layout_, config_, serial_sink_, log};
    firmware_ = DeviceFirmware::StartOtaMode(setup);
  }
}

smp::SmpTransportResult SimDevice::OnUdpDatagram(ConstByteSpan datagram, smp::SmpLinkSink& reply) {
  smp::SmpTransportResult result;
  result.consumed = datagram.size();
  if (firmware_ == nullptr) return result;
  result = firmware_->OnUdpDatagram(datagram, reply);
  Persist();
  return result;
}

smp::SmpTransportResult SimDevice::OnSerialBytes(ConstByteSpan bytes) {
  smp::SmpTransportResult result;
  result.consumed = bytes.size();
  if (firmware_ == nullptr) return result;
  result = firmware_->OnSerialBytes(bytes);
  Persist();
  return result;
}

std::vector<uint8_t> SimDevice::HandleSmp(std::span<const uint8_t> request) {
  if (firmware_ == nullptr) return {};
  std::vector<uint8_t> response(kSmpBufferSize);
  response.resize(firmware_->HandleSmp(request, response));
  Persist();
  return response;
}

smp::SmpTransportResult SimDevice::OnBleWrite(smp::BleSmpTransport& transport,
                                              ConstByteSpan write) {
  smp::SmpTransportResult result;
  result.consumed = write.size();
  if (firmware_ == nullptr) return result;
  result = firmware_->OnBleWrite(transport, write);
  Persist();
  return result;
}

bool SimDevice::reset_requested() const {
  return firmware_ != nullptr && firmware_->reset_requested();
}

void SimDevice::RunRequestedReset() {
  Log("reset requested over SMP");
  Reset(boot::ResetCause::kSoftware);
}

void SimDevice::Persist() {
  // Flash first: a kill between the two files then loses at most a counter raise, which the
  // next boot of the confirmed image makes again.
  if (soc_->sim_flash().mutating_ops() != saved_flash_ops_) {
    state_.SaveFlash(soc_->sim_flash().raw());
    saved_flash_ops_ = soc_->sim_flash().mutating_ops();
  }
  if (soc_->sim_otp().mutating_ops() != saved_otp_ops_) {
    state_.SaveOtp(soc_->sim_otp().raw());
    saved_otp_ops_ = soc_->sim_otp().mutating_ops();
  }
}

}  // namespace bleota::sim
