// Hand-over from the bootloader to the application.
#pragma once

#include <cstdint>

namespace bleota::nrf51 {

// Checks the vector table at `vector_table` (initial stack pointer inside RAM and word aligned,
// reset handler a Thumb address inside [code_begin, code_end)); false if it is not plausible.
bool VectorTableLooksValid(uint32_t vector_table, uint32_t code_begin, uint32_t code_end);

// Records the application's table for the bootloader's exception forwarding (the Cortex-M0 has
// no VTOR), loads its initial stack pointer into MSP and branches to its reset handler.
[[noreturn]] void JumpToApplication(uint32_t vector_table);

}  // namespace bleota::nrf51
