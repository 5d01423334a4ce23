// What a simulated device is: its flash part, its flash layout, where its keys and anti-rollback
// counter live in OTP, the bootloader's settings and the example application's behaviour. Kept
// in the state directory as device.json (docs/simulator.md), so a restarted simulator is the
// same device.
#pragma once

#include <cstdint>
#include <string>

#include "bleota/boot/bootloader.hpp"
#include "bleota/boot/flash_layout.hpp"
#include "bleota/sim/flash_profile.hpp"
#include "nlohmann/json.hpp"

namespace bleota::sim {

inline constexpr int kDeviceConfigFormat = 1;

// How the modelled application behaves (its code is not executed; see SimDevice).
struct AppBehaviour {
  bool auto_confirm = false;  // confirm its image as soon as it runs
};

struct DeviceConfig {
  std::string profile = "nrf52840";  // a FlashProfile name (AllFlashProfiles)
  boot::LayoutDescription layout;
  uint32_t otp_size = 1024;
  uint32_t otp_key_region_size = 512;
  uint32_t key_otp_offset = 0;
  uint32_t counter_otp_offset = 512;
  uint32_t counter_otp_entries = 32;
  uint8_t max_test_boots = 1;
  uint8_t health_miss_limit = 1;
  uint32_t watchdog_period_ms = 30000;
  AppBehaviour app;
  // false: flash erases and programs take no virtual time (link benchmarks measure the link
  // alone, docs/ble-link.md). Stored as "flash_timing" (absent: true).
  bool flash_timing = true;
};

// The default device: an nRF52840 (1 MiB, 4 KiB pages) with a 48 KiB bootloader, 8 KiB each of
// boot state and upload state (uploads resume across resets), two 304 KiB slots, a swap sector
// and a 304 KiB golden slot.
DeviceConfig Nrf52840DeviceConfig();

// The flash profile named by config.profile; throws host::HostError(kUsage) for unknown names.
FlashProfile ProfileOf(const DeviceConfig& config);

// The bootloader's settings for this device (keys from key OTP).
boot::BootConfig BootConfigOf(const DeviceConfig& config);

nlohmann::json DeviceConfigToJson(const DeviceConfig& config);
// Throws host::HostError(kUsage) naming the field when the JSON is not a device description.
DeviceConfig DeviceConfigFromJson(const nlohmann::json& json);

}  // namespace bleota::sim
