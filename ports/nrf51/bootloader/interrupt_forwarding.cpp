// Exception forwarding from the bootloader's vector table (at address 0, the only one the
// Cortex-M0 uses: it has no VTOR) to the application's. JumpToApplication records the
// application's table in retained RAM; every exception other than reset arrives here through
// Default_Handler with the exception's stack frame and EXC_RETURN untouched, and branches to the
// application's entry for the active exception number (IPSR). While the bootloader itself runs,
// the word is 0 and an exception resets the part (cause lockup), as in any other firmware.
#include <cstdint>

#include "bleota/nrf51/reset.hpp"

extern "C" void ResetAfterFault() { bleota::nrf51::SystemReset(bleota::boot::ResetCause::kLockup); }

// r0-r3 are saved by the exception entry, so they are free here.
extern "C" __attribute__((naked)) void UnhandledException() {
  asm volatile(
      ".syntax unified\n"
      "ldr r0, =bleota_nrf51_retained + %c0\n"
      "ldr r0, [r0]\n"
      "cmp r0, #0\n"
      "beq 1f\n"
      "mrs r1, ipsr\n"
      "lsls r1, r1, #2\n"
      "ldr r0, [r0, r1]\n"
      "bx r0\n"
      "1:\n"
      "ldr r0, =ResetAfterFault\n"
      "bx r0\n"
      ".ltorg\n"
      :
      : "i"(bleota::nrf51::kRetainedAppVectorsOffset));
}
