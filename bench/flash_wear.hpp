// Flash wear per update: the erases of every sector during one whole update on the simulated
// nRF52840 (direct in-process path: wear does not depend on the link), grouped by flash area,
// for an update that is confirmed (upload, test, install, confirm, the next boot) and one that
// is reverted (upload, test, install, never confirmed: the next boot swaps back).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace bleota::bench {

struct AreaWear {
  std::string area;         // "primary slot", "secondary slot", "swap area", "boot state", ...
  uint32_t sectors = 0;     // sectors in the area
  uint32_t max_erases = 0;  // most erases of one sector of the area during the update
  uint32_t erases = 0;      // all erases in the area during the update
};

struct WearResult {
  std::string scenario;  // "confirmed", "reverted"
  uint32_t image_size = 0;
  uint32_t slot_size = 0;
  uint32_t sector_size = 0;     // of the slots
  std::vector<AreaWear> areas;  // every area of the layout, in flash order
};

// Throws host::HostError when an update does not end with the expected image running.
WearResult MeasureWearConfirmed(uint32_t image_size);
WearResult MeasureWearReverted(uint32_t image_size);

}  // namespace bleota::bench
