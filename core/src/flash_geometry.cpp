#include "bleota/flash.hpp"

namespace bleota {

uint32_t FlashGeometry::total_size() const {
  uint32_t total = 0;
  for (const SectorRun& run : runs_) total += run.size * run.count;
  return total;
}

uint32_t FlashGeometry::sector_count() const {
  uint32_t count = 0;
  for (const SectorRun& run : runs_) count += run.count;
  return count;
}

Result<Sector> FlashGeometry::SectorAt(uint32_t offset) const {
  uint32_t run_start = 0;
  uint32_t index = 0;
  for (const SectorRun& run : runs_) {
    const uint32_t run_bytes = run.size * run.count;
    if (offset - run_start < run_bytes && offset >= run_start) {
      const uint32_t in_run = (offset - run_start) / run.size;
      return Sector{run_start + in_run * run.size, run.size, index + in_run};
    }
    run_start += run_bytes;
    index += run.count;
  }
  return StatusCode::kOutOfRange;
}

Result<Sector> FlashGeometry::SectorByIndex(uint32_t index) const {
  uint32_t run_start = 0;
  uint32_t first = 0;
  for (const SectorRun& run : runs_) {
    if (index - first < run.count && index >= first) {
      const uint32_t in_run = index - first;
      return Sector{run_start + in_run * run.size, run.size, index};
    }
    run_start += run.size * run.count;
    first += run.count;
  }
  return StatusCode::kOutOfRange;
}

bool FlashGeometry::IsSectorBoundary(uint32_t offset) const {
  if (offset == total_size()) return true;
  Result<Sector> sector = SectorAt(offset);
  return sector.ok() && sector->offset == offset;
}

}  // namespace bleota
