// TIMER0 as a free-running 32-bit counter at 16 MHz: how long the boot took. QEMU counts virtual
// time, so with -icount shift=0 (1 ns per instruction) ticks x 62.5 = instructions executed.
#pragma once

#include <cstdint>

namespace bleota::nrf51 {

class TickTimer {
 public:
  static constexpr uint32_t kHz = 16000000;
  // Clears and starts TIMER0 (timer mode, 32 bits, prescaler 0).
  static void Start();
  // Ticks since Start() (wraps after 268 s).
  static uint32_t Ticks();
};

}  // namespace bleota::nrf51
