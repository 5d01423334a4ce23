// Memory-mapped register access for the nRF51 peripherals (addresses from the nRF51 reference
// manual; the ones QEMU's micro:bit models are noted in docs/nrf51.md).
#pragma once

#include <cstdint>

namespace bleota::nrf51 {

inline volatile uint32_t& Reg(uint32_t address) {
  return *reinterpret_cast<volatile uint32_t*>(static_cast<uintptr_t>(address));
}

// Peripheral base addresses.
inline constexpr uint32_t kPowerBase = 0x40000000;  // POWER (RESETREAS, GPREGRET), MPU
inline constexpr uint32_t kUart0Base = 0x40002000;
inline constexpr uint32_t kWdtBase = 0x40010000;
inline constexpr uint32_t kNvmcBase = 0x4001E000;
inline constexpr uint32_t kGpioBase = 0x50000000;
inline constexpr uint32_t kScbAircr = 0xE000ED0C;

}  // namespace bleota::nrf51
