// Simulated time: virtual, deterministic, advanced only by simulated hardware.
#pragma once

#include <cstdint>

namespace bleota::sim {

class VirtualClock {
 public:
  uint64_t now_us() const { return now_us_; }
  void Advance(uint64_t us) { now_us_ += us; }

 private:
  uint64_t now_us_ = 0;
};

}  // namespace bleota::sim
