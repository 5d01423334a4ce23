// The image upload state machine behind SMP image upload (group 1, command 1): takes chunks in
// order, writes them into the secondary slot as they arrive (buffered to the flash write
// alignment, sectors erased just ahead of the data), refuses an image the device would never
// boot as soon as the bytes that show it have arrived, and checks the whole image at the end.
// An upload cut by a disconnect resumes from the offset it reached (the client's first chunk with
// the same len and sha); with an UploadStateStore it also resumes after a device reset from the
// last whole sector written (docs/spec/smp-image.md, "Upload").
#pragma once

#include <cstdint>

#include "bleota/boot/image_control.hpp"
#include "bleota/boot/slot_geometry.hpp"
#include "bleota/boot/upload_state_store.hpp"
#include "bleota/bytes.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/smp/image_acceptance.hpp"
#include "bleota/smp/image_rc.hpp"

namespace bleota::smp {

struct UploadConfig {
  const boot::SlotGeometry* geometry = nullptr;
  boot::ImageControl* control = nullptr;
  const ImageChecks* checks = nullptr;
  // Write staging and read buffer: a multiple of the write alignment that divides the sector
  // size (e.g. 256 bytes).
  ByteSpan work;
  // Erased sectors kept ahead of the sector being written, so erases overlap the transfer.
  uint32_t erase_ahead_sectors = 1;
  boot::UploadStateStore* store = nullptr;  // optional: resume across a device reset
};

// One upload request as decoded from CBOR; absent fields keep their defaults.
struct UploadRequest {
  bool has_off = false;
  uint32_t off = 0;
  ConstByteSpan data;
  bool has_len = false;
  uint32_t len = 0;
  ConstByteSpan sha;  // empty: none given
  uint32_t image = 0;
  bool upgrade = false;
};

struct UploadReply {
  ImageRc rc = ImageRc::kOk;  // not kOk: an error reply, nothing else is sent
  uint32_t off = 0;           // the next offset the device expects
  bool has_match = false;     // last chunk of an upload that gave a sha
  bool match = false;
};

class UploadReceiver {
 public:
  // Checks the config (kInvalidArgument): geometry, control and checks set, work a non-empty
  // multiple of the write alignment dividing the sector size.
  static Status ValidateConfig(const UploadConfig& config);

  explicit UploadReceiver(const UploadConfig& config) : config_(config) {}

  // Resumes the upload the store recorded before a reset, if the boot state still allows it
  // (else the record is cleared). The running SHA-256 is recomputed from the committed bytes.
  Status Restore();

  UploadReply Receive(const UploadRequest& request);

  // Drops the session (and its stored record); the slot is left as it is.
  void Abort();

  bool in_progress() const { return active_; }
  uint32_t offset() const { return accepted_; }
  uint32_t image_size() const { return size_; }

 private:
  UploadReply Start(const UploadRequest& request);
  UploadReply Continue(const UploadRequest& request);
  bool SlotAlreadyHolds(const boot::BootState& state, uint32_t len, ConstByteSpan sha);
  UploadReply Append(ConstByteSpan data);
  UploadReply Finish();
  UploadReply Fail(ImageRc rc);
  ImageRc CheckFirstHeader(const image::ImageHeader& header, uint32_t len) const;
  ImageRc CheckArrivedTlvs();
  ImageRc Flush(bool last);
  ImageRc EnsureErased(uint32_t end);
  ImageRc EraseAhead();
  void Persist();
  void Reset();
  FlashArea& slot() const { return config_.geometry->secondary(); }
  uint32_t sector_size() const { return config_.geometry->sector_size(); }

  UploadConfig config_;
  bool active_ = false;
  uint32_t size_ = 0;        // the upload's len
  uint32_t accepted_ = 0;    // bytes received in order: the next expected offset
  uint32_t programmed_ = 0;  // bytes programmed into the slot (a multiple of the write alignment)
  uint32_t staged_ = 0;      // bytes in config_.work waiting to be programmed
  uint32_t erased_end_ = 0;  // the sectors in [0, erased_end_) were erased by this upload
  uint32_t tlv_start_ = 0;   // hdr_size + img_size of the image being uploaded
  bool tlvs_checked_ = false;
  uint8_t sha_[crypto::kSha256Size] = {};
  uint8_t sha_len_ = 0;
  crypto::Sha256 running_;  // SHA-256 of the accepted bytes
};

}  // namespace bleota::smp
