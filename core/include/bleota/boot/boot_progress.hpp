// An optional observer of the bootloader's long operations (swaps, golden restore and update),
// for progress lines in a log or on a display. Called after each journaled step, so `done` is
// durable when it is reported; a resumed operation reports from the step it resumes at.
#pragma once

#include <cstdint>

#include "bleota/boot/boot_state.hpp"

namespace bleota::boot {

class BootProgress {
 public:
  // `op` is kSwap (with `reason`), kGoldenRestore or kGoldenUpdate; `done` of `total` steps
  // (a swap has two steps per sector, the golden operations one) are complete.
  virtual void OnStep(BootOp op, SwapReason reason, uint32_t done, uint32_t total) = 0;

 protected:
  ~BootProgress() = default;
};

}  // namespace bleota::boot
