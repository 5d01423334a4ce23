// End to end: a whole update as `bleota dfu image upload --test --reset` runs it (host::RunUpdate:
// upload, mark for test, reset), then the bootloader's install (the swap at the next boot), on
// the simulated nRF52840 with its flash timing (85 ms page erase, 41 us per word), in virtual
// time. Over the simulated BLE link, and over the direct in-process path (no link) so the flash
// bound alone shows. Verification is CPU time on the device and is not in these figures.
#pragma once

#include <cstdint>
#include <string>

#include "bleota/simdev/ble_link_params.hpp"

namespace bleota::bench {

struct EndToEndResult {
  std::string path;  // "ble 2m-dle", "direct (no link)"
  uint32_t image_size = 0;
  uint64_t transfer_us = 0;    // upload incl. flash writes while receiving, to the last reply
  uint64_t mark_reset_us = 0;  // state write (test) and reset request, to the reset
  uint64_t install_us = 0;     // the boot after the reset: swap, verify, jump
  uint64_t reconnect_us = 0;   // BLE: from the end of the boot to the next connection
  uint64_t total_us = 0;       // from the first request until the new image runs (connected)
  double transfer_rate = 0;    // image bytes per second of transfer_us
};

// Throws host::HostError when the update fails or the new image does not run afterwards.
EndToEndResult MeasureEndToEndBle(const sim::BleProfile& profile, uint32_t image_size);
EndToEndResult MeasureEndToEndDirect(uint32_t image_size);

}  // namespace bleota::bench
