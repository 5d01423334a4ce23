#include "bleota/sim/retained_ram.hpp"

namespace bleota::sim {

RetainedRam::RetainedRam(uint32_t size, uint64_t seed) : bytes_(size), rng_(seed) { LosePower(); }

void RetainedRam::LosePower() {
  for (uint8_t& byte : bytes_) byte = static_cast<uint8_t>(rng_());
}

}  // namespace bleota::sim
