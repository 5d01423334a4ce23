// A simulated device running the real bootloader: SimSoc + a flash layout + provisioned keys,
// with helpers that play the application (upload into secondary, request install, confirm,
// health flag) and images signed by the host signer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <vector>

#include "bleota/boot/bootloader.hpp"
#include "bleota/boot/image_control.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/key_der.hpp"
#include "bleota/host/keys.hpp"
#include "bleota/sim/sim_soc.hpp"
#include "slot_fixture.hpp"

namespace bleota::boot::testing {

// One signing key and one device encryption key for the whole test binary.
inline const host::PrivateKey& SigningKey() {
  static const host::PrivateKey key = host::GenerateKey(host::KeyType::kEcdsaP256);
  return key;
}
inline const host::PrivateKey& DeviceEncryptionKey() {
  static const host::PrivateKey key = host::GenerateKey(host::KeyType::kEcdsaP256);
  return key;
}

struct ImageSpec {
  uint8_t major = 1;
  uint32_t payload_size = 5000;
  uint64_t seed = 1;
  std::optional<uint32_t> security_counter;
  bool encrypted = false;
  const host::PrivateKey* signer = nullptr;  // default: SigningKey()
};

inline std::vector<uint8_t> MakeImage(const ImageSpec& spec) {
  host::ImageBuildOptions options;
  options.header_size = 0x200;
  options.pad_header = true;
  options.version.major = spec.major;
  options.security_counter = spec.security_counter;
  options.signing_key = spec.signer != nullptr ? spec.signer : &SigningKey();
  if (spec.encrypted) {
    host::ImageEncryption encryption;
    encryption.recipient = DeviceEncryptionKey().public_key;
    options.encryption = encryption;
  }
  return host::BuildImage(RandomBytes(spec.payload_size, spec.seed), options);
}

// The SHA256 TLV of an image (what SMP reports and RequestInstall takes).
inline std::array<uint8_t, 32> ImageHash(const std::vector<uint8_t>& image_bytes) {
  MemoryReadable readable(image_bytes);
  Result<image::ImageLayout> layout = image::ParseImageHeader(readable);
  std::array<uint8_t, 32> hash{};
  if (!layout.ok()) return hash;
  image::TlvIterator it(readable, *layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  for (Result<bool> more = it.Next(entry); more.ok() && *more; more = it.Next(entry)) {
    if (entry.type == image::kTlvSha256 && entry.length == 32) {
      readable.Read(entry.value_offset, hash).IgnoreError();
    }
  }
  return hash;
}

class TestDevice {
 public:
  explicit TestDevice(const LayoutSpec& spec, sim::ReprogramRule rule = sim::ReprogramRule::kError)
      : spec_(spec),
        soc_(MakeSocConfig(spec, rule)),
        bootloader_(AreaId::kBootloader, soc_.flash(sim::Requester::kBootloader), 0,
                    spec.boot_state_offset),
        boot_state_(AreaId::kBootState, soc_.flash(sim::Requester::kBootloader),
                    spec.boot_state_offset, spec.boot_state_size),
        primary_(AreaId::kPrimary, soc_.flash(sim::Requester::kBootloader), spec.primary_offset,
                 spec.slot_size),
        secondary_(AreaId::kSecondary, soc_.flash(sim::Requester::kBootloader),
                   spec.secondary_offset, spec.slot_size),
        swap_(AreaId::kSwap, soc_.flash(sim::Requester::kBootloader), spec.swap_offset,
              spec.swap_size),
        golden_(AreaId::kGolden, soc_.flash(sim::Requester::kBootloader), spec.golden_offset,
                spec.slot_size),
        app_boot_state_(AreaId::kBootState, soc_.flash(sim::Requester::kApplication),
                        spec.boot_state_offset, spec.boot_state_size),
        app_secondary_(AreaId::kSecondary, soc_.flash(sim::Requester::kApplication),
                       spec.secondary_offset, spec.slot_size),
        signing_spki_(host::SpkiDer(SigningKey().public_key)),
        encryption_private_(DeviceEncryptionKey().secret.span().begin(),
                            DeviceEncryptionKey().secret.span().end()),
        work_(spec.copy_chunk) {
    trusted_[0].algorithm = image::KeyAlgorithm::kEcdsaP256;
    trusted_[0].spki_der = signing_spki_;
    config_.keys = trusted_;
    config_.decryption.ec256_private = encryption_private_;
    config_.counter_otp_offset = 512;
    config_.counter_otp_entries = 32;
    config_.watchdog_period_ms = 1000;
  }

  static sim::SocConfig MakeSocConfig(const LayoutSpec& spec, sim::ReprogramRule rule) {
    sim::SocConfig config;
    config.flash_profile = spec.profile;
    config.reprogram_rule = rule;
    return config;
  }

  BootConfig& config() { return config_; }
  sim::SimSoc& soc() { return soc_; }
  FlashArea& primary() { return primary_; }
  FlashArea& secondary() { return secondary_; }
  FlashArea& golden() { return golden_; }
  const LayoutSpec& spec() const { return spec_; }

  BootAreas Areas() {
    BootAreas areas;
    areas.bootloader = &bootloader_;
    areas.boot_state = &boot_state_;
    areas.primary = &primary_;
    areas.secondary = &secondary_;
    areas.swap = spec_.swap_size ? &swap_ : nullptr;
    areas.golden = spec_.golden_offset ? &golden_ : nullptr;
    return areas;
  }

  Result<BootDecision> Boot() {
    Bootloader bootloader(Areas(), soc_, config_, work_);
    Result<BootDecision> decision = bootloader.Boot();
    if (decision.ok()) last_state_ = bootloader.state();
    return decision;
  }
  const BootState& last_state() const { return last_state_; }

  // Provisioning (factory): write an image into a slot directly.
  void Provision(uint32_t device_offset, const std::vector<uint8_t>& bytes) {
    std::vector<uint8_t> padded = bytes;
    padded.resize(AlignUp(static_cast<uint32_t>(padded.size()), 16), 0xff);
    if (!soc_.ProvisionFlash(device_offset, padded).ok()) std::abort();
  }
  void ProvisionPrimary(const std::vector<uint8_t>& image) {
    Provision(spec_.primary_offset, image);
  }
  void ProvisionGolden(const std::vector<uint8_t>& image) { Provision(spec_.golden_offset, image); }

  // The application's side.
  ImageControl AppControl() { return ImageControl(app_boot_state_); }
  // The app's DFU: it kicks the watchdog as a real app does while it works.
  Status AppUpload(const std::vector<uint8_t>& image) {
    ImageControl control = AppControl();
    soc_.KickWatchdog();
    BLEOTA_TRY(control.BeginUpload());
    for (uint32_t at = 0; at < app_secondary_.size();) {
      BLEOTA_ASSIGN_OR_RETURN(Sector sector, app_secondary_.SectorAt(at));
      soc_.KickWatchdog();
      BLEOTA_TRY(app_secondary_.Erase(sector.offset, sector.size));
      at = sector.offset + sector.size;
    }
    soc_.KickWatchdog();
    std::vector<uint8_t> padded = image;
    padded.resize(AlignUp(static_cast<uint32_t>(padded.size()), app_secondary_.write_align()),
                  app_secondary_.erase_value());
    return app_secondary_.Program(0, padded);
  }
  Status AppRequestInstall(const std::vector<uint8_t>& image, bool permanent) {
    std::array<uint8_t, 32> hash = ImageHash(image);
    return AppControl().RequestInstall(hash, permanent);
  }
  // The app's usual update: upload into secondary, then ask for the install.
  Status AppOfferUpdate(const std::vector<uint8_t>& image, bool permanent) {
    BLEOTA_TRY(AppUpload(image));
    return AppRequestInstall(image, permanent);
  }
  Status AppConfirm() { return AppControl().ConfirmRunningImage(); }
  void AppSetHealthy() { SetTriggerPathHealthy(soc_.retained_ram()); }
  void AppRequestOtaMode() { RequestOtaMode(soc_.retained_ram()); }

  // True when primary holds exactly `image` (as plaintext for encrypted images: compare `plain`).
  bool PrimaryHolds(const std::vector<uint8_t>& expected) {
    std::vector<uint8_t> got(expected.size());
    return primary_.Read(0, got).ok() && got == expected;
  }

 private:
  LayoutSpec spec_;
  sim::SimSoc soc_;
  FlashArea bootloader_, boot_state_, primary_, secondary_, swap_, golden_;
  FlashArea app_boot_state_, app_secondary_;
  std::vector<uint8_t> signing_spki_;
  std::vector<uint8_t> encryption_private_;
  image::TrustedKey trusted_[1];
  BootConfig config_;
  std::vector<uint8_t> work_;
  BootState last_state_;
};

}  // namespace bleota::boot::testing
