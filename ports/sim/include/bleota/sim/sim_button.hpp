// Simulated push button (the "force update" button): tests press and release it, the device
// samples its level. Sample counts let tests check the bootloader looked at it.
#pragma once

#include <cstdint>

namespace bleota::sim {

class SimButton {
 public:
  void Press() { pressed_ = true; }
  void Release() { pressed_ = false; }
  bool Sample() {
    ++sample_count_;
    return pressed_;
  }
  bool pressed() const { return pressed_; }
  uint32_t sample_count() const { return sample_count_; }

 private:
  bool pressed_ = false;
  uint32_t sample_count_ = 0;
};

}  // namespace bleota::sim
