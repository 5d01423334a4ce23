#include "bleota/boot/bootloader.hpp"

#include "bleota/boot/device_keys.hpp"
#include "bleota/boot/sector_copy.hpp"
#include "bleota/boot/swap_engine.hpp"
#include "bleota/crypto/crypto.hpp"

namespace bleota::boot {

const char* BootReasonName(BootReason reason) {
  switch (reason) {
    case BootReason::kPrimaryValid:
      return "primary_valid";
    case BootReason::kInstalled:
      return "installed";
    case BootReason::kReverted:
      return "reverted";
    case BootReason::kRecoveredFromSecondary:
      return "recovered_from_secondary";
    case BootReason::kGoldenUpdated:
      return "golden_updated";
    case BootReason::kGoldenRestored:
      return "golden_restored";
    case BootReason::kButton:
      return "button";
    case BootReason::kAppRequest:
      return "app_request";
    case BootReason::kHealthMissing:
      return "health_missing";
    case BootReason::kNoValidImage:
      return "no_valid_image";
    case BootReason::kNoKeys:
      return "no_keys";
  }
  return "unknown";
}

Bootloader::Bootloader(const BootAreas& areas, Platform& platform, const BootConfig& config,
                       ByteSpan work)
    : areas_(areas),
      platform_(platform),
      config_(config),
      work_(work),
      store_(*areas.boot_state),
      counter_(platform, config.counter_otp_offset, config.counter_otp_entries),
      geometry_(SlotGeometry::Create(*areas.primary, *areas.secondary, areas.swap)) {}

Result<image::VerifiedImage> Bootloader::Verify(Readable& slot, image::PayloadForm form) {
  image::VerifyOptions options;
  options.keys = config_.keys;
  options.decryption = config_.decryption;
  options.payload_form = form;
  options.allow_unsigned = config_.allow_unsigned;
  options.work_buffer = work_;
  BLEOTA_ASSIGN_OR_RETURN(image::VerifiedImage verified, image::VerifyImage(slot, options));
  BLEOTA_TRY(CheckCounter(verified));
  return verified;
}

// Primary always holds plaintext: encrypted images are decrypted on their way in.
Result<image::VerifiedImage> Bootloader::VerifyPrimary() {
  if (config_.verify_policy == VerifyPolicy::kSignatureAfterChange && state_.primary_verified) {
    Result<image::VerifiedImage> checked = CheckPrimaryHash();
    if (checked.ok()) return checked;
    // Not the image whose signature was checked, or damaged: judge it in full.
  }
  return Verify(*areas_.primary, image::PayloadForm::kDecrypted);
}

// The image in primary is the one verified in full earlier: its hash over header, payload and
// protected TLVs matches its SHA256 TLV and the hash recorded at that verification.
Result<image::VerifiedImage> Bootloader::CheckPrimaryHash() {
  FlashArea& primary = *areas_.primary;
  image::VerifiedImage checked;
  BLEOTA_ASSIGN_OR_RETURN(checked.layout, image::ParseImageHeader(primary));
  BLEOTA_TRY(image::ComputeImageHash(primary, checked.layout, nullptr, work_, checked.hash));
  image::TlvIterator tlvs(primary, checked.layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  uint8_t stored[crypto::kSha256Size];
  int sha_tlvs = 0;
  for (;;) {
    BLEOTA_ASSIGN_OR_RETURN(bool more, tlvs.Next(entry));
    if (!more) break;
    if (entry.type != image::kTlvSha256) continue;
    if (entry.length != crypto::kSha256Size || ++sha_tlvs > 1) return StatusCode::kImageHash;
    BLEOTA_TRY(image::ReadTlvValue(primary, entry, stored));
  }
  if (sha_tlvs != 1 || !crypto::ConstantTimeEqual(stored, checked.hash) ||
      !crypto::ConstantTimeEqual(ConstByteSpan(checked.hash, kVerifiedHashBytes),
                                 state_.verified_hash)) {
    return StatusCode::kImageHash;
  }
  BLEOTA_ASSIGN_OR_RETURN(checked.protected_tlvs,
                          image::ReadProtectedTlvs(primary, checked.layout));
  BLEOTA_TRY(CheckCounter(checked));
  return checked;
}

Result<image::VerifiedImage> Bootloader::VerifySecondary() {
  IncomingImageView view(*geometry_, geometry_->max_image_sectors(), state_.secondary_shifted, 0);
  return Verify(view, state_.secondary_plaintext ? image::PayloadForm::kDecrypted
                                                 : image::PayloadForm::kAsStored);
}

// The image in secondary that the pending request names: it verifies and its hash starts with
// the requested prefix (else the slot changed after the request: kFailedPrecondition).
Result<image::VerifiedImage> Bootloader::VerifyPendingImage() {
  BLEOTA_ASSIGN_OR_RETURN(image::VerifiedImage incoming, VerifySecondary());
  if (!crypto::ConstantTimeEqual(ConstByteSpan(incoming.hash, kPendingHashBytes),
                                 state_.pending_hash)) {
    return StatusCode::kFailedPrecondition;
  }
  return incoming;
}

Status Bootloader::CheckCounter(const image::VerifiedImage& image) {
  if (config_.counter_otp_entries == 0) return Status::Ok();
  BLEOTA_ASSIGN_OR_RETURN(uint32_t stored, counter_.Read());
  const uint32_t counter =
      image.protected_tlvs.has_security_counter ? image.protected_tlvs.security_counter : 0;
  return counter >= stored ? Status::Ok() : Status(StatusCode::kPermissionDenied);
}

// Sectors a swap with `incoming` must move: enough for it and for the image now in primary.
uint32_t Bootloader::SwapSectorsWith(const image::VerifiedImage& incoming) {
  const uint32_t sector_size = geometry_->sector_size();
  const uint32_t incoming_sectors = SectorsFor(incoming.layout.tlv_end, sector_size);
  Result<image::ImageLayout> layout = image::ParseImageHeader(*areas_.primary);
  const uint32_t primary_sectors = layout.ok() ? SectorsFor(layout->tlv_end, sector_size) : 0;
  return incoming_sectors > primary_sectors ? incoming_sectors : primary_sectors;
}

bool Bootloader::GoldenVerifies() {
  return areas_.golden != nullptr && Verify(*areas_.golden, image::PayloadForm::kDecrypted).ok();
}

// A bad image never becomes bootable: the request is dropped and the refusal reported.
Status Bootloader::DropPendingRequest(Status refusal, BootDecision& decision) {
  state_.pending = PendingRequest::kNone;
  decision.refused_pending = true;
  decision.refused_status = refusal.code();
  return Save();
}

Status Bootloader::FinishSwap() {
  state_.op = BootOp::kNone;
  state_.step = 0;
  state_.secondary_shifted = !state_.secondary_shifted;
  state_.secondary_plaintext = true;  // what left primary was plaintext
  state_.primary_testing = state_.swap_reason == SwapReason::kInstallTest;
  state_.test_boots = 0;
  state_.primary_verified = false;
  return Save();
}

Status Bootloader::Resume() {
  if (state_.op == BootOp::kSwap) {
    SwapEngine engine(*geometry_, store_, work_, &platform_, config_.progress);
    const Status swapped =
        engine.Run(state_, state_.secondary_plaintext ? nullptr : &config_.decryption);
    if (swapped.code() == StatusCode::kFlashIo) return swapped;
    if (!swapped.ok()) {
      // The swap cannot go on (bad layout, undecryptable image): give it up. Primary then fails
      // verification and the fallbacks below take over.
      state_.op = BootOp::kNone;
      state_.step = 0;
      return Save();
    }
    return FinishSwap();
  }
  if ((state_.op == BootOp::kGoldenRestore || state_.op == BootOp::kGoldenUpdate) &&
      areas_.golden == nullptr) {
    // A journal written under a layout with a golden slot: nothing to finish in this one.
    state_.op = BootOp::kNone;
    state_.step = 0;
    return Save();
  }
  if (state_.op == BootOp::kGoldenRestore) return RunGoldenRestore();
  if (state_.op == BootOp::kGoldenUpdate) {
    // The request was checked when the update started; the secondary has not changed since
    // (uploads refuse to start while an operation is in progress).
    Result<image::VerifiedImage> incoming = VerifySecondary();
    if (!incoming.ok()) {
      if (incoming.status().code() == StatusCode::kFlashIo) return incoming.status();
      state_.op = BootOp::kNone;
      state_.step = 0;
      return Save();
    }
    return RunGoldenUpdate(*incoming);
  }
  return Status::Ok();
}

Status Bootloader::RunSwap(SwapReason reason, uint32_t sectors) {
  state_.op = BootOp::kSwap;
  state_.swap_reason = reason;
  state_.step = 0;
  state_.swap_sectors = static_cast<uint16_t>(sectors);
  state_.pending = PendingRequest::kNone;
  BLEOTA_TRY(Save());
  return Resume();
}

Status Bootloader::RunGoldenRestore() {
  FlashArea& primary = *areas_.primary;
  FlashArea& golden = *areas_.golden;
  const uint32_t sector_size = geometry_->sector_size();
  if (state_.op != BootOp::kGoldenRestore) {
    BLEOTA_ASSIGN_OR_RETURN(image::ImageLayout layout, image::ParseImageHeader(golden));
    const uint32_t sectors = SectorsFor(layout.tlv_end, sector_size);
    if (sectors > geometry_->slot_sectors()) return StatusCode::kOutOfRange;
    state_.op = BootOp::kGoldenRestore;
    state_.step = 0;
    state_.swap_sectors = static_cast<uint16_t>(sectors);
    BLEOTA_TRY(Save());
  }
  for (uint32_t i = state_.step; i < state_.swap_sectors; ++i) {
    platform_.KickWatchdog();
    BLEOTA_TRY(primary.Erase(i * sector_size, sector_size));
    BLEOTA_TRY(CopyToErased(golden, i * sector_size, primary, i * sector_size, sector_size,
                            i * sector_size, PayloadDecryption(), work_));
    state_.step = static_cast<uint16_t>(i + 1);
    BLEOTA_TRY(Save());
    ReportStep(state_.swap_sectors);
  }
  state_.op = BootOp::kNone;
  state_.step = 0;
  state_.primary_testing = false;
  state_.test_boots = 0;
  state_.primary_verified = false;
  return Save();
}

// Copies the verified image in the logical secondary into the golden slot as plaintext, one
// golden sector per journaled step. The source is never written, so a step can always be redone.
Status Bootloader::RunGoldenUpdate(const image::VerifiedImage& incoming) {
  FlashArea& golden = *areas_.golden;
  if (incoming.layout.tlv_end > golden.size()) return StatusCode::kOutOfRange;
  if (state_.op != BootOp::kGoldenUpdate) {
    state_.op = BootOp::kGoldenUpdate;
    state_.step = 0;
    state_.pending = PendingRequest::kNone;
    BLEOTA_TRY(Save());
  }
  IncomingImageView source(*geometry_, geometry_->max_image_sectors(), state_.secondary_shifted, 0);
  image::ImageDecryptor decryptor;
  PayloadDecryption decryption;
  if (incoming.layout.encrypted() && !state_.secondary_plaintext) {
    BLEOTA_TRY(decryptor.Open(source, incoming.layout, config_.decryption));
    decryption = {&decryptor, incoming.layout.payload_offset, incoming.layout.payload_size};
  }
  uint32_t total_steps = 0;  // golden sectors the image covers (sizes may differ)
  for (uint32_t at = 0; at < incoming.layout.tlv_end; ++total_steps) {
    BLEOTA_ASSIGN_OR_RETURN(Sector sector, golden.SectorAt(at));
    at = sector.offset + sector.size;
  }
  const uint32_t chunk = static_cast<uint32_t>(work_.size());
  uint32_t index = 0;
  for (uint32_t at = 0; at < incoming.layout.tlv_end; ++index) {
    BLEOTA_ASSIGN_OR_RETURN(Sector sector, golden.SectorAt(at));
    at = sector.offset + sector.size;
    if (index < state_.step) continue;
    platform_.KickWatchdog();
    BLEOTA_TRY(golden.Erase(sector.offset, sector.size));
    // The image's end, rounded up to whole chunks, inside this sector.
    const uint32_t image_end = AlignUp(incoming.layout.tlv_end, chunk);
    const uint32_t sector_end = sector.offset + sector.size;
    const uint32_t copy_end = image_end < sector_end ? image_end : sector_end;
    BLEOTA_TRY(CopyToErased(source, sector.offset, golden, sector.offset, copy_end - sector.offset,
                            sector.offset, decryption, work_));
    state_.step = static_cast<uint16_t>(index + 1);
    BLEOTA_TRY(Save());
    ReportStep(total_steps);
  }
  state_.op = BootOp::kNone;
  state_.step = 0;
  return Save();
}

Result<BootDecision> Bootloader::Jump(BootReason reason, const image::VerifiedImage& image) {
  bool save = false;
  if (config_.verify_policy == VerifyPolicy::kSignatureAfterChange &&
      (!state_.primary_verified ||
       !crypto::ConstantTimeEqual(ConstByteSpan(image.hash, kVerifiedHashBytes),
                                  state_.verified_hash))) {
    // `image` was verified in full just now: later boots check its hash only.
    state_.primary_verified = true;
    for (uint32_t i = 0; i < kVerifiedHashBytes; ++i) state_.verified_hash[i] = image.hash[i];
    save = true;
  }
  if (state_.primary_testing) {
    if (state_.test_boots < 0xff) ++state_.test_boots;
    save = true;
  }
  if (save) BLEOTA_TRY(Save());
  if (!state_.primary_testing && config_.counter_otp_entries != 0 &&
      image.protected_tlvs.has_security_counter) {
    // Only a confirmed image raises the counter. A full counter area keeps the old value.
    const Status raised = counter_.Raise(image.protected_tlvs.security_counter);
    if (!raised.ok() && raised.code() != StatusCode::kResourceExhausted) return raised;
  }
  ProtectionConfig protection;
  auto no_access = [&](const FlashArea* area) {
    if (area == nullptr) return;
    protection.no_access[protection.no_access_count++] = {area->offset(), area->size()};
  };
  no_access(areas_.bootloader);
  no_access(areas_.golden);
  protection.read_only[protection.read_only_count++] = {areas_.primary->offset(),
                                                        areas_.primary->size()};
  BLEOTA_TRY(platform_.ApplyProtection(protection));
  if (config_.watchdog_period_ms != 0) platform_.StartWatchdog(config_.watchdog_period_ms);

  BootDecision decision;
  decision.action = BootAction::kJumpToApplication;
  decision.reason = reason;
  decision.app_offset = areas_.primary->offset() + image.layout.payload_offset;
  decision.version = image.layout.header.version;
  decision.testing = state_.primary_testing;
  return decision;
}

Result<BootDecision> Bootloader::Boot() {
  if (!config_.keys_in_otp) return Decide();
  DeviceKeys keys;  // RAM copy, wiped by its destructor before this returns
  const Status loaded = LoadDeviceKeys(platform_, config_.key_otp_offset, keys);
  if (!loaded.ok()) {
    if (loaded.code() != StatusCode::kDataLoss) return loaded;
    BootDecision stay;
    stay.reason = BootReason::kNoKeys;
    return stay;
  }
  const std::span<const image::TrustedKey> configured_keys = config_.keys;
  const image::DecryptionKeys configured_decryption = config_.decryption;
  config_.keys = keys.keys();
  config_.decryption = keys.decryption();
  Result<BootDecision> decision = Decide();
  config_.keys = configured_keys;
  config_.decryption = configured_decryption;
  return decision;
}

Result<BootDecision> Bootloader::Decide() {
  if (!geometry_.ok()) return geometry_.status();
  BLEOTA_ASSIGN_OR_RETURN(state_, store_.Load());

  // The app's flags in retained RAM are read once and cleared, so each boot judges afresh.
  ByteSpan ram = platform_.retained_ram();
  RetainedRecord retained = LoadRetainedRecord(ram);
  const ResetCause cause = platform_.reset_cause();
  if (cause == ResetCause::kPowerOn || state_.primary_testing || retained.trigger_path_healthy) {
    // Power-on: nothing to judge. An image under test is judged by test/confirm/revert instead.
    retained.health_misses = 0;
  } else if (cause == ResetCause::kWatchdog && retained.health_misses < 0xff) {
    ++retained.health_misses;
  }
  const bool app_request = retained.dfu_requested;
  // Judged at watchdog (periodic) resets only: other resets neither count nor trigger.
  const bool health_missing = config_.health_miss_limit != 0 && cause == ResetCause::kWatchdog &&
                              retained.health_misses >= config_.health_miss_limit;
  if (health_missing) retained.health_misses = 0;  // the next period starts a new count
  retained.trigger_path_healthy = false;
  retained.dfu_requested = false;
  StoreRetainedRecord(retained, ram);

  // A swap or restore cut by a reset or power loss is finished before anything else.
  BLEOTA_TRY(Resume());

  BootDecision stay;
  if (platform_.update_button_pressed())
    stay.reason = BootReason::kButton;
  else if (app_request)
    stay.reason = BootReason::kAppRequest;
  else if (health_missing)
    stay.reason = BootReason::kHealthMissing;
  if (stay.reason != BootReason::kNoValidImage) return stay;

  BootReason reason = BootReason::kPrimaryValid;
  Result<image::VerifiedImage> primary = StatusCode::kNotFound;
  bool primary_checked = false;
  if (state_.pending == PendingRequest::kGolden) {
    // A signed golden update: the new golden image must verify, and so must the running image,
    // so that a good image stays available while the golden slot is rewritten.
    Result<image::VerifiedImage> incoming = VerifyPendingImage();
    Status accepted = incoming.status();
    if (accepted.ok() && areas_.golden == nullptr) accepted = StatusCode::kUnsupported;
    if (accepted.ok()) {
      // The golden update leaves primary alone: this result also serves the jump below.
      primary = VerifyPrimary();
      primary_checked = true;
      accepted = primary.status();
    }
    if (accepted.ok()) {
      BLEOTA_TRY(RunGoldenUpdate(*incoming));
      reason = BootReason::kGoldenUpdated;
    } else {
      BLEOTA_TRY(DropPendingRequest(accepted, stay));
    }
  } else if (state_.pending != PendingRequest::kNone) {
    Result<image::VerifiedImage> incoming = VerifyPendingImage();
    const Status accepted = incoming.status();
    if (accepted.ok()) {
      BLEOTA_TRY(RunSwap(state_.pending == PendingRequest::kTest ? SwapReason::kInstallTest
                                                                 : SwapReason::kInstallPermanent,
                         SwapSectorsWith(*incoming)));
      reason = BootReason::kInstalled;
    } else {
      BLEOTA_TRY(DropPendingRequest(accepted, stay));
    }
  } else if (state_.primary_testing && state_.test_boots >= config_.max_test_boots) {
    // Not confirmed after its test boot(s): go back to the image in secondary.
    Result<image::VerifiedImage> previous = VerifySecondary();
    if (previous.ok()) {
      BLEOTA_TRY(RunSwap(SwapReason::kRevert, SwapSectorsWith(*previous)));
      reason = BootReason::kReverted;
    } else if (GoldenVerifies()) {
      BLEOTA_TRY(RunGoldenRestore());
      reason = BootReason::kGoldenRestored;
    }
    // Else nothing better exists: the unconfirmed image keeps running until it confirms.
  }

  if (!primary_checked) primary = VerifyPrimary();
  if (primary.ok()) {
    Result<BootDecision> decision = Jump(reason, *primary);
    if (decision.ok()) {
      decision->refused_pending = stay.refused_pending;
      decision->refused_status = stay.refused_status;
    }
    return decision;
  }

  // Primary does not verify: take a valid image from secondary, else the golden image.
  Result<image::VerifiedImage> secondary = VerifySecondary();
  if (secondary.ok()) {
    BLEOTA_TRY(RunSwap(SwapReason::kInstallPermanent,
                       SectorsFor(secondary->layout.tlv_end, geometry_->sector_size())));
    primary = VerifyPrimary();
    if (primary.ok()) return Jump(BootReason::kRecoveredFromSecondary, *primary);
  }
  if (GoldenVerifies()) {
    BLEOTA_TRY(RunGoldenRestore());
    primary = VerifyPrimary();
    if (primary.ok()) return Jump(BootReason::kGoldenRestored, *primary);
  }
  stay.reason = BootReason::kNoValidImage;
  return stay;
}

}  // namespace bleota::boot
