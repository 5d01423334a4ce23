// The application side of a simulated device (TestDevice: SimSoc + the real bootloader) with the
// SMP image group on it: app-requester flash areas, the device's public keys, the OTP security
// counter, an optional upload state area, and helpers that send image-group requests and decode
// the replies.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "bleota/boot/security_counter.hpp"
#include "bleota/boot/upload_state_store.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/smp/image_group.hpp"
#include "cbor_value.hpp"
#include "test_device.hpp"

namespace bleota::smp::testing {

using boot::testing::ImageHash;
using boot::testing::ImageSpec;
using boot::testing::LayoutSpec;
using boot::testing::MakeImage;
using boot::testing::TestDevice;

inline LayoutSpec Nrf52840() { return boot::testing::SmallLayouts()[0]; }

// The OTP anti-rollback counter, read as the application would.
class OtpCounterSource final : public SecurityCounterSource {
 public:
  OtpCounterSource(boot::Platform& platform, uint32_t offset, uint32_t entries)
      : counter_(platform, offset, entries) {}
  Result<uint32_t> ReadSecurityCounter() override { return counter_.Read(); }

 private:
  boot::SecurityCounter counter_;
};

inline std::vector<uint8_t> Sha256Of(const std::vector<uint8_t>& bytes) {
  std::vector<uint8_t> digest(32);
  if (!crypto::Sha256Digest(bytes, crypto::Digest(digest.data(), 32)).ok()) std::abort();
  return digest;
}

struct Field {
  std::string key;
  CborValue value;
};

inline CborValue Bool(bool v) { return {v ? CborType::kTrue : CborType::kFalse, 0, false, {}, {}}; }

inline std::vector<uint8_t> EncodeMap(const std::vector<Field>& fields) {
  CborValue map{CborType::kMap, 0, false, {}, {}};
  for (const Field& f : fields) {
    map.items.push_back(Text(f.key));
    map.items.push_back(f.value);
  }
  std::vector<uint8_t> out(64 * 1024);
  CborWriter writer(out);
  EncodeValue(writer, map);
  if (!writer.status().ok()) std::abort();
  out.resize(writer.size());
  return out;
}

struct Reply {
  SmpOutcome outcome = SmpOutcome::Ok();
  CborValue body;

  bool ok() const { return outcome.ok(); }
  // The image-group rc of an error reply (-1 when the reply is not a group error).
  int group_rc() const {
    return outcome.is_group_error() && outcome.group() == kImageGroupId ? outcome.rc() : -1;
  }
  const CborValue* Get(const std::string& key) const { return Find(body, key); }
  static const CborValue* Find(const CborValue& map, const std::string& key) {
    for (size_t i = 0; i + 1 < map.items.size(); i += 2) {
      const CborValue& k = map.items[i];
      if (k.type == CborType::kText && std::string(k.bytes.begin(), k.bytes.end()) == key) {
        return &map.items[i + 1];
      }
    }
    return nullptr;
  }
  static std::vector<std::string> Keys(const CborValue& map) {
    std::vector<std::string> keys;
    for (size_t i = 0; i < map.items.size(); i += 2) {
      keys.emplace_back(map.items[i].bytes.begin(), map.items[i].bytes.end());
    }
    return keys;
  }
  uint64_t off() const {
    const CborValue* v = Get("off");
    return v != nullptr ? v->argument : ~0ull;
  }
};

// One entry of a state read, decoded.
struct SlotState {
  uint64_t slot = 0;
  std::string version;
  std::vector<uint8_t> hash;
  bool bootable = false, pending = false, confirmed = false, active = false, permanent = false;
};

class ImageGroupHarness {
 public:
  struct Options {
    bool ota_mode = false;      // the bootloader's OTA mode: it holds the decryption keys
    bool upload_store = false;  // resume across resets through an UploadStateStore
    uint32_t work_size = 256;
    uint32_t erase_ahead = 1;
  };
  static constexpr uint32_t kUploadStateOffset = 0xC000;  // free flash between boot state & primary
  static constexpr uint32_t kUploadStateSize = 0x2000;

  explicit ImageGroupHarness(const LayoutSpec& spec) : ImageGroupHarness(spec, Options()) {}
  ImageGroupHarness(const LayoutSpec& spec, Options options)
      : options_(options),
        device_(spec),
        primary_(AreaId::kPrimary, app_flash(), spec.primary_offset, spec.slot_size),
        secondary_(AreaId::kSecondary, app_flash(), spec.secondary_offset, spec.slot_size),
        swap_(AreaId::kSwap, app_flash(), spec.swap_offset, spec.swap_size ? spec.swap_size : 1),
        boot_state_(AreaId::kBootState, app_flash(), spec.boot_state_offset, spec.boot_state_size),
        upload_area_(AreaId::kUser, app_flash(), UploadStateOffset(spec), UploadStateSize(spec)),
        counter_(device_.soc(), device_.config().counter_otp_offset,
                 device_.config().counter_otp_entries),
        work_(options.work_size) {
    // The app kicks the watchdog before every request (its main loop); a 128 KiB STM32F4 sector
    // erase takes 2 s, so the period must be longer than that.
    device_.config().watchdog_period_ms = 5000;
  }

  // Two free sectors between the boot state and primary: nrf52840 and nrf51 layouts only (the
  // stm32f4 layout has no room; its tests do not use an upload store).
  static uint32_t UploadStateOffset(const LayoutSpec& spec) {
    return spec.name.rfind("nrf51", 0) == 0 ? 0x5000 : kUploadStateOffset;
  }
  static uint32_t UploadStateSize(const LayoutSpec& spec) {
    return spec.name.rfind("nrf51", 0) == 0 ? 0x800 : kUploadStateSize;
  }

  TestDevice& device() { return device_; }
  FlashArea& secondary() { return secondary_; }
  const boot::SlotGeometry& geometry() { return *geometry_; }

  // Provisions `running` in primary and boots it; then starts the app's image group.
  void BootWith(const std::vector<uint8_t>& running) {
    device_.ProvisionPrimary(running);
    Reboot();
  }

  // Resets the device (soft reset), runs the bootloader, and starts a fresh image group (RAM
  // state lost; the upload store, if any, is kept).
  boot::BootDecision Reboot() {
    group_.reset();
    device_.soc().Reset(boot::ResetCause::kSoftware);
    Result<boot::BootDecision> decision = device_.Boot();
    if (!decision.ok()) std::abort();
    StartGroup();
    return *decision;
  }

  // The flash loses power at its `ops_from_now`-th program or erase from now (0: the next one).
  void ArmPowerCut(uint64_t ops_from_now, sim::CutMode mode, uint64_t seed) {
    sim::SimFlash& flash = device_.soc().sim_flash();
    flash.ArmPowerCut(flash.mutating_ops() + ops_from_now, mode, seed);
  }

  // Power off and on (RAM lost), the bootloader runs, then the app's image group starts.
  boot::BootDecision PowerCycle() {
    group_.reset();
    device_.soc().sim_flash().DisarmPowerCut();
    device_.soc().PowerCycle();
    Result<boot::BootDecision> decision = device_.Boot();
    if (!decision.ok()) std::abort();
    StartGroup();
    return *decision;
  }

  // A fresh image group on the running device (as after an app restart).
  void StartGroup() {
    group_.reset();
    geometry_.emplace(*boot::SlotGeometry::Create(primary_, secondary_,
                                                  device_.spec().swap_size ? &swap_ : nullptr));
    store_.reset();
    if (options_.upload_store) store_ = std::make_unique<boot::UploadStateStore>(upload_area_);
    ImageGroupConfig config;
    config.geometry = &*geometry_;
    config.boot_state = &boot_state_;
    config.checks.keys = device_.config().keys;
    config.checks.decryption = options_.ota_mode ? &device_.config().decryption : nullptr;
    config.checks.counter = &counter_;
    config.work = work_;
    config.erase_ahead_sectors = options_.erase_ahead;
    config.upload_store = store_.get();
    group_ = std::make_unique<ImageGroup>(config);
  }

  ImageGroup& group() { return *group_; }

  Reply Call(uint8_t command, SmpOp op, const std::vector<uint8_t>& payload) {
    SmpRequest request;
    request.header.version = SmpVersion::kV2;
    request.header.op = op;
    request.header.group = kImageGroupId;
    request.header.command = command;
    request.header.length = static_cast<uint16_t>(payload.size());
    request.payload = payload;
    std::vector<uint8_t> out(2048);
    CborWriter writer(out);
    Reply reply;
    device_.soc().KickWatchdog();
    reply.outcome = group_->Handle(request, writer);
    if (reply.outcome.ok()) {
      CborReader reader(writer.written());
      if (!DecodeValue(reader, reply.body).ok() || !reader.ExpectEnd().ok()) std::abort();
    }
    return reply;
  }

  Reply StateRead() { return Call(kImageCommandState, SmpOp::kRead, EncodeMap({})); }
  Reply StateWrite(const std::vector<Field>& fields) {
    return Call(kImageCommandState, SmpOp::kWrite, EncodeMap(fields));
  }
  Reply Upload(const std::vector<Field>& fields) {
    return Call(kImageCommandUpload, SmpOp::kWrite, EncodeMap(fields));
  }
  Reply Erase(const std::vector<Field>& fields) {
    return Call(kImageCommandErase, SmpOp::kWrite, EncodeMap(fields));
  }

  // The first chunk smpmgr sends: {off: 0, data, image: 0, len, sha, upgrade}.
  Reply UploadFirst(const std::vector<uint8_t>& image, size_t chunk, bool upgrade = false) {
    const size_t n = std::min(chunk, image.size());
    return Upload({{"off", Uint(0)},
                   {"data", Bytes({image.begin(), image.begin() + n})},
                   {"image", Uint(0)},
                   {"len", Uint(image.size())},
                   {"sha", Bytes(Sha256Of(image))},
                   {"upgrade", Bool(upgrade)}});
  }
  Reply UploadChunk(const std::vector<uint8_t>& image, size_t off, size_t chunk) {
    const size_t n = std::min(chunk, image.size() - off);
    return Upload(
        {{"off", Uint(off)}, {"data", Bytes({image.begin() + off, image.begin() + off + n})}});
  }
  // Uploads from `from` (0: a first chunk) in order to the end; returns the last reply (or the
  // first error).
  Reply UploadAll(const std::vector<uint8_t>& image, size_t chunk = 200, size_t from = 0) {
    Reply reply;
    size_t off = from;
    if (off == 0) {
      reply = UploadFirst(image, chunk);
      if (!reply.ok()) return reply;
      off = reply.off();
    }
    while (off < image.size()) {
      reply = UploadChunk(image, off, chunk);
      if (!reply.ok()) return reply;
      off = reply.off();
    }
    return reply;
  }

  std::vector<SlotState> Slots() {
    Reply reply = StateRead();
    std::vector<SlotState> slots;
    const CborValue* images = reply.Get("images");
    if (images == nullptr) return slots;
    for (const CborValue& entry : images->items) {
      SlotState s;
      s.slot = Reply::Find(entry, "slot")->argument;
      const CborValue* version = Reply::Find(entry, "version");
      s.version.assign(version->bytes.begin(), version->bytes.end());
      s.hash = Reply::Find(entry, "hash")->bytes;
      s.bootable = Reply::Find(entry, "bootable")->type == CborType::kTrue;
      s.pending = Reply::Find(entry, "pending")->type == CborType::kTrue;
      s.confirmed = Reply::Find(entry, "confirmed")->type == CborType::kTrue;
      s.active = Reply::Find(entry, "active")->type == CborType::kTrue;
      s.permanent = Reply::Find(entry, "permanent")->type == CborType::kTrue;
      slots.push_back(s);
    }
    return slots;
  }

  Result<boot::BootState> BootState() { return boot::ImageControl(boot_state_).Read(); }
  std::vector<uint8_t> PrimaryBytes() {
    std::vector<uint8_t> bytes(primary_.size());
    if (!device_.primary().Read(0, bytes).ok()) std::abort();
    return bytes;
  }
  FlashArea& upload_area() { return upload_area_; }

 private:
  Flash& app_flash() { return device_.soc().flash(sim::Requester::kApplication); }

  Options options_;
  TestDevice device_;
  FlashArea primary_, secondary_, swap_, boot_state_, upload_area_;
  OtpCounterSource counter_;
  std::vector<uint8_t> work_;
  std::optional<boot::SlotGeometry> geometry_;
  std::unique_ptr<boot::UploadStateStore> store_;
  std::unique_ptr<ImageGroup> group_;
};

inline std::vector<uint8_t> HashOf(const std::vector<uint8_t>& image) {
  std::array<uint8_t, 32> h = ImageHash(image);
  return std::vector<uint8_t>(h.begin(), h.end());
}

}  // namespace bleota::smp::testing
