// Start-up code and vector table of every nRF51 firmware: copies .data, clears .bss, runs the
// static constructors and calls main(). Faults and unexpected interrupts reset the part (the
// bootloader then sees ResetCause::kLockup): firmware never hangs waiting for a watchdog.
#include <cstdint>

#include "bleota/nrf51/reset.hpp"

extern "C" {
extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_top;
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
int main();
void Reset_Handler();
void Fault_Handler();
}

namespace {

using Handler = void (*)();
constexpr int kSystemVectors = 16;
constexpr int kNrf51Interrupts = 32;
constexpr uint32_t kStackPaint = 0x3CC35AA5;

}  // namespace

// Cortex-M0 has no VTOR: this table is used only while it is at address 0 (the bootloader's),
// and applications run without interrupts (docs/nrf51.md).
__attribute__((section(".isr_vector"), used))
const Handler kVectorTable[kSystemVectors + kNrf51Interrupts] = {
    reinterpret_cast<Handler>(&__stack_top),
    Reset_Handler,
    Fault_Handler,  // NMI
    Fault_Handler,  // HardFault
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    Fault_Handler,  // SVCall
    nullptr,
    nullptr,
    Fault_Handler,  // PendSV
    Fault_Handler,  // SysTick
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
    Fault_Handler,
};

extern "C" void Reset_Handler() {
  uint32_t* src = &__data_load;
  for (uint32_t* dst = &__data_start; dst < &__data_end;) *dst++ = *src++;
  for (uint32_t* dst = &__bss_start; dst < &__bss_end;) *dst++ = 0;
  // Paint the free RAM below this frame: the QEMU tests read the stack's high-water mark from it.
  uint32_t* sp;
  asm volatile("mov %0, sp" : "=r"(sp));
  for (uint32_t* p = &__bss_end; p + 16 < sp;) *p++ = kStackPaint;
  for (Handler* ctor = __init_array_start; ctor < __init_array_end; ++ctor) (*ctor)();
  main();
  bleota::nrf51::SystemReset(bleota::boot::ResetCause::kSoftware);
}

extern "C" void Fault_Handler() { bleota::nrf51::SystemReset(bleota::boot::ResetCause::kLockup); }
