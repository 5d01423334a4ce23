// A bleota-like flash layout on the simulated nRF52840 (4 KiB pages) for the SoC tests.
#pragma once

#include <cstdint>

#include "bleota/boot/platform.hpp"

namespace bleota::sim::testing {

struct Area {
  uint32_t offset;
  uint32_t size;
};

inline constexpr Area kBootloaderArea{0x00000, 0x8000};
inline constexpr Area kBootStateArea{0x08000, 0x2000};
inline constexpr Area kPrimarySlot{0x0a000, 0x70000};
inline constexpr Area kGoldenSlot{0x7a000, 0x40000};
inline constexpr Area kSecondarySlot{0xba000, 0x46000};

// What a bootloader applies before jumping to the app: no access to bootloader, boot state and
// golden slot; the primary slot (the running app) read-only.
inline boot::ProtectionConfig HandoverConfig(bool lock_debug_port = false) {
  boot::ProtectionConfig config;
  config.no_access[0] = {kBootloaderArea.offset, kBootloaderArea.size};
  config.no_access[1] = {kBootStateArea.offset, kBootStateArea.size};
  config.no_access[2] = {kGoldenSlot.offset, kGoldenSlot.size};
  config.no_access_count = 3;
  config.read_only[0] = {kPrimarySlot.offset, kPrimarySlot.size};
  config.read_only_count = 1;
  config.lock_key_otp = true;
  config.debug_port_locked = lock_debug_port;
  return config;
}

}  // namespace bleota::sim::testing
