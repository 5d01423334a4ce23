// ARM semihosting (QEMU -semihosting): ends a test firmware with an exit code for the host.
#pragma once

#include <cstdint>

namespace bleota::nrf51 {

// SYS_EXIT_EXTENDED: QEMU exits with `code`. Without a debugger/QEMU attached the BKPT faults.
[[noreturn]] void SemihostingExit(uint32_t code);

}  // namespace bleota::nrf51
