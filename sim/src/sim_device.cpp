#include "bleota/simdev/sim_device.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <string>

#include "bleota/boot/boot_progress.hpp"
#include "bleota/boot/boot_state_store.hpp"
#include "bleota/boot/device_keys.hpp"
#include "bleota/host/error.hpp"
#include "bleota/image/tlv.hpp"
#include "bleota/readable.hpp"

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

std::string Hex(uint32_t value) {
  char text[16];
  std::snprintf(text, sizeof(text), "0x%" PRIx32, value);
  return text;
}

// Why the bootloader stays in OTA mode, for the boot log line.
const char* OtaModeWhy(boot::BootReason reason) {
  switch (reason) {
    case boot::BootReason::kButton:
      return "the update button is held";
    case boot::BootReason::kAppRequest:
      return "the application asked for it";
    case boot::BootReason::kHealthMissing:
      return "the application did not set \"trigger path healthy\" before the watchdog reset";
    case boot::BootReason::kNoValidImage:
      return "no image verifies";
    case boot::BootReason::kNoKeys:
      return "key OTP holds no valid key record";
    default:
      break;
  }
  return "";
}

// One log line per tenth of a swap, golden restore or golden update (and one at its end).
class ProgressLog final : public boot::BootProgress {
 public:
  explicit ProgressLog(std::function<void(const std::string&)> log) : log_(std::move(log)) {}

  void OnStep(boot::BootOp op, boot::SwapReason reason, uint32_t done, uint32_t total) override {
    if (total == 0) return;
    const uint32_t tenth = done * 10 / total;
    if (tenth == last_tenth_ && done != total) return;
    last_tenth_ = tenth;
    const bool swap = op == boot::BootOp::kSwap;
    log_(std::string(Name(op, reason)) + ": " + std::to_string(done * 100 / total) + "% (" +
         std::to_string(done) + " of " + std::to_string(total) +
         (swap ? " steps, two per sector)" : " sectors)"));
  }

 private:
  static const char* Name(boot::BootOp op, boot::SwapReason reason) {
    if (op == boot::BootOp::kGoldenRestore) return "golden restore";
    if (op == boot::BootOp::kGoldenUpdate) return "golden update";
    if (reason == boot::SwapReason::kRevert) return "revert swap";
    return reason == boot::SwapReason::kInstallTest ? "install swap (test)"
                                                    : "install swap (permanent)";
  }

  std::function<void(const std::string&)> log_;
  uint32_t last_tenth_ = ~0u;
};

// The replies of firmware that lost its power mid-request never leave the device.
class PoweredSink final : public smp::SmpLinkSink {
 public:
  PoweredSink(SimFlash& flash, smp::SmpLinkSink& sink) : flash_(flash), sink_(sink) {}
  Status Send(ConstByteSpan bytes) override {
    if (!flash_.powered()) return StatusCode::kFlashIo;
    return sink_.Send(bytes);
  }

 private:
  SimFlash& flash_;
  smp::SmpLinkSink& sink_;
};

}  // namespace

const char* DeviceModeName(DeviceMode mode) {
  switch (mode) {
    case DeviceMode::kApplication:
      return "application";
    case DeviceMode::kBootloaderOta:
      return "bootloader OTA mode";
    case DeviceMode::kOff:
      return "off";
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
  host_layout_.emplace(MakeLayout(soc_->sim_flash(), config_));
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
  crash_at_us_.reset();
  running_fault_ = AppFault::kNone;
  boot::BootConfig boot_config = BootConfigOf(config_);
  ProgressLog progress([this](const std::string& line) { Log(line); });
  boot_config.progress = &progress;
  Result<boot::BootDecision> decision = [&] {
    boot::Bootloader bootloader(bootloader_layout_->areas(), *soc_, boot_config, work_);
    return bootloader.Boot();
  }();
  const std::string took = Seconds(soc_->clock().now_us() - start_us);
  if (!decision.ok() && ArmedCutHappened()) {
    EnterOff("during boot " + std::to_string(boots_));
    return;
  }
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
    line += std::string("stays in bootloader OTA mode: ") + OtaModeWhy(decision->reason);
  }
  Log(line + " (" + took + " s of boot work)");
  StartFirmware(*decision);
  if (ArmedCutHappened()) {
    EnterOff("while the " + std::string(DeviceModeName(mode_)) + " started");
    return;
  }
  Persist();
}

void SimDevice::StartFirmware(const boot::BootDecision& decision) {
  const FirmwareLog log = [this](const std::string& line) { Log(line); };
  if (decision.action == boot::BootAction::kJumpToApplication) {
    mode_ = DeviceMode::kApplication;
    if (app_fault_ != AppFault::kNone) {
      const std::optional<SlotImage> running = ImageIn(*host_layout_->areas().primary, 0);
      if (running && running->id == faulty_build_) {
        running_fault_ = app_fault_;
        Log(std::string("app: this build has the fault ") + AppFaultName(app_fault_));
      } else {
        Log(std::string("app: the build with the fault ") + AppFaultName(app_fault_) +
            " was replaced; this one behaves normally");
        app_fault_ = AppFault::kNone;
      }
    }
    FirmwareSetup setup{*soc_, *application_layout_, config_, serial_sink_, log};
    firmware_ = DeviceFirmware::StartApplication(setup, app_keys_, decision, running_fault_);
    if (running_fault_ == AppFault::kCrash) {
      crash_at_us_ = soc_->clock().now_us() + kCrashAfterStartUs;
    }
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
  PoweredSink powered_reply(soc_->sim_flash(), reply);
  result = firmware_->OnUdpDatagram(datagram, powered_reply);
  AfterInput();
  return result;
}

smp::SmpTransportResult SimDevice::OnSerialBytes(ConstByteSpan bytes) {
  smp::SmpTransportResult result;
  result.consumed = bytes.size();
  if (firmware_ == nullptr) return result;
  result = firmware_->OnSerialBytes(bytes);
  AfterInput();
  return result;
}

std::vector<uint8_t> SimDevice::HandleSmp(std::span<const uint8_t> request) {
  if (firmware_ == nullptr) return {};
  std::vector<uint8_t> response(kSmpBufferSize);
  response.resize(firmware_->HandleSmp(request, response));
  if (!soc_->sim_flash().powered()) response.clear();
  AfterInput();
  return response;
}

smp::SmpTransportResult SimDevice::OnBleWrite(smp::BleSmpTransport& transport,
                                              ConstByteSpan write) {
  smp::SmpTransportResult result;
  result.consumed = write.size();
  if (firmware_ == nullptr) return result;
  result = firmware_->OnBleWrite(transport, write);
  AfterInput();
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

namespace bleota::sim {

bool SimDevice::advertising() const { return firmware_ != nullptr && firmware_->advertising(); }

bool SimDevice::ArmedCutHappened() {
  return cut_at_op_ && soc_->sim_flash().cut_happened() && !soc_->sim_flash().powered();
}

void SimDevice::AfterInput() {
  if (ArmedCutHappened()) {
    EnterOff("during an SMP request");
    return;
  }
  Persist();
  RunDueEvents();
}

void SimDevice::EnterOff(const std::string& why) {
  firmware_.reset();
  mode_ = DeviceMode::kOff;
  crash_at_us_.reset();
  std::string line = "power cut " + why;
  const std::vector<FlashOp>& ops = soc_->sim_flash().log();
  if (cut_at_op_ && soc_->sim_flash().cut_happened() && !ops.empty()) {
    const FlashOp& op = ops.back();
    line += std::string(" at the armed flash operation: ") +
            (op.kind == FlashOpKind::kErase ? "erase of " : "program of ") +
            std::to_string(op.size) + " bytes at " + Hex(op.offset);
  }
  cut_at_op_.reset();
  Log(line + "; the device is off");
  Persist();
}

void SimDevice::CutPower() {
  if (mode_ == DeviceMode::kOff) return;
  firmware_.reset();
  soc_->sim_flash().DisarmPowerCut();
  cut_at_op_.reset();
  soc_->sim_flash().PowerOff();
  mode_ = DeviceMode::kOff;
  crash_at_us_.reset();
  Log("power cut: the device is off");
  Persist();
}

void SimDevice::ArmPowerCut(uint64_t nth, CutMode mode) {
  const uint64_t at = soc_->sim_flash().mutating_ops() + nth - 1;
  // The seed only shapes torn content; the operation index makes it repeatable.
  soc_->sim_flash().ArmPowerCut(at, mode, at + 1);
  cut_at_op_ = at;
  Log("power cut armed at flash operation " + std::to_string(nth) + " from now (" +
      CutModeName(mode) + ")");
}

std::optional<uint64_t> SimDevice::flash_ops_until_cut() const {
  if (!cut_at_op_) return std::nullopt;
  return *cut_at_op_ - soc_->sim_flash().mutating_ops() + 1;
}

void SimDevice::PowerOn() {
  if (mode_ != DeviceMode::kOff) return;
  soc_->PowerCycle();
  Log("power on");
  Boot();
}

void SimDevice::SetButton(bool held) {
  if (held) {
    soc_->button().Press();
  } else {
    soc_->button().Release();
  }
  Log(held ? "button held (the bootloader samples it at every boot)" : "button released");
}

std::optional<SimDevice::SlotImage> SimDevice::ImageIn(const FlashArea& slot, uint32_t at) const {
  if (at >= slot.size()) return std::nullopt;
  const std::vector<uint8_t>& raw = soc_->sim_flash().raw();
  MemoryReadable readable(ConstByteSpan(raw.data() + slot.offset() + at, slot.size() - at));
  Result<image::ImageLayout> layout = image::ParseImageHeader(readable);
  if (!layout.ok()) return std::nullopt;
  image::TlvIterator tlvs(readable, *layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  for (Result<bool> next = tlvs.Next(entry); next.ok() && *next; next = tlvs.Next(entry)) {
    if (entry.type != image::kTlvSha256 || entry.length != 32) continue;
    SlotImage found{{}, layout->header.version, at, *layout};
    if (!image::ReadTlvValue(readable, entry, found.id).ok()) return std::nullopt;
    return found;
  }
  return std::nullopt;
}

std::optional<SimDevice::SlotImage> SimDevice::PendingImage() {
  boot::BootStateStore store(*host_layout_->areas().boot_state);
  Result<boot::BootState> state = store.Load();
  if (!state.ok() || (state->pending != boot::PendingRequest::kTest &&
                      state->pending != boot::PendingRequest::kPermanent)) {
    return std::nullopt;
  }
  return ImageIn(*host_layout_->areas().secondary, 0);  // uploads start at the slot's start
}

std::string SimDevice::SetAppFault(AppFault fault) {
  if (fault == AppFault::kNone) {
    app_fault_ = AppFault::kNone;
    running_fault_ = AppFault::kNone;
    crash_at_us_.reset();
    if (firmware_ != nullptr) firmware_->ChangeAppFault(AppFault::kNone);
    Log("app: normal (no fault)");
    return "the application behaves normally";
  }
  const std::optional<SlotImage> pending =
      mode_ == DeviceMode::kOff ? std::nullopt : PendingImage();
  const std::optional<SlotImage> target =
      pending ? pending : ImageIn(*host_layout_->areas().primary, 0);
  if (!target) host::ThrowUsage("there is no application image to give a fault to");
  app_fault_ = fault;
  faulty_build_ = target->id;
  const std::string which = std::string(pending ? "the pending image " : "the image in primary ") +
                            VersionString(target->version);
  Log(std::string("app: fault ") + AppFaultName(fault) + " for " + which);
  if (pending || mode_ != DeviceMode::kApplication) {
    return std::string(AppFaultName(fault)) + " for " + which + ", from its next start";
  }
  running_fault_ = fault;
  firmware_->ChangeAppFault(fault);
  switch (fault) {
    case AppFault::kCrash:
      Crash();
      return "crash for " + which + ": it crashed now and crashes " + Seconds(kCrashAfterStartUs) +
             " s after every start";
    case AppFault::kHang:
      Log("app: hangs (no SMP, no advertising, no watchdog kicks)");
      break;
    case AppFault::kNoAdvertising:
      Log("app: stopped advertising; \"trigger path healthy\" cleared, watchdog no longer kicked");
      break;
    default:
      break;
  }
  return std::string(AppFaultName(fault)) + " for " + which + ", now";
}

void SimDevice::Crash() {
  Log(std::string("app: crash (a CPU fault) -> lockup reset"));
  Reset(boot::ResetCause::kLockup);
}

std::string SimDevice::CorruptSlot(bool secondary) {
  const boot::BootAreas areas = host_layout_->areas();
  const FlashArea& slot = secondary ? *areas.secondary : *areas.primary;
  std::optional<SlotImage> image = ImageIn(slot, 0);
  if (!image && secondary) {
    // After an install the previous image sits one sector in (docs/spec/boot-state.md, "Swap").
    Result<Sector> first = slot.SectorAt(0);
    if (first.ok()) image = ImageIn(slot, first->size);
  }
  // The hashed bytes after the header: payload and protected TLVs.
  uint32_t begin = slot.offset();
  uint32_t size = slot.size();
  if (image) {
    begin += image->offset + image->layout.payload_offset;
    size = image->layout.tlv_offset - image->layout.payload_offset;
  }
  SimFlash& flash = soc_->sim_flash();
  const uint32_t unit = flash.geometry().write_align();
  const uint8_t erased = flash.geometry().erase_value();
  constexpr uint32_t kFlips = 8;
  for (uint32_t i = 0; i < kFlips; ++i) {
    const uint32_t at = begin + static_cast<uint32_t>((2ull * i + 1) * size / (2 * kFlips));
    flash.raw()[at] ^= 0x10;
    const uint32_t unit_start = at - at % unit;
    const bool programmed =
        std::any_of(flash.raw().begin() + unit_start, flash.raw().begin() + unit_start + unit,
                    [erased](uint8_t b) { return b != erased; });
    if (programmed) flash.MarkProgrammed(unit_start, unit, true);
  }
  state_.SaveFlash(flash.raw());  // not a flash operation: Persist() would not see it
  const std::string what =
      std::string("flipped one bit in each of 8 bytes of the ") +
      (secondary ? "secondary" : "primary") + " slot's " +
      (image ? "image " + VersionString(image->version) : std::string("content (no image)")) +
      " between " + Hex(begin) + " and " + Hex(begin + size);
  Log("corrupt: " + what + " (bit rot; the bootloader notices at the next boot)");
  return what;
}

bool SimDevice::RunningImageConfirmed() {
  if (mode_ != DeviceMode::kApplication || !last_decision_) return false;
  boot::BootStateStore store(*host_layout_->areas().boot_state);
  Result<boot::BootState> state = store.Load();
  return state.ok() ? !state->primary_testing : !last_decision_->testing;
}

void SimDevice::RunDueEvents() {
  if (mode_ == DeviceMode::kOff) return;
  if (mode_ == DeviceMode::kApplication && crash_at_us_ &&
      soc_->clock().now_us() >= *crash_at_us_) {
    Crash();
    return;
  }
  if (soc_->watchdog_reset_due()) {
    std::string line = "watchdog reset: not kicked for " +
                       std::to_string(soc_->watchdog().period_ms() / 1000) + " s";
    if (running_app_fault() != AppFault::kNone) {
      line += std::string(" (app: ") + AppFaultName(running_app_fault()) + ")";
    }
    Log(line);
    Reset(boot::ResetCause::kWatchdog);
  }
}

void SimDevice::Advance(uint64_t us) {
  const uint64_t end = soc_->clock().now_us() + us;
  while (soc_->clock().now_us() < end) {
    const uint64_t now = soc_->clock().now_us();
    if (mode_ == DeviceMode::kOff) {
      soc_->AdvanceTime(end - now);
      break;
    }
    // The next moment something happens: a kick of the main loop (twice per period), the
    // watchdog's deadline when nobody kicks it, a crashing build's fault.
    const bool kicking = firmware_ != nullptr && firmware_->kicks_watchdog();
    const SimWatchdog& watchdog = soc_->watchdog();
    uint64_t until = end;
    if (watchdog.running()) {
      if (kicking) {
        soc_->KickWatchdog();
        until = std::min<uint64_t>(until, now + watchdog.period_ms() * 500ull);
      } else {
        until = std::min(until, std::max(watchdog.deadline_us(), now));
      }
    }
    if (crash_at_us_) until = std::min(until, std::max(*crash_at_us_, now));
    soc_->AdvanceTime(until - now);
    if (kicking) soc_->KickWatchdog();
    RunDueEvents();
  }
  Persist();
}

}  // namespace bleota::sim
