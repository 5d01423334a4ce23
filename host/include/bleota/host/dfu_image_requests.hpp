// The image management group (1) requests of the DFU client, except upload (dfu_upload.hpp):
// state read/write (list, test, confirm), erase and slot info, with their replies checked and
// turned into structs and stable JSON (docs/cli.md).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bleota/host/smp_client.hpp"

namespace bleota::host {

inline constexpr uint8_t kImageCommandState = 0;
inline constexpr uint8_t kImageCommandUpload = 1;
inline constexpr uint8_t kImageCommandErase = 5;
inline constexpr uint8_t kImageCommandSlotInfo = 6;

struct ImageSlotState {
  uint32_t image = 0;
  uint32_t slot = 0;
  std::string version;
  std::vector<uint8_t> hash;  // the image's SHA256 TLV
  bool bootable = false;
  bool pending = false;
  bool confirmed = false;
  bool active = false;
  bool permanent = false;
};

struct ImageStateList {
  std::vector<ImageSlotState> images;
  std::optional<uint64_t> split_status;
};

// State read: the images in the device's slots.
ImageStateList ImageStateRead(SmpClient& client);

// State write: {"hash": hash, "confirm": confirm}; without a hash (empty) and confirm=true the
// running image is confirmed. Returns the new state the device reports.
ImageStateList ImageStateWrite(SmpClient& client, const std::vector<uint8_t>& hash, bool confirm);

// Erase: {"slot": slot} when given, {} otherwise (the device's default, the upload slot).
void ImageErase(SmpClient& client, std::optional<uint32_t> slot);

struct SlotDescription {
  uint32_t slot = 0;
  uint64_t size = 0;
  std::optional<uint64_t> upload_image_id;
};

struct ImageSlots {
  uint32_t image = 0;
  std::vector<SlotDescription> slots;
  std::optional<uint64_t> max_image_size;
};

// Slot info: per image, its slots with their sizes.
std::vector<ImageSlots> ImageSlotInfo(SmpClient& client);

// An image hash given on the command line: 64 hex digits (SHA256 TLV), optionally with a "0x"
// prefix. Throws HostError(kUsage) naming `option`.
std::vector<uint8_t> ParseImageHash(std::string_view text, std::string_view option);

// Parses a state reply map (also used for the reply of a state write).
ImageStateList ParseImageState(const nlohmann::json& reply, std::string_view what);

// Stable JSON: {"images": [{"image", "slot", "version", "hash" (hex), "bootable", "pending",
// "confirmed", "active", "permanent"}], "split_status": N|null}, and
// {"images": [{"image", "slots": [{"slot", "size", "upload_image_id"|null}],
// "max_image_size"|null}]}.
nlohmann::json ImageStateJson(const ImageStateList& state);
nlohmann::json ImageSlotsJson(const std::vector<ImageSlots>& images);

// Terminal tables.
std::string FormatImageState(const ImageStateList& state);
std::string FormatImageSlots(const std::vector<ImageSlots>& images);

}  // namespace bleota::host
