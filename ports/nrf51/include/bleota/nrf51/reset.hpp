// Reset and reset cause on the nRF51, and the retained RAM the bootloader and the application
// share. RESETREAS tells pin, watchdog, software and lockup resets apart on silicon. QEMU does
// not model it (it always reads RESETPIN), so a reset that the firmware starts also leaves a
// checked marker in retained RAM, which wins; RAM is random after a real power-on and zero in a
// fresh QEMU, and neither passes the check.
#pragma once

#include <cstdint>

#include "bleota/boot/platform.hpp"
#include "bleota/bytes.hpp"

namespace bleota::nrf51 {

// Bytes of retained RAM for boot::RetainedRecord (after the reset marker).
inline constexpr uint32_t kRetainedRecordBytes = 16;
// Offset in retained RAM (symbol bleota_nrf51_retained) of the vector table the bootloader
// forwards exceptions to (0: none).
inline constexpr uint32_t kRetainedAppVectorsOffset = 12;

// Why the part reset: from the marker, else from RESETREAS (both then cleared); kPowerOn when
// neither says anything. Call once, early in main(); later calls return the same value.
boot::ResetCause ReadResetCause();

// Leaves the marker for `cause` and resets through AIRCR.SYSRESETREQ.
[[noreturn]] void SystemReset(boot::ResetCause cause);

// The retained record's bytes (boot::LoadRetainedRecord / StoreRetainedRecord).
ByteSpan RetainedRecordRam();

// Where the bootloader's vector table forwards exceptions and interrupts (the application's
// table), or 0 while the bootloader runs (bootloader/interrupt_forwarding.cpp).
void SetForwardedVectorTable(uint32_t vector_table);

}  // namespace bleota::nrf51
