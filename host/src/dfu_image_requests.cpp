#include "bleota/host/dfu_image_requests.hpp"

#include <iomanip>
#include <sstream>

#include "bleota/host/error.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/smp_message.hpp"
#include "bleota/host/smp_rc_names.hpp"

namespace bleota::host {

using nlohmann::json;

namespace {

SmpCommand ImageCommand(smp::SmpOp op, uint8_t id, json payload) {
  return SmpCommand{op, kSmpGroupImage, id, std::move(payload)};
}

const json& ArrayField(const json& reply, const char* key, std::string_view what) {
  const auto it = reply.find(key);
  if (it == reply.end() || !it->is_array()) {
    ThrowDevice("malformed reply to " + std::string(what) + ": field '" + key +
                "' is missing or not an array");
  }
  return *it;
}

const json& MapEntry(const json& entry, std::string_view what) {
  if (!entry.is_object()) {
    ThrowDevice("malformed reply to " + std::string(what) + ": an entry is a " + entry.type_name() +
                ", not a map");
  }
  return entry;
}

}  // namespace

std::vector<uint8_t> ParseImageHash(std::string_view text, std::string_view option) {
  if (text.starts_with("0x") || text.starts_with("0X")) text.remove_prefix(2);
  if (text.size() != 64) {
    ThrowUsage(std::string(option) + ": an image hash is 64 hex digits (32 bytes), got " +
               std::to_string(text.size()) + " characters");
  }
  std::vector<uint8_t> hash;
  for (size_t i = 0; i < text.size(); i += 2) {
    int byte = 0;
    for (size_t k = 0; k < 2; ++k) {
      const char c = text[i + k];
      int v = -1;
      if (c >= '0' && c <= '9') v = c - '0';
      if (c >= 'a' && c <= 'f') v = c - 'a' + 10;
      if (c >= 'A' && c <= 'F') v = c - 'A' + 10;
      if (v < 0) {
        ThrowUsage(std::string(option) + ": '" + std::string(1, c) + "' is not a hex digit");
      }
      byte = byte * 16 + v;
    }
    hash.push_back(static_cast<uint8_t>(byte));
  }
  return hash;
}

ImageStateList ParseImageState(const json& reply, std::string_view what) {
  ImageStateList state;
  for (const json& item : ArrayField(reply, "images", what)) {
    const json& entry = MapEntry(item, what);
    ImageSlotState s;
    s.image = static_cast<uint32_t>(ReplyUint(entry, "image", UINT32_MAX, what).value_or(0));
    const auto slot = ReplyUint(entry, "slot", UINT32_MAX, what);
    if (!slot) ThrowDevice("malformed reply to " + std::string(what) + ": an image has no 'slot'");
    s.slot = static_cast<uint32_t>(*slot);
    s.version = ReplyText(entry, "version", what).value_or("");
    s.hash = ReplyBytes(entry, "hash", what).value_or(std::vector<uint8_t>{});
    s.bootable = ReplyBool(entry, "bootable", what).value_or(false);
    s.pending = ReplyBool(entry, "pending", what).value_or(false);
    s.confirmed = ReplyBool(entry, "confirmed", what).value_or(false);
    s.active = ReplyBool(entry, "active", what).value_or(false);
    s.permanent = ReplyBool(entry, "permanent", what).value_or(false);
    state.images.push_back(std::move(s));
  }
  state.split_status = ReplyUint(reply, "splitStatus", UINT64_MAX, what);
  return state;
}

ImageStateList ImageStateRead(SmpClient& client) {
  const json reply = client.Call(
      ImageCommand(smp::SmpOp::kRead, kImageCommandState, json::object()), "image state read");
  return ParseImageState(reply, "image state read");
}

ImageStateList ImageStateWrite(SmpClient& client, const std::vector<uint8_t>& hash, bool confirm) {
  json payload = json::object();
  if (!hash.empty()) payload["hash"] = json::binary(hash);
  payload["confirm"] = confirm;
  const std::string what = confirm ? "image confirm" : "image test";
  const json reply =
      client.Call(ImageCommand(smp::SmpOp::kWrite, kImageCommandState, payload), what);
  return ParseImageState(reply, what);
}

void ImageErase(SmpClient& client, std::optional<uint32_t> slot) {
  json payload = json::object();
  if (slot) payload["slot"] = *slot;
  client.Call(ImageCommand(smp::SmpOp::kWrite, kImageCommandErase, payload), "image erase");
}

std::vector<ImageSlots> ImageSlotInfo(SmpClient& client) {
  const std::string what = "image slot info";
  const json reply =
      client.Call(ImageCommand(smp::SmpOp::kRead, kImageCommandSlotInfo, json::object()), what);
  std::vector<ImageSlots> images;
  for (const json& item : ArrayField(reply, "images", what)) {
    const json& entry = MapEntry(item, what);
    ImageSlots image;
    image.image = static_cast<uint32_t>(ReplyUint(entry, "image", UINT32_MAX, what).value_or(0));
    for (const json& slot_item : ArrayField(entry, "slots", what)) {
      const json& slot_entry = MapEntry(slot_item, what);
      SlotDescription slot;
      const auto number = ReplyUint(slot_entry, "slot", UINT32_MAX, what);
      const auto size = ReplyUint(slot_entry, "size", UINT64_MAX, what);
      if (!number || !size) {
        ThrowDevice("malformed reply to " + what + ": a slot needs 'slot' and 'size'");
      }
      slot.slot = static_cast<uint32_t>(*number);
      slot.size = *size;
      slot.upload_image_id = ReplyUint(slot_entry, "upload_image_id", UINT64_MAX, what);
      image.slots.push_back(slot);
    }
    image.max_image_size = ReplyUint(entry, "max_image_size", UINT64_MAX, what);
    images.push_back(std::move(image));
  }
  return images;
}

namespace {

json OptionalJson(const std::optional<uint64_t>& value) {
  return value ? json(*value) : json(nullptr);
}

}  // namespace

json ImageStateJson(const ImageStateList& state) {
  json images = json::array();
  for (const ImageSlotState& s : state.images) {
    images.push_back({{"image", s.image},
                      {"slot", s.slot},
                      {"version", s.version},
                      {"hash", HexBytes(s.hash.data(), s.hash.size())},
                      {"bootable", s.bootable},
                      {"pending", s.pending},
                      {"confirmed", s.confirmed},
                      {"active", s.active},
                      {"permanent", s.permanent}});
  }
  return {{"images", images}, {"split_status", OptionalJson(state.split_status)}};
}

json ImageSlotsJson(const std::vector<ImageSlots>& images) {
  json out = json::array();
  for (const ImageSlots& image : images) {
    json slots = json::array();
    for (const SlotDescription& slot : image.slots) {
      slots.push_back({{"slot", slot.slot},
                       {"size", slot.size},
                       {"upload_image_id", OptionalJson(slot.upload_image_id)}});
    }
    out.push_back({{"image", image.image},
                   {"slots", slots},
                   {"max_image_size", OptionalJson(image.max_image_size)}});
  }
  return {{"images", out}};
}

std::string FormatImageState(const ImageStateList& state) {
  if (state.images.empty()) return "no images\n";
  std::ostringstream out;
  out << std::left << std::setw(6) << "image" << std::setw(5) << "slot" << std::setw(16)
      << "version"
      << "flags                                   hash\n";
  for (const ImageSlotState& s : state.images) {
    std::string flags;
    const auto add = [&flags](bool set, const char* name) {
      if (!set) return;
      if (!flags.empty()) flags += ",";
      flags += name;
    };
    add(s.active, "active");
    add(s.confirmed, "confirmed");
    add(s.pending, "pending");
    add(s.permanent, "permanent");
    add(s.bootable, "bootable");
    out << std::setw(6) << s.image << std::setw(5) << s.slot << std::setw(16)
        << (s.version.empty() ? "-" : s.version) << std::setw(40) << (flags.empty() ? "-" : flags)
        << (s.hash.empty() ? "-" : HexBytes(s.hash.data(), s.hash.size())) << "\n";
  }
  if (state.split_status && *state.split_status != 0) {
    out << "split status: " << *state.split_status << "\n";
  }
  return out.str();
}

std::string FormatImageSlots(const std::vector<ImageSlots>& images) {
  if (images.empty()) return "no slots\n";
  std::ostringstream out;
  out << std::left << std::setw(6) << "image" << std::setw(5) << "slot" << std::setw(12) << "size"
      << "upload image id\n";
  for (const ImageSlots& image : images) {
    for (const SlotDescription& slot : image.slots) {
      out << std::setw(6) << image.image << std::setw(5) << slot.slot << std::setw(12) << slot.size
          << (slot.upload_image_id ? std::to_string(*slot.upload_image_id) : "-") << "\n";
    }
    if (image.max_image_size) {
      out << "image " << image.image << ": max image size " << *image.max_image_size << " bytes\n";
    }
  }
  return out.str();
}

}  // namespace bleota::host
