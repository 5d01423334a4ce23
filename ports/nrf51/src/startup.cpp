// Start-up code and vector table of every nRF51 firmware: copies .data, clears .bss, runs the
// static constructors and calls main(). Every exception and interrupt without a handler of its
// own ends in UnhandledException(): here a reset with cause lockup (firmware never hangs waiting
// for a watchdog); the bootloader replaces it with the forwarder to the application's table
// (bootloader/interrupt_forwarding.cpp), since the Cortex-M0 has no VTOR.
#include <cstdint>

#include "bleota/nrf51/reset.hpp"

extern "C" {
extern uint32_t __data_start, __data_end, __data_load, __bss_start, __bss_end, __stack_top;
extern void (*__init_array_start[])();
extern void (*__init_array_end[])();
int main();
void Reset_Handler();
void Default_Handler();
void UnhandledException();

// Firmware defines the handlers it uses under these names (nRF51 interrupt numbers 0-31).
void NMI_Handler() noexcept __attribute__((weak, alias("Default_Handler")));
void HardFault_Handler() noexcept __attribute__((weak, alias("Default_Handler")));
void SVC_Handler() noexcept __attribute__((weak, alias("Default_Handler")));
void PendSV_Handler() noexcept __attribute__((weak, alias("Default_Handler")));
void SysTick_Handler() noexcept __attribute__((weak, alias("Default_Handler")));
void POWER_CLOCK_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void RADIO_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void UART0_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void SPI0_TWI0_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void SPI1_TWI1_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void Reserved5_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void GPIOTE_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void ADC_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void TIMER0_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void TIMER1_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void TIMER2_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void RTC0_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void TEMP_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void RNG_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void ECB_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void CCM_AAR_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void WDT_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void RTC1_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void QDEC_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void LPCOMP_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void SWI0_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void SWI1_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void SWI2_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void SWI3_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void SWI4_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void SWI5_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void Reserved26_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void Reserved27_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void Reserved28_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void Reserved29_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void Reserved30_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
void Reserved31_IRQHandler() noexcept __attribute__((weak, alias("Default_Handler")));
}

namespace {

using Handler = void (*)();
constexpr int kSystemVectors = 16;
constexpr int kNrf51Interrupts = 32;
constexpr uint32_t kStackPaint = 0x3CC35AA5;

}  // namespace

__attribute__((section(".isr_vector"), used))
const Handler kVectorTable[kSystemVectors + kNrf51Interrupts] = {
    reinterpret_cast<Handler>(&__stack_top),
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    nullptr,
    SVC_Handler,
    nullptr,
    nullptr,
    PendSV_Handler,
    SysTick_Handler,
    POWER_CLOCK_IRQHandler,
    RADIO_IRQHandler,
    UART0_IRQHandler,
    SPI0_TWI0_IRQHandler,
    SPI1_TWI1_IRQHandler,
    Reserved5_IRQHandler,
    GPIOTE_IRQHandler,
    ADC_IRQHandler,
    TIMER0_IRQHandler,
    TIMER1_IRQHandler,
    TIMER2_IRQHandler,
    RTC0_IRQHandler,
    TEMP_IRQHandler,
    RNG_IRQHandler,
    ECB_IRQHandler,
    CCM_AAR_IRQHandler,
    WDT_IRQHandler,
    RTC1_IRQHandler,
    QDEC_IRQHandler,
    LPCOMP_IRQHandler,
    SWI0_IRQHandler,
    SWI1_IRQHandler,
    SWI2_IRQHandler,
    SWI3_IRQHandler,
    SWI4_IRQHandler,
    SWI5_IRQHandler,
    Reserved26_IRQHandler,
    Reserved27_IRQHandler,
    Reserved28_IRQHandler,
    Reserved29_IRQHandler,
    Reserved30_IRQHandler,
    Reserved31_IRQHandler,
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

// A tail jump, so that UnhandledException sees the exception's stack frame and LR unchanged.
extern "C" __attribute__((naked)) void Default_Handler() {
  asm volatile(
      "ldr r0, =UnhandledException\n"
      "bx r0\n"
      ".ltorg\n");
}

extern "C" __attribute__((weak)) void UnhandledException() {
  bleota::nrf51::SystemReset(bleota::boot::ResetCause::kLockup);
}
