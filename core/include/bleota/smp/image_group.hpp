// SMP image management group (group 1) on the device, as Zephyr's img_mgmt with MCUboot answers
// it: state read/write (0), upload (1), erase (5) and slot info (6). Slot 0 is the primary (the
// running image), slot 1 the secondary as the boot state describes it (docs/spec/smp-image.md).
#pragma once

#include <cstdint>

#include "bleota/boot/boot_state.hpp"
#include "bleota/boot/image_control.hpp"
#include "bleota/boot/slot_geometry.hpp"
#include "bleota/boot/upload_state_store.hpp"
#include "bleota/smp/image_acceptance.hpp"
#include "bleota/smp/image_rc.hpp"
#include "bleota/smp/slot_image_info.hpp"
#include "bleota/smp/smp_group.hpp"
#include "bleota/smp/upload_receiver.hpp"

namespace bleota::smp {

inline constexpr uint8_t kImageCommandState = 0;
inline constexpr uint8_t kImageCommandUpload = 1;
inline constexpr uint8_t kImageCommandErase = 5;
inline constexpr uint8_t kImageCommandSlotInfo = 6;

struct ImageGroupConfig {
  const boot::SlotGeometry* geometry = nullptr;  // primary, secondary, optional swap area
  FlashArea* boot_state = nullptr;               // the boot state area ImageControl writes
  ImageChecks checks;                            // what the device can check (keys, counter)
  // Staging and read buffer: a multiple of the write alignment that divides the sector size.
  ByteSpan work;
  uint32_t erase_ahead_sectors = 1;
  boot::UploadStateStore* upload_store = nullptr;  // optional: resume uploads across resets
};

// What the next boot does with the secondary slot, in MCUboot's terms (Zephyr's
// img_mgmt_get_next_boot_slot): normal boot of slot 0, a pending test or permanent install of
// slot 1, or a revert to slot 1 (the running image is being tested).
enum class NextBootType : uint8_t { kNormal, kTest, kRevert };
struct NextBoot {
  NextBootType type = NextBootType::kNormal;
  uint32_t slot = 0;
};
// A pending request counts only for the image whose hash starts with pending_hash.
NextBoot NextBootOf(const boot::BootState& state, const SlotImageInfo* secondary);

class ImageGroup final : public SmpGroup {
 public:
  // What the config points to must outlive the group; boot_state must not be null. The config
  // is checked here (geometry, work buffer: init_status() kInvalidArgument, and every request is
  // then answered kUnknown); with an upload store, the upload it recorded is restored
  // (init_status() tells whether that worked; uploads then start afresh).
  explicit ImageGroup(const ImageGroupConfig& config);
  ImageGroup(const ImageGroup&) = delete;
  ImageGroup& operator=(const ImageGroup&) = delete;

  Status init_status() const { return init_status_; }

  uint16_t group_id() const override { return kImageGroupId; }
  SmpOutcome Handle(const SmpRequest& request, CborWriter& response) override;
  SmpRc V1Rc(uint16_t group_rc) const override { return ImageRcToV1(group_rc); }

  const UploadReceiver& uploader() const { return uploader_; }

 private:
  struct Slots {
    SlotImageInfo info[2];
    bool present[2] = {false, false};
  };

  SmpOutcome StateRead(CborWriter& response);
  SmpOutcome StateWrite(ConstByteSpan payload, CborWriter& response);
  SmpOutcome Upload(ConstByteSpan payload, CborWriter& response);
  SmpOutcome Erase(ConstByteSpan payload, CborWriter& response);
  SmpOutcome SlotInfo(CborWriter& response);
  void ReadSlots(const boot::BootState& state, Slots& slots);
  ImageRc CheckSecondary(const boot::BootState& state);
  ImageRc EraseSecondary();

  ImageGroupConfig config_;
  boot::ImageControl control_;
  UploadConfig upload_config_;
  UploadReceiver uploader_;
  Status init_status_;
  bool config_ok_ = false;
};

}  // namespace bleota::smp
