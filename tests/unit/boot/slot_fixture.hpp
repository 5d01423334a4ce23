// A simulated device flash laid out for swap tests: boot state, primary, secondary, swap area and
// golden slot on one SimFlash, for each geometry the bootloader must support.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "bleota/boot/slot_geometry.hpp"
#include "bleota/flash_map.hpp"
#include "bleota/sim/sim_flash.hpp"

namespace bleota::boot::testing {

struct LayoutSpec {
  std::string name;
  sim::FlashProfile profile;
  uint32_t boot_state_offset, boot_state_size;
  uint32_t primary_offset, secondary_offset, slot_size;
  uint32_t swap_offset, swap_size;  // swap_size 0: no swap area
  uint32_t golden_offset;           // golden slot of slot_size; 0: none
  uint32_t copy_chunk;              // swap engine work buffer
};

// nRF52840 (4 KiB pages), nRF51 (1 KiB pages) and STM32F4 (16/64/128 KiB sectors).
inline std::vector<LayoutSpec> SmallLayouts() {
  std::vector<LayoutSpec> specs;
  specs.push_back({"nrf52840", sim::Nrf52840Profile(), 0x8000, 0x2000, 0x10000, 0x20000, 0x8000,
                   0x28000, 0x1000, 0x30000, 1024});
  specs.push_back({"nrf51", sim::Nrf51Profile(), 0x4000, 0x800, 0x8000, 0x10000, 0x2000, 0x12000,
                   0x400, 0x14000, 256});
  specs.push_back({"stm32f4", sim::Stm32F4Profile(), 0x8000, 0x8000, 0x20000, 0x60000, 0x40000,
                   0xA0000, 0x20000, 0xC0000, 16384});
  return specs;
}

// Write alignment variants of the nRF52840 layout.
inline LayoutSpec WithAlign(LayoutSpec spec, uint32_t align) {
  spec.profile = spec.profile.WithWriteAlign(align);
  spec.name += "-align" + std::to_string(align);
  return spec;
}

struct SlotFixture {
  explicit SlotFixture(const LayoutSpec& s)
      : spec(s),
        flash(spec.profile, clock),
        boot_state(AreaId::kBootState, flash, spec.boot_state_offset, spec.boot_state_size),
        primary(AreaId::kPrimary, flash, spec.primary_offset, spec.slot_size),
        secondary(AreaId::kSecondary, flash, spec.secondary_offset, spec.slot_size),
        swap(AreaId::kSwap, flash, spec.swap_offset, spec.swap_size ? spec.swap_size : 1),
        golden(AreaId::kGolden, flash, spec.golden_offset, spec.slot_size) {}

  FlashArea* swap_area() { return spec.swap_size ? &swap : nullptr; }

  SlotGeometry Geometry() {
    Result<SlotGeometry> g = SlotGeometry::Create(primary, secondary, swap_area());
    if (!g.ok()) std::abort();
    return *g;
  }

  // Writes raw bytes at an area offset as provisioning would (no time, no wear).
  void Put(FlashArea& area, uint32_t offset, const std::vector<uint8_t>& bytes) {
    std::copy(bytes.begin(), bytes.end(), flash.raw().begin() + area.offset() + offset);
    flash.MarkProgrammed(area.offset() + offset, static_cast<uint32_t>(bytes.size()), true);
  }
  std::vector<uint8_t> Get(FlashArea& area, uint32_t offset, uint32_t size) {
    auto begin = flash.raw().begin() + area.offset() + offset;
    return std::vector<uint8_t>(begin, begin + size);
  }

  LayoutSpec spec;
  sim::VirtualClock clock;
  sim::SimFlash flash;
  FlashArea boot_state, primary, secondary, swap, golden;
};

inline std::vector<uint8_t> RandomBytes(size_t n, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<uint8_t> v(n);
  uint64_t word = 0;
  for (size_t i = 0; i < n; ++i) {
    if (i % 8 == 0) word = rng();
    v[i] = static_cast<uint8_t>(word >> (8 * (i % 8)));
  }
  return v;
}

}  // namespace bleota::boot::testing
