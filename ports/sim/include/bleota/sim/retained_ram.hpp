// Simulated retained RAM (like nRF52 GPREGRET / a .noinit section): keeps its content across
// resets, holds random bits after power loss. The randomness is seeded, so runs repeat exactly.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "bleota/bytes.hpp"

namespace bleota::sim {

class RetainedRam {
 public:
  // Starts as after a power-on: random content.
  RetainedRam(uint32_t size, uint64_t seed);

  ByteSpan bytes() { return ByteSpan(bytes_.data(), bytes_.size()); }
  ConstByteSpan bytes() const { return ConstByteSpan(bytes_.data(), bytes_.size()); }
  uint32_t size() const { return static_cast<uint32_t>(bytes_.size()); }

  // Power loss: new random content (the next values of the seeded generator).
  void LosePower();

 private:
  std::vector<uint8_t> bytes_;
  std::mt19937_64 rng_;
};

}  // namespace bleota::sim
