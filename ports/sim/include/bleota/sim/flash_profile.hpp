// Geometry and timing of real flash parts, for the simulated flash.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bleota/flash.hpp"

namespace bleota::sim {

struct FlashProfile {
  std::string name;
  std::vector<SectorRun> runs;
  uint32_t write_align = 4;
  uint8_t erase_value = 0xff;
  // Erase time of one sector, per sector size (a part with mixed sizes erases big ones slower).
  struct EraseTime {
    uint32_t sector_size;
    uint32_t us;
  };
  std::vector<EraseTime> erase_times;
  uint32_t program_us_per_word = 41;  // one 32-bit word
  uint32_t endurance_cycles = 10000;

  uint32_t EraseMicros(uint32_t sector_size) const;
  uint32_t total_size() const;
  // The same part with another write alignment (4, 8, 16: parts with ECC words).
  FlashProfile WithWriteAlign(uint32_t align) const;
};

// nRF52840: 1 MiB in 4 KiB pages; 85 ms page erase, 41 us per word (datasheet maxima).
FlashProfile Nrf52840Profile();
// nRF51822: 256 KiB in 1 KiB pages; 22.3 ms page erase, 46.3 us per word (datasheet maxima).
FlashProfile Nrf51Profile();
// STM32F4 (1 MiB): 4 x 16 KiB, 1 x 64 KiB, 7 x 128 KiB sectors; typical x32 erase times
// 400 ms / 1.1 s / 2 s and 16 us per word (reference manual figures).
FlashProfile Stm32F4Profile();

// All profiles by name: "nrf52840", "nrf51", "stm32f4".
std::vector<FlashProfile> AllFlashProfiles();

}  // namespace bleota::sim
