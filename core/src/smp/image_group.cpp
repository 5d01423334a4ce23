#include "bleota/smp/image_group.hpp"

#include <cstring>
#include <string_view>

#include "bleota/boot/swap_engine.hpp"
#include "bleota/smp/cbor_reader.hpp"

namespace bleota::smp {
namespace {

// Fields of one request map. Keys must be text and appear once; unknown keys are skipped (as
// Zephyr's zcbor_map_decode_bulk does). Any other malformation: kInvalid.
struct StateWriteFields {
  bool has_hash = false;
  ConstByteSpan hash;
  bool confirm = false;
};

struct EraseFields {
  uint32_t slot = 1;
};

// Walks the request map, calling `on_key(key, reader)` for every key; the callback reads the
// value or returns false to have it skipped. Returns false on any decoding error.
template <typename OnKey>
bool ForEachKey(ConstByteSpan payload, OnKey&& on_key) {
  CborReader reader(payload);
  Result<CborContainer> map = reader.EnterMap();
  if (!map.ok()) return false;
  uint32_t seen = 0;  // bit per known key, to refuse duplicates
  for (;;) {
    Result<bool> more = reader.HasNext(*map);
    if (!more.ok()) return false;
    if (!*more) break;
    Result<std::string_view> key = reader.ReadText();
    if (!key.ok()) return false;
    const int handled = on_key(*key, reader);  // -1 error, 0 unknown key, else 1 + key index
    if (handled < 0) return false;
    if (handled == 0) {
      if (!reader.Skip().ok()) return false;
      continue;
    }
    const uint32_t bit = 1u << (handled - 1);
    if ((seen & bit) != 0) return false;
    seen |= bit;
  }
  return reader.ExpectEnd().ok();
}

template <typename T>
int Take(Result<T> value, T& out, int index) {
  if (!value.ok()) return -1;
  out = *value;
  return index;
}

bool DecodeUpload(ConstByteSpan payload, UploadRequest& request) {
  return ForEachKey(payload, [&](std::string_view key, CborReader& reader) -> int {
    if (key == "off") {
      request.has_off = true;
      return Take(reader.ReadUint32(), request.off, 1);
    }
    if (key == "data") return Take(reader.ReadBytes(), request.data, 2);
    if (key == "len") {
      request.has_len = true;
      return Take(reader.ReadUint32(), request.len, 3);
    }
    if (key == "sha") return Take(reader.ReadBytes(), request.sha, 4);
    if (key == "image") return Take(reader.ReadUint32(), request.image, 5);
    if (key == "upgrade") return Take(reader.ReadBool(), request.upgrade, 6);
    return 0;
  });
}

bool DecodeStateWrite(ConstByteSpan payload, StateWriteFields& fields) {
  return ForEachKey(payload, [&](std::string_view key, CborReader& reader) -> int {
    if (key == "hash") {
      fields.has_hash = true;
      return Take(reader.ReadBytes(), fields.hash, 1);
    }
    if (key == "confirm") return Take(reader.ReadBool(), fields.confirm, 2);
    return 0;
  });
}

bool DecodeErase(ConstByteSpan payload, EraseFields& fields) {
  return ForEachKey(payload, [&](std::string_view key, CborReader& reader) -> int {
    if (key == "slot") return Take(reader.ReadUint32(), fields.slot, 1);
    return 0;
  });
}

SmpOutcome Finished(const CborWriter& response) {
  return response.status().ok() ? SmpOutcome::Ok() : SmpOutcome::Generic(SmpRc::kNoMemory);
}

void WriteFlag(CborWriter& out, std::string_view key, bool value) {
  out.WriteText(key);
  out.WriteBool(value);
}

}  // namespace

NextBoot NextBootOf(const boot::BootState& state, const SlotImageInfo* secondary) {
  const bool pending_here = secondary != nullptr && std::memcmp(secondary->hash, state.pending_hash,
                                                                boot::kPendingHashBytes) == 0;
  if (pending_here && state.pending == boot::PendingRequest::kTest) {
    return {NextBootType::kTest, 1};
  }
  if (pending_here && state.pending == boot::PendingRequest::kPermanent) {
    return {NextBootType::kNormal, 1};
  }
  if (state.primary_testing && secondary != nullptr) return {NextBootType::kRevert, 1};
  return {NextBootType::kNormal, 0};
}

ImageGroup::ImageGroup(const ImageGroupConfig& config)
    : config_(config),
      control_(*config.boot_state),
      upload_config_{config_.geometry,
                     &control_,
                     &config_.checks,
                     config_.work,
                     config_.erase_ahead_sectors,
                     config_.upload_store},
      uploader_(upload_config_) {
  init_status_ = UploadReceiver::ValidateConfig(upload_config_);
  config_ok_ = init_status_.ok();
  if (config_ok_) init_status_ = uploader_.Restore();
}

SmpOutcome ImageGroup::Handle(const SmpRequest& request, CborWriter& response) {
  // A group built from an invalid config serves nothing (a failed restore is not fatal).
  if (!config_ok_) return SmpOutcome::Generic(SmpRc::kUnknown);
  const bool write = request.header.op == SmpOp::kWrite;
  switch (request.header.command) {
    case kImageCommandState:
      return write ? StateWrite(request.payload, response) : StateRead(response);
    case kImageCommandUpload:
      if (write) return Upload(request.payload, response);
      break;
    case kImageCommandErase:
      if (write) return Erase(request.payload, response);
      break;
    case kImageCommandSlotInfo:
      if (!write) return SlotInfo(response);
      break;
    default:
      break;
  }
  return SmpOutcome::Generic(SmpRc::kNotSupported);
}

void ImageGroup::ReadSlots(const boot::BootState& state, Slots& slots) {
  slots.present[0] = ReadSlotImageInfo(config_.geometry->primary(), slots.info[0]) == ImageRc::kOk;
  // While an upload is open the secondary is half written (its end may still hold the bytes
  // of an older image): it holds no image yet.
  if (uploader_.in_progress()) return;
  // The secondary image starts at logical sector 0 after an upload, 1 after a swap.
  boot::IncomingImageView secondary(*config_.geometry, config_.geometry->max_image_sectors(),
                                    state.secondary_shifted, 0);
  slots.present[1] = ReadSlotImageInfo(secondary, slots.info[1]) == ImageRc::kOk;
}

SmpOutcome ImageGroup::StateRead(CborWriter& response) {
  Result<boot::BootState> state = control_.Read();
  if (!state.ok()) return ImageError(ImageRc::kFlashReadFailed);
  Slots slots;
  ReadSlots(*state, slots);
  const NextBoot next = NextBootOf(*state, slots.present[1] ? &slots.info[1] : nullptr);

  response.BeginMap(2);
  response.WriteText("images");
  response.BeginArray((slots.present[0] ? 1 : 0) + (slots.present[1] ? 1 : 0));
  for (uint32_t slot = 0; slot < 2; ++slot) {
    if (!slots.present[slot]) continue;
    const SlotImageInfo& info = slots.info[slot];
    // Zephyr's img_mgmt_state_read: the running slot is active, and confirmed unless a revert
    // is due; the other slot is pending (+ permanent) when an install is requested, confirmed
    // when it is the revert target.
    bool pending = false, confirmed = false, active = false, permanent = false;
    if (slot == 0) {
      active = true;
      confirmed = next.type != NextBootType::kRevert;
    } else if (next.slot == 1) {
      pending = next.type != NextBootType::kRevert;
      permanent = next.type == NextBootType::kNormal;
      confirmed = next.type == NextBootType::kRevert;
    }
    char text[kImageVersionTextMax];
    response.BeginMap(9);
    response.WriteText("image");
    response.WriteUint(0);
    response.WriteText("slot");
    response.WriteUint(slot);
    response.WriteText("version");
    response.WriteText(FormatImageVersion(info.version, text));
    response.WriteText("hash");
    response.WriteBytes(info.hash);
    WriteFlag(response, "bootable", (info.flags & image::kFlagNonBootable) == 0);
    WriteFlag(response, "pending", pending);
    WriteFlag(response, "confirmed", confirmed);
    WriteFlag(response, "active", active);
    WriteFlag(response, "permanent", permanent);
  }
  response.WriteText("splitStatus");
  response.WriteUint(0);
  return Finished(response);
}

ImageRc ImageGroup::CheckSecondary(const boot::BootState& state) {
  boot::IncomingImageView secondary(*config_.geometry, config_.geometry->max_image_sectors(),
                                    state.secondary_shifted, 0);
  CheckedImage checked;
  return CheckImage(
      secondary,
      state.secondary_plaintext ? image::PayloadForm::kDecrypted : image::PayloadForm::kAsStored,
      config_.checks, config_.work, checked);
}

SmpOutcome ImageGroup::StateWrite(ConstByteSpan payload, CborWriter& response) {
  StateWriteFields fields;
  if (!DecodeStateWrite(payload, fields)) return SmpOutcome::Generic(SmpRc::kInvalid);
  Result<boot::BootState> state = control_.Read();
  if (!state.ok()) return ImageError(ImageRc::kFlashReadFailed);
  Slots slots;
  ReadSlots(*state, slots);
  uint32_t slot = 0;
  if (fields.hash.empty()) {
    // A test needs a hash; a confirm without one means the running image.
    if (!fields.confirm) return ImageError(ImageRc::kInvalidHash);
  } else if (fields.hash.size() != crypto::kSha256Size) {
    return ImageError(ImageRc::kInvalidHash);
  } else if (slots.present[0] &&
             std::memcmp(slots.info[0].hash, fields.hash.data(), crypto::kSha256Size) == 0) {
    slot = 0;
  } else if (slots.present[1] &&
             std::memcmp(slots.info[1].hash, fields.hash.data(), crypto::kSha256Size) == 0) {
    slot = 1;
  } else {
    return ImageError(ImageRc::kHashNotFound);
  }

  const NextBoot next = NextBootOf(*state, slots.present[1] ? &slots.info[1] : nullptr);
  const bool confirm = fields.confirm;
  // Zephyr's img_mgmt_set_next_boot_slot rules.
  if (!confirm && slot == 0) return ImageError(ImageRc::kImageSettingTestToActiveDenied);
  bool change = true;
  switch (next.type) {
    case NextBootType::kTest:
      if (!confirm && slot == next.slot) {
        change = false;
      } else {
        return ImageError(ImageRc::kImageAlreadyPending);
      }
      break;
    case NextBootType::kNormal:
      if (confirm && slot == next.slot) {
        change = false;
      } else if ((slot == 0 && next.slot != 0) || (!confirm && slot == 1 && next.slot == 1)) {
        return ImageError(ImageRc::kImageAlreadyPending);
      }
      break;
    case NextBootType::kRevert:
      if (confirm && slot == next.slot) {
        change = false;
      } else if (!confirm) {
        return ImageError(ImageRc::kImageAlreadyPending);
      }
      break;
  }
  if (change && slot == 0) {
    if (!control_.ConfirmRunningImage().ok()) return ImageError(ImageRc::kFlashWriteFailed);
  } else if (change) {
    // Only an image that passes every check the device can run may become pending.
    const ImageRc rc = CheckSecondary(*state);
    if (rc != ImageRc::kOk) return ImageError(rc);
    if (!control_.RequestInstall(crypto::ConstDigest(slots.info[1].hash), confirm).ok()) {
      return ImageError(ImageRc::kFlashWriteFailed);
    }
  }
  return StateRead(response);
}

SmpOutcome ImageGroup::Upload(ConstByteSpan payload, CborWriter& response) {
  UploadRequest request;
  if (!DecodeUpload(payload, request)) return SmpOutcome::Generic(SmpRc::kInvalid);
  const UploadReply reply = uploader_.Receive(request);
  if (reply.rc != ImageRc::kOk) return ImageError(reply.rc);
  response.BeginMap(reply.has_match ? 2 : 1);
  response.WriteText("off");
  response.WriteUint(reply.off);
  if (reply.has_match) WriteFlag(response, "match", reply.match);
  return Finished(response);
}

ImageRc ImageGroup::EraseSecondary() {
  FlashArea& area = config_.geometry->secondary();
  const uint32_t sector = config_.geometry->sector_size();
  const uint32_t chunk = static_cast<uint32_t>(config_.work.size());
  for (uint32_t at = 0; at < area.size(); at += sector) {
    // Sectors that are already erased are left alone (no wear, as Zephyr's check_empty).
    bool erased = true;
    for (uint32_t offset = at; erased && offset < at + sector; offset += chunk) {
      if (!area.Read(offset, config_.work.first(chunk)).ok()) return ImageRc::kFlashReadFailed;
      for (uint8_t byte : config_.work.first(chunk)) erased = erased && byte == area.erase_value();
    }
    if (!erased && !area.Erase(at, sector).ok()) return ImageRc::kFlashEraseFailed;
  }
  return ImageRc::kOk;
}

SmpOutcome ImageGroup::Erase(ConstByteSpan payload, CborWriter& response) {
  EraseFields fields;
  if (!DecodeErase(payload, fields)) return SmpOutcome::Generic(SmpRc::kInvalid);
  if (fields.slot > 1) return ImageError(ImageRc::kInvalidSlot);
  // The running slot is always in use (and read-only to the application).
  if (fields.slot == 0) return ImageError(ImageRc::kNoFreeSlot);
  Result<boot::BootState> state = control_.Read();
  if (!state.ok()) return ImageError(ImageRc::kFlashReadFailed);
  Slots slots;
  ReadSlots(*state, slots);
  if (state->op != boot::BootOp::kNone) return ImageError(ImageRc::kNoFreeSlot);
  if (slots.present[1]) {
    // Zephyr refuses to erase an image that is pending or is the revert target.
    const NextBoot next = NextBootOf(*state, &slots.info[1]);
    const bool golden_pending =
        state->pending == boot::PendingRequest::kGolden &&
        std::memcmp(slots.info[1].hash, state->pending_hash, boot::kPendingHashBytes) == 0;
    if (next.slot == 1 || golden_pending) return ImageError(ImageRc::kNoFreeSlot);
  }
  uploader_.Abort();
  // Drops a stale request and records that the secondary is unshifted (and empty).
  if (!control_.BeginUpload().ok()) return ImageError(ImageRc::kFlashWriteFailed);
  const ImageRc rc = EraseSecondary();
  if (rc != ImageRc::kOk) return ImageError(rc);
  response.BeginMap(0);
  return Finished(response);
}

SmpOutcome ImageGroup::SlotInfo(CborWriter& response) {
  response.BeginMap(1);
  response.WriteText("images");
  response.BeginArray(1);
  response.BeginMap(3);
  response.WriteText("image");
  response.WriteUint(0);
  response.WriteText("slots");
  response.BeginArray(2);
  response.BeginMap(2);
  response.WriteText("slot");
  response.WriteUint(0);
  response.WriteText("size");
  response.WriteUint(config_.geometry->primary().size());
  response.BeginMap(3);
  response.WriteText("slot");
  response.WriteUint(1);
  response.WriteText("size");
  response.WriteUint(config_.geometry->secondary().size());
  response.WriteText("upload_image_id");
  response.WriteUint(0);
  response.WriteText("max_image_size");
  response.WriteUint(config_.geometry->max_image_size());
  return Finished(response);
}

}  // namespace bleota::smp
