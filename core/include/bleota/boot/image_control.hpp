// What the application (and the DFU server inside it or in the bootloader's OTA mode) may change
// in the boot state: confirm the running image, announce that the secondary slot is being
// rewritten, and request the install of the image it now holds. Plus the retained-RAM signals:
// "trigger path healthy" and "enter OTA bootloader mode at next reset".
#pragma once

#include <cstdint>

#include "bleota/boot/boot_state.hpp"
#include "bleota/boot/boot_state_store.hpp"
#include "bleota/boot/retained_record.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/flash_map.hpp"

namespace bleota::boot {

class ImageControl {
 public:
  explicit ImageControl(FlashArea& boot_state) : store_(boot_state) {}

  Result<BootState> Read() { return store_.Load(); }

  // Marks the running image good: it stays after the next reset and may raise the anti-rollback
  // counter. No-op when it is already confirmed.
  Status ConfirmRunningImage();

  // Call before the first write into the secondary slot: drops any pending request and records
  // that the slot will hold a freshly uploaded image at its start, as uploaded (encrypted).
  Status BeginUpload();

  // Asks the bootloader to install the image now in the secondary slot at the next reset, in
  // test mode or permanently. `image_hash` is the image's SHA256 TLV; the bootloader installs
  // only an image with that hash that verifies.
  Status RequestInstall(crypto::ConstDigest image_hash, bool permanent);

  // Asks the bootloader to make the image now in the secondary slot the new golden image at the
  // next reset. Done only when the image verifies and the running image verifies too.
  Status RequestGoldenUpdate(crypto::ConstDigest image_hash);

 private:
  BootStateStore store_;
};

// Retained-RAM signals for the bootloader, read and cleared at the next boot.
void SetTriggerPathHealthy(ByteSpan retained_ram);
void RequestOtaMode(ByteSpan retained_ram);

}  // namespace bleota::boot
