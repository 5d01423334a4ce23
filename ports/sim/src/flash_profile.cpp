#include "bleota/sim/flash_profile.hpp"

namespace bleota::sim {

uint32_t FlashProfile::EraseMicros(uint32_t sector_size) const {
  for (const EraseTime& t : erase_times) {
    if (t.sector_size == sector_size) return t.us;
  }
  // Unlisted size: scale the first entry linearly.
  if (erase_times.empty()) return 0;
  const EraseTime& first = erase_times.front();
  return static_cast<uint32_t>(static_cast<uint64_t>(first.us) * sector_size / first.sector_size);
}

uint32_t FlashProfile::total_size() const {
  uint32_t total = 0;
  for (const SectorRun& run : runs) total += run.size * run.count;
  return total;
}

FlashProfile FlashProfile::WithWriteAlign(uint32_t align) const {
  FlashProfile copy = *this;
  copy.write_align = align;
  copy.name += "-align" + std::to_string(align);
  return copy;
}

FlashProfile Nrf52840Profile() {
  FlashProfile p;
  p.name = "nrf52840";
  p.runs = {{4096, 256}};
  p.write_align = 4;
  p.erase_times = {{4096, 85000}};
  p.program_us_per_word = 41;
  return p;
}

FlashProfile Nrf51Profile() {
  FlashProfile p;
  p.name = "nrf51";
  p.runs = {{1024, 256}};
  p.write_align = 4;
  p.erase_times = {{1024, 22300}};
  p.program_us_per_word = 46;
  return p;
}

FlashProfile Stm32F4Profile() {
  FlashProfile p;
  p.name = "stm32f4";
  p.runs = {{16 * 1024, 4}, {64 * 1024, 1}, {128 * 1024, 7}};
  p.write_align = 4;
  p.erase_times = {{16 * 1024, 400000}, {64 * 1024, 1100000}, {128 * 1024, 2000000}};
  p.program_us_per_word = 16;
  return p;
}

std::vector<FlashProfile> AllFlashProfiles() {
  return {Nrf52840Profile(), Nrf51Profile(), Stm32F4Profile()};
}

}  // namespace bleota::sim
