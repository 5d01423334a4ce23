// The boot decision: finish any interrupted swap or restore, install a pending image, revert an
// unconfirmed one, fall back to the golden image, and choose between jumping to the verified
// application and staying in OTA bootloader mode. The exact rules are in
// docs/spec/boot-state.md ("Boot procedure").
#pragma once

#include <cstdint>
#include <span>

#include "bleota/boot/boot_progress.hpp"
#include "bleota/boot/boot_state.hpp"
#include "bleota/boot/boot_state_store.hpp"
#include "bleota/boot/platform.hpp"
#include "bleota/boot/retained_record.hpp"
#include "bleota/boot/security_counter.hpp"
#include "bleota/boot/slot_geometry.hpp"
#include "bleota/flash_map.hpp"
#include "bleota/image/image_verifier.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

struct BootAreas {
  FlashArea* bootloader = nullptr;  // protected from the app before the jump
  FlashArea* boot_state = nullptr;
  FlashArea* primary = nullptr;
  FlashArea* secondary = nullptr;
  FlashArea* swap = nullptr;    // optional: without it images may fill all but one sector
  FlashArea* golden = nullptr;  // optional
  // Optional: the app's upload resume journal (UploadStateStore). The bootloader leaves it alone
  // and never protects it from the app.
  FlashArea* upload_state = nullptr;
};

// How much of primary is checked before each jump (docs/spec/boot-state.md, "Verify policy").
enum class VerifyPolicy : uint8_t {
  kEveryBoot,             // hash + key + signature at every boot (default)
  kSignatureAfterChange,  // the signature once after primary changes; the hash at every boot
};

struct BootConfig {
  // Keys from key OTP (production): read into RAM at every boot, wiped before Boot() returns;
  // key OTP is locked before the jump. Otherwise `keys` and `decryption` below are used.
  bool keys_in_otp = false;
  uint32_t key_otp_offset = 0;
  std::span<const image::TrustedKey> keys;
  image::DecryptionKeys decryption;
  // OTP entries of the anti-rollback counter.
  uint32_t counter_otp_offset = 0;
  uint32_t counter_otp_entries = 0;  // 0: no anti-rollback counter
  // Boots an unconfirmed image gets before it is reverted (a crash loop counts each reset).
  uint8_t max_test_boots = 1;
  // Watchdog resets in a row without the "trigger path healthy" flag before the bootloader stays
  // in OTA mode; 0 disables the check.
  uint8_t health_miss_limit = 1;
  uint32_t watchdog_period_ms = 0;  // 0: the bootloader does not start the watchdog
  bool allow_unsigned = false;      // development only
  VerifyPolicy verify_policy = VerifyPolicy::kEveryBoot;
  BootProgress* progress = nullptr;  // optional: told after every step of a long operation
};

enum class BootAction : uint8_t { kJumpToApplication, kStayInBootloader };

enum class BootReason : uint8_t {
  kPrimaryValid,  // normal boot
  kInstalled,     // a pending image was installed
  kReverted,      // an unconfirmed image was reverted
  kRecoveredFromSecondary,
  kGoldenRestored,
  kGoldenUpdated,  // a signed golden update was written; the app runs on
  kButton,         // OTA mode: the update button was held
  kAppRequest,     // OTA mode: the app asked through retained RAM
  kHealthMissing,  // OTA mode: the app did not show a healthy trigger path
  kNoValidImage,   // OTA mode: nothing verifies
  kNoKeys,         // OTA mode: key OTP holds no valid key record
};

const char* BootReasonName(BootReason reason);

struct BootDecision {
  BootAction action = BootAction::kStayInBootloader;
  BootReason reason = BootReason::kNoValidImage;
  uint32_t app_offset = 0;  // device flash offset of the application's first byte
  image::ImageVersion version;
  bool testing = false;          // the app runs in test mode and must confirm
  bool refused_pending = false;  // a pending image did not verify and was dropped
  StatusCode refused_status = StatusCode::kOk;
};

class Bootloader {
 public:
  // `work` is the copy/verify buffer (e.g. 256 bytes to a few KiB): a multiple of the write
  // alignment that divides the sector size.
  Bootloader(const BootAreas& areas, Platform& platform, const BootConfig& config, ByteSpan work);

  // Runs one boot. Fails only when flash or OTP fail (a power cut in the simulator).
  Result<BootDecision> Boot();

  // For tests and reports.
  const BootState& state() const { return state_; }

 private:
  Result<BootDecision> Decide();
  Status Resume();
  Status FinishSwap();
  Status RunSwap(SwapReason reason, uint32_t sectors);
  Status RunGoldenRestore();
  Status RunGoldenUpdate(const image::VerifiedImage& incoming);
  Result<image::VerifiedImage> Verify(Readable& slot, image::PayloadForm form);
  Result<image::VerifiedImage> VerifyPrimary();
  Result<image::VerifiedImage> CheckPrimaryHash();
  Result<image::VerifiedImage> VerifySecondary();
  Result<image::VerifiedImage> VerifyPendingImage();
  Status CheckCounter(const image::VerifiedImage& image);
  uint32_t SwapSectorsWith(const image::VerifiedImage& incoming);
  bool GoldenVerifies();
  Status DropPendingRequest(Status refusal, BootDecision& decision);
  Result<BootDecision> Jump(BootReason reason, const image::VerifiedImage& image);
  Status Save() { return store_.Save(state_); }
  void ReportStep(uint32_t total) {
    if (config_.progress != nullptr) {
      config_.progress->OnStep(state_.op, state_.swap_reason, state_.step, total);
    }
  }

  BootAreas areas_;
  Platform& platform_;
  BootConfig config_;
  ByteSpan work_;
  BootStateStore store_;
  SecurityCounter counter_;
  BootState state_;
  Result<SlotGeometry> geometry_;
};

}  // namespace bleota::boot
