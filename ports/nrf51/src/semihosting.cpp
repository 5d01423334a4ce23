#include "bleota/nrf51/semihosting.hpp"

namespace bleota::nrf51 {

void SemihostingExit(uint32_t code) {
  constexpr uint32_t kSysExitExtended = 0x20;
  constexpr uint32_t kApplicationExit = 0x20026;  // ADP_Stopped_ApplicationExit
  const uint32_t block[2] = {kApplicationExit, code};
  register uint32_t op asm("r0") = kSysExitExtended;
  register const uint32_t* arg asm("r1") = block;
  asm volatile("bkpt 0xAB" : "+r"(op) : "r"(arg) : "memory");
  for (;;) {
  }
}

}  // namespace bleota::nrf51
