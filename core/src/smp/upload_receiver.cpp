#include "bleota/smp/upload_receiver.hpp"

#include <algorithm>
#include <cstring>

#include "bleota/image/tlv.hpp"
#include "bleota/smp/slot_image_info.hpp"

namespace bleota::smp {
namespace {

// The uploaded bytes [0, programmed + staged): the programmed part read from the slot, the rest
// from the staging buffer. The early TLV checks read the image through it.
class UploadedBytes final : public Readable {
 public:
  UploadedBytes(FlashArea& slot, uint32_t programmed, ConstByteSpan staged)
      : slot_(slot), programmed_(programmed), staged_(staged) {}

  Status Read(uint32_t offset, ByteSpan out) override {
    const uint32_t length = static_cast<uint32_t>(out.size());
    if (!RangeWithin(offset, length, size())) return StatusCode::kOutOfRange;
    uint32_t done = 0;
    if (offset < programmed_) {
      done = std::min(length, programmed_ - offset);
      BLEOTA_TRY(slot_.Read(offset, out.first(done)));
    }
    if (done < length) {
      std::memcpy(out.data() + done, staged_.data() + (offset + done - programmed_), length - done);
    }
    return Status::Ok();
  }
  uint32_t size() const override { return programmed_ + static_cast<uint32_t>(staged_.size()); }

 private:
  FlashArea& slot_;
  uint32_t programmed_;
  ConstByteSpan staged_;
};

uint32_t AlignDown(uint32_t value, uint32_t align) { return value - value % align; }

// The boot state leaves the secondary slot to a new upload: no swap or restore under way, no
// install or golden request pending, and no unconfirmed image whose revert needs the secondary
// (Zephyr's img_mgmt_slot_in_use).
bool SecondaryInUse(const boot::BootState& state) {
  return state.op != boot::BootOp::kNone || state.pending != boot::PendingRequest::kNone ||
         state.primary_testing;
}

}  // namespace

Status UploadReceiver::ValidateConfig(const UploadConfig& config) {
  if (config.geometry == nullptr || config.control == nullptr || config.checks == nullptr) {
    return StatusCode::kInvalidArgument;
  }
  const uint32_t align = config.geometry->secondary().write_align();
  const uint32_t work = static_cast<uint32_t>(config.work.size());
  if (work == 0 || align == 0 || work % align != 0 || config.geometry->sector_size() % work != 0) {
    return StatusCode::kInvalidArgument;
  }
  return Status::Ok();
}

void UploadReceiver::Reset() {
  active_ = false;
  size_ = accepted_ = programmed_ = staged_ = erased_end_ = tlv_start_ = 0;
  tlvs_checked_ = false;
  sha_len_ = 0;
  crypto::SecureZero(sha_);
}

void UploadReceiver::Abort() {
  Reset();
  if (config_.store != nullptr) config_.store->Clear().IgnoreError();
}

UploadReply UploadReceiver::Fail(ImageRc rc) {
  // What was programmed is the start of an image that must never be installed: without its
  // first sector the slot holds no header, so the image cannot be listed or requested.
  if (active_ && programmed_ > 0) slot().Erase(0, sector_size()).IgnoreError();
  Abort();
  UploadReply reply;
  reply.rc = rc;
  return reply;
}

UploadReply UploadReceiver::Receive(const UploadRequest& request) {
  if (!request.has_off) return Fail(ImageRc::kInvalidOffset);
  return request.off == 0 ? Start(request) : Continue(request);
}

ImageRc UploadReceiver::CheckFirstHeader(const image::ImageHeader& header, uint32_t len) const {
  if (len > config_.geometry->max_image_size()) return ImageRc::kInvalidImageTooLarge;
  // The header, payload, protected TLVs and the unprotected TLV info must fit in len.
  const uint64_t tlv_info_end = static_cast<uint64_t>(header.hdr_size) + header.img_size +
                                header.protect_tlv_size + image::kTlvInfoSize;
  if (header.hdr_size < image::kImageHeaderSize || tlv_info_end > len) {
    return ImageRc::kInvalidImageHeader;
  }
  return CheckHeaderFlags(header, *config_.checks);
}

UploadReply UploadReceiver::Start(const UploadRequest& request) {
  // Zephyr's order: header present, len present, magic, sha length, resume, slot free, size.
  if (request.data.size() < image::kImageHeaderSize) return Fail(ImageRc::kInvalidImageHeader);
  if (!request.has_len) return Fail(ImageRc::kInvalidLength);
  const image::ImageHeader header =
      image::DecodeImageHeader(std::span<const uint8_t, image::kImageHeaderSize>(
          request.data.data(), image::kImageHeaderSize));
  if (header.magic != image::kImageMagic) return Fail(ImageRc::kInvalidImageHeaderMagic);
  if (request.sha.size() > sizeof(sha_)) return Fail(ImageRc::kInvalidHash);

  // The same upload again (the client reconnected): continue where it stopped.
  if (active_ && !request.sha.empty() && request.sha.size() == sha_len_ &&
      std::memcmp(request.sha.data(), sha_, sha_len_) == 0 && request.len == size_) {
    UploadReply reply;
    reply.off = accepted_;
    return reply;
  }

  if (request.image != 0) return Fail(ImageRc::kInvalidSlot);
  Result<boot::BootState> state = config_.control->Read();
  if (!state.ok()) return Fail(ImageRc::kFlashReadFailed);
  if (SecondaryInUse(*state)) return Fail(ImageRc::kNoFreeSlot);
  ImageRc rc = CheckFirstHeader(header, request.len);
  if (rc != ImageRc::kOk) return Fail(rc);
  if (request.data.size() > request.len) return Fail(ImageRc::kInvalidImageDataOverrun);
  if (request.upgrade) {
    SlotImageInfo running;
    if (ReadSlotImageInfo(config_.geometry->primary(), running) != ImageRc::kOk) {
      return Fail(ImageRc::kVersionGetFailed);
    }
    if (image::CompareImageVersions(header.version, running.version,
                                    image::VersionOrder::kIgnoreBuild) <= 0) {
      return Fail(ImageRc::kCurrentVersionIsNewer);
    }
  }

  Abort();  // a new upload replaces any other session
  if (request.sha.size() == sizeof(sha_) && SlotAlreadyHolds(*state, request.len, request.sha)) {
    // The whole upload is in the slot already (e.g. the reply to its last chunk was lost), as
    // Zephyr's CONFIG_IMG_ENABLE_IMAGE_CHECK finds: nothing to write.
    UploadReply reply;
    reply.off = request.len;
    reply.has_match = true;
    reply.match = true;
    return reply;
  }
  if (!config_.control->BeginUpload().ok()) return Fail(ImageRc::kFlashWriteFailed);
  if (!running_.Start().ok()) return Fail(ImageRc::kUnknown);
  active_ = true;
  size_ = request.len;
  tlv_start_ = header.hdr_size + header.img_size;
  sha_len_ = static_cast<uint8_t>(request.sha.size());
  if (sha_len_ > 0) std::memcpy(sha_, request.sha.data(), sha_len_);
  return Append(request.data);
}

bool UploadReceiver::SlotAlreadyHolds(const boot::BootState& state, uint32_t len,
                                      ConstByteSpan sha) {
  // Only an upload leaves the image at the start of the slot as it was sent.
  if (state.secondary_shifted || state.secondary_plaintext) return false;
  crypto::Sha256 hasher;
  if (!hasher.Start().ok()) return false;
  for (uint32_t at = 0; at < len;) {
    const uint32_t n = std::min(static_cast<uint32_t>(config_.work.size()), len - at);
    if (!slot().Read(at, config_.work.first(n)).ok() ||
        !hasher.Update(config_.work.first(n)).ok()) {
      return false;
    }
    at += n;
  }
  uint8_t digest[crypto::kSha256Size];
  if (!hasher.Finish(digest).ok() || std::memcmp(digest, sha.data(), sizeof(digest)) != 0) {
    return false;
  }
  // It also has to be an image the device accepts (a refused upload never stays whole, but
  // the slot may have been written by other means).
  CheckedImage checked;
  return CheckImage(slot(), image::PayloadForm::kAsStored, *config_.checks, config_.work,
                    checked) == ImageRc::kOk;
}

UploadReply UploadReceiver::Continue(const UploadRequest& request) {
  UploadReply reply;
  // Not the next chunk (duplicate, reordered, or no upload open): tell the client where to go on.
  if (!active_ || request.off != accepted_) {
    reply.off = accepted_;
    return reply;
  }
  if (request.data.size() > size_ - accepted_) return Fail(ImageRc::kInvalidImageDataOverrun);
  return Append(request.data);
}

UploadReply UploadReceiver::Append(ConstByteSpan data) {
  if (!running_.Update(data).ok()) return Fail(ImageRc::kUnknown);
  const uint32_t capacity = static_cast<uint32_t>(config_.work.size());
  while (!data.empty()) {
    const uint32_t take = std::min(capacity - staged_, static_cast<uint32_t>(data.size()));
    std::memcpy(config_.work.data() + staged_, data.data(), take);
    staged_ += take;
    accepted_ += take;
    data = data.subspan(take);
    if (staged_ == capacity) {
      const ImageRc rc = Flush(false);
      if (rc != ImageRc::kOk) return Fail(rc);
    }
  }
  if (!tlvs_checked_) {
    const ImageRc rc = CheckArrivedTlvs();
    if (rc != ImageRc::kOk) return Fail(rc);
  }
  if (accepted_ == size_) return Finish();
  const ImageRc rc = EraseAhead();
  if (rc != ImageRc::kOk) return Fail(rc);
  UploadReply reply;
  reply.off = accepted_;
  return reply;
}

ImageRc UploadReceiver::CheckArrivedTlvs() {
  if (accepted_ < tlv_start_ + image::kTlvInfoSize) return ImageRc::kOk;
  UploadedBytes uploaded(slot(), programmed_, config_.work.first(staged_));
  Result<image::ImageLayout> layout = image::ParseImageHeader(uploaded);
  if (!layout.ok()) {
    // Bounds: the TLV areas have not all arrived yet (at the end: they do not fit in len).
    if (layout.status().code() == StatusCode::kImageBounds && accepted_ < size_) {
      return ImageRc::kOk;
    }
    return ImageRcForCheck(layout.status().code());
  }
  Result<image::ProtectedTlvs> tlvs = image::ReadProtectedTlvs(uploaded, *layout);
  if (!tlvs.ok()) return ImageRcForCheck(tlvs.status().code());
  ImageRc rc = CheckSecurityCounter(*tlvs, *config_.checks);
  if (rc != ImageRc::kOk) return rc;
  rc = CheckKeyReference(uploaded, *layout, *config_.checks);
  if (rc != ImageRc::kOk) return rc;
  tlvs_checked_ = true;
  return ImageRc::kOk;
}

ImageRc UploadReceiver::EnsureErased(uint32_t end) {
  while (erased_end_ < end) {
    if (!slot().Erase(erased_end_, sector_size()).ok()) return ImageRc::kFlashEraseFailed;
    erased_end_ += sector_size();
  }
  return ImageRc::kOk;
}

ImageRc UploadReceiver::EraseAhead() {
  // At most one erase per request, and never a sector past the one holding the last byte.
  const uint32_t limit = AlignUp(size_, sector_size());
  const uint64_t wanted = static_cast<uint64_t>(AlignDown(accepted_, sector_size())) +
                          static_cast<uint64_t>(config_.erase_ahead_sectors + 1) * sector_size();
  const uint32_t target = static_cast<uint32_t>(std::min<uint64_t>(wanted, limit));
  if (erased_end_ >= target) return ImageRc::kOk;
  return EnsureErased(erased_end_ + sector_size());
}

ImageRc UploadReceiver::Flush(bool last) {
  uint32_t length = staged_;
  if (last) {
    // The image's end, padded to the write alignment with the erased value.
    const uint32_t padded = AlignUp(length, slot().write_align());
    std::memset(config_.work.data() + length, slot().erase_value(), padded - length);
    length = padded;
  }
  if (length == 0) return ImageRc::kOk;
  ImageRc rc = EnsureErased(programmed_ + length);
  if (rc != ImageRc::kOk) return rc;
  if (!slot().Program(programmed_, config_.work.first(length)).ok()) {
    return ImageRc::kFlashWriteFailed;
  }
  programmed_ += length;
  staged_ = 0;
  if (!last && programmed_ % sector_size() == 0) Persist();
  return ImageRc::kOk;
}

void UploadReceiver::Persist() {
  // Only an upload named by a full SHA-256 can be recognised again after a reset.
  if (config_.store == nullptr || sha_len_ != sizeof(sha_)) return;
  boot::UploadRecord record;
  record.image = 0;
  record.image_size = size_;
  record.committed = programmed_;
  std::memcpy(record.sha, sha_, sizeof(sha_));
  // A failed save only loses the ability to resume after a reset; the upload goes on.
  config_.store->Save(record).IgnoreError();
}

UploadReply UploadReceiver::Finish() {
  ImageRc rc = Flush(true);
  if (rc != ImageRc::kOk) return Fail(rc);
  UploadReply reply;
  reply.off = size_;
  if (sha_len_ > 0) {
    uint8_t digest[crypto::kSha256Size];
    if (!running_.Finish(digest).ok()) return Fail(ImageRc::kUnknown);
    reply.has_match = true;
    reply.match = std::memcmp(digest, sha_, sha_len_) == 0;
  }
  CheckedImage checked;
  rc = CheckImage(slot(), image::PayloadForm::kAsStored, *config_.checks, config_.work, checked);
  if (rc != ImageRc::kOk) return Fail(rc);
  Abort();  // done: the next upload starts afresh (as Zephyr resets its state)
  return reply;
}

Status UploadReceiver::Restore() {
  if (config_.store == nullptr) return Status::Ok();
  BLEOTA_ASSIGN_OR_RETURN(boot::UploadRecord record, config_.store->Load());
  if (record.image_size == 0) return Status::Ok();
  Reset();
  BLEOTA_ASSIGN_OR_RETURN(boot::BootState state, config_.control->Read());
  // The slot still holds what this upload wrote only if nothing changed it since BeginUpload.
  const bool stale = SecondaryInUse(state) || state.secondary_shifted ||
                     state.secondary_plaintext || record.image != 0 || record.committed == 0 ||
                     record.committed % sector_size() != 0 || record.committed >= record.image_size;
  uint8_t raw[image::kImageHeaderSize];
  if (stale || !slot().Read(0, raw).ok()) return config_.store->Clear();
  const image::ImageHeader header = image::DecodeImageHeader(raw);
  if (header.magic != image::kImageMagic ||
      CheckFirstHeader(header, record.image_size) != ImageRc::kOk) {
    return config_.store->Clear();
  }
  BLEOTA_TRY(running_.Start());
  for (uint32_t at = 0; at < record.committed;) {
    const uint32_t n = std::min(static_cast<uint32_t>(config_.work.size()), record.committed - at);
    BLEOTA_TRY(slot().Read(at, config_.work.first(n)));
    BLEOTA_TRY(running_.Update(config_.work.first(n)));
    at += n;
  }
  active_ = true;
  size_ = record.image_size;
  accepted_ = programmed_ = record.committed;
  // Sectors past the committed ones may hold bytes written after the last record: erase again.
  erased_end_ = record.committed;
  tlv_start_ = header.hdr_size + header.img_size;
  sha_len_ = sizeof(sha_);
  std::memcpy(sha_, record.sha, sizeof(sha_));
  return Status::Ok();
}

}  // namespace bleota::smp
