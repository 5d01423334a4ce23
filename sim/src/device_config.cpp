#include "bleota/simdev/device_config.hpp"

#include <limits>
#include <string>

#include "bleota/host/error.hpp"

namespace bleota::sim {
namespace {

using nlohmann::json;

uint32_t U32(const json& object, const char* key) {
  const auto it = object.find(key);
  // Integers parsed from text are unsigned when not negative; built in memory they may be signed.
  const bool is_natural = it != object.end() && it->is_number_integer() &&
                          (it->is_number_unsigned() || it->get<int64_t>() >= 0);
  if (!is_natural) {
    host::ThrowUsage(std::string("device.json: '") + key + "' must be an unsigned number");
  }
  const uint64_t value = it->get<uint64_t>();
  if (value > std::numeric_limits<uint32_t>::max()) {
    host::ThrowUsage(std::string("device.json: '") + key + "' is out of range");
  }
  return static_cast<uint32_t>(value);
}

uint8_t U8(const json& object, const char* key) {
  const uint32_t value = U32(object, key);
  if (value > 255) host::ThrowUsage(std::string("device.json: '") + key + "' is out of range");
  return static_cast<uint8_t>(value);
}

const json& Object(const json& object, const char* key) {
  const auto it = object.find(key);
  if (it == object.end() || !it->is_object()) {
    host::ThrowUsage(std::string("device.json: '") + key + "' must be an object");
  }
  return *it;
}

}  // namespace

DeviceConfig Nrf52840DeviceConfig() {
  DeviceConfig config;
  config.profile = "nrf52840";
  config.layout.base = 0;
  config.layout.bootloader_size = 0xC000;
  config.layout.boot_state_size = 0x2000;
  config.layout.upload_state_size = 0x2000;
  config.layout.slot_size = 0x4C000;
  config.layout.swap_size = 0x1000;
  config.layout.golden_size = 0x4C000;
  return config;
}

FlashProfile ProfileOf(const DeviceConfig& config) {
  for (const FlashProfile& profile : AllFlashProfiles()) {
    if (profile.name == config.profile) return profile;
  }
  host::ThrowUsage("unknown flash profile '" + config.profile + "'");
}

boot::BootConfig BootConfigOf(const DeviceConfig& config) {
  boot::BootConfig boot;
  boot.keys_in_otp = true;
  boot.key_otp_offset = config.key_otp_offset;
  boot.counter_otp_offset = config.counter_otp_offset;
  boot.counter_otp_entries = config.counter_otp_entries;
  boot.max_test_boots = config.max_test_boots;
  boot.health_miss_limit = config.health_miss_limit;
  boot.watchdog_period_ms = config.watchdog_period_ms;
  return boot;
}

json DeviceConfigToJson(const DeviceConfig& config) {
  json layout = {
      {"base", config.layout.base},
      {"bootloader_size", config.layout.bootloader_size},
      {"boot_state_size", config.layout.boot_state_size},
      {"upload_state_size", config.layout.upload_state_size},
      {"slot_size", config.layout.slot_size},
      {"swap_size", config.layout.swap_size},
      {"golden_size", config.layout.golden_size},
  };
  return json{
      {"format", kDeviceConfigFormat},
      {"profile", config.profile},
      {"layout", layout},
      {"otp_size", config.otp_size},
      {"otp_key_region_size", config.otp_key_region_size},
      {"key_otp_offset", config.key_otp_offset},
      {"counter_otp_offset", config.counter_otp_offset},
      {"counter_otp_entries", config.counter_otp_entries},
      {"max_test_boots", config.max_test_boots},
      {"health_miss_limit", config.health_miss_limit},
      {"watchdog_period_ms", config.watchdog_period_ms},
      {"app", {{"auto_confirm", config.app.auto_confirm}}},
      {"flash_timing", config.flash_timing},
  };
}

DeviceConfig DeviceConfigFromJson(const nlohmann::json& root) {
  if (!root.is_object()) host::ThrowUsage("device.json: not a JSON object");
  if (U32(root, "format") != kDeviceConfigFormat) {
    host::ThrowUsage("device.json: unsupported format (expected " +
                     std::to_string(kDeviceConfigFormat) + ")");
  }
  DeviceConfig config;
  const auto profile = root.find("profile");
  if (profile == root.end() || !profile->is_string()) {
    host::ThrowUsage("device.json: 'profile' must be a string");
  }
  config.profile = profile->get<std::string>();
  const json& layout = Object(root, "layout");
  config.layout.base = U32(layout, "base");
  config.layout.bootloader_size = U32(layout, "bootloader_size");
  config.layout.boot_state_size = U32(layout, "boot_state_size");
  config.layout.upload_state_size = U32(layout, "upload_state_size");
  config.layout.slot_size = U32(layout, "slot_size");
  config.layout.swap_size = U32(layout, "swap_size");
  config.layout.golden_size = U32(layout, "golden_size");
  config.otp_size = U32(root, "otp_size");
  config.otp_key_region_size = U32(root, "otp_key_region_size");
  config.key_otp_offset = U32(root, "key_otp_offset");
  config.counter_otp_offset = U32(root, "counter_otp_offset");
  config.counter_otp_entries = U32(root, "counter_otp_entries");
  config.max_test_boots = U8(root, "max_test_boots");
  config.health_miss_limit = U8(root, "health_miss_limit");
  config.watchdog_period_ms = U32(root, "watchdog_period_ms");
  const json& app = Object(root, "app");
  const auto confirm = app.find("auto_confirm");
  if (confirm == app.end() || !confirm->is_boolean()) {
    host::ThrowUsage("device.json: 'app.auto_confirm' must be true or false");
  }
  config.app.auto_confirm = confirm->get<bool>();
  if (const auto timing = root.find("flash_timing"); timing != root.end()) {
    if (!timing->is_boolean())
      host::ThrowUsage("device.json: 'flash_timing' must be true or false");
    config.flash_timing = timing->get<bool>();
  }
  return config;
}

}  // namespace bleota::sim
