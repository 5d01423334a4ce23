// The example application for the nRF51 port: prints the version from its own image header,
// confirms itself when it runs in a test boot (after its start-up got this far, as a real app
// would after its self-checks), runs a 10 ms TIMER1 interrupt (which reaches it through the
// bootloader's exception forwarding: the Cortex-M0 has no VTOR) and takes commands on UART0 (one
// per line):
//   ota      ask the bootloader for OTA mode (retained RAM) and reset
//   reset    reset
//   version  print the version again
// Built with BLEOTA_EXAMPLE_APP_CONFIRMS=0 (target nrf51_example_app_unconfirmed) it stands for
// a faulty update that never confirms, so the tests can show the bootloader's revert.
#include <cstdint>
#include <string_view>

#include "bleota/boot/flash_layout.hpp"
#include "bleota/boot/image_control.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/nrf51/layout_config.hpp"
#include "bleota/nrf51/mmio.hpp"
#include "bleota/nrf51/nvmc_flash.hpp"
#include "bleota/nrf51/reset.hpp"
#include "bleota/nrf51/uart.hpp"

#ifndef BLEOTA_EXAMPLE_APP_CONFIRMS
#define BLEOTA_EXAMPLE_APP_CONFIRMS 1
#endif

namespace {

using namespace bleota;
using nrf51::Reg;
using nrf51::Uart0;

constexpr uint32_t kTimer1Base = 0x40009000;
constexpr uint32_t kTimer1Irq = 9;
constexpr uint32_t kNvicIser = 0xE000E100;
constexpr uint32_t kTicksReported = 3;

volatile uint32_t g_timer_ticks = 0;

// TIMER1 at 1 MHz, compare 0 every 10 ms (cleared by the SHORTS), its interrupt enabled.
void StartTimerInterrupt() {
  Reg(kTimer1Base + 0x504) = 0;         // MODE: timer
  Reg(kTimer1Base + 0x508) = 3;         // BITMODE: 32 bits
  Reg(kTimer1Base + 0x510) = 4;         // PRESCALER: 16 MHz / 2^4
  Reg(kTimer1Base + 0x540) = 10000;     // CC[0]
  Reg(kTimer1Base + 0x200) = 1;         // SHORTS: COMPARE[0] -> CLEAR
  Reg(kTimer1Base + 0x304) = 1u << 16;  // INTENSET: COMPARE[0]
  Reg(kNvicIser) = 1u << kTimer1Irq;
  Reg(kTimer1Base + 0x00C) = 1;  // TASKS_CLEAR
  Reg(kTimer1Base + 0x000) = 1;  // TASKS_START
  asm volatile("cpsie i" ::: "memory");
}

void PrintVersion(FlashArea& primary) {
  Result<image::ImageLayout> layout = image::ParseImageHeader(primary);
  Uart0::Write("app: bleota example ");
  if (!layout.ok()) {
    Uart0::Write("(no readable image header)\n");
    return;
  }
  const image::ImageVersion& v = layout->header.version;
  nrf51::PrintDecimal(v.major);
  Uart0::Write(".");
  nrf51::PrintDecimal(v.minor);
  Uart0::Write(".");
  nrf51::PrintDecimal(v.revision);
  Uart0::Write("+");
  nrf51::PrintDecimal(v.build);
  Uart0::Write("\n");
}

void RunCommand(std::string_view line, FlashArea& primary) {
  if (line == "ota") {
    Uart0::Write("app: asking the bootloader for OTA mode\n");
    boot::RequestOtaMode(nrf51::RetainedRecordRam());
    nrf51::SystemReset(boot::ResetCause::kSoftware);
  } else if (line == "reset") {
    Uart0::Write("app: reset\n");
    nrf51::SystemReset(boot::ResetCause::kSoftware);
  } else if (line == "version") {
    PrintVersion(primary);
  } else if (!line.empty()) {
    Uart0::Write("app: unknown command (ota, reset, version)\n");
  }
}

}  // namespace

int main() {
  Uart0::Init();
  nrf51::ReadResetCause();  // consumes the reset marker the bootloader already judged
  nrf51::NvmcFlash flash;
  Result<boot::BootLayout> layout = boot::BootLayout::Create(flash, nrf51::kLayout);
  if (!layout.ok()) {
    Uart0::Write("app: the flash layout does not fit\n");
    for (;;) {
    }
  }
  const boot::BootAreas areas = layout->areas();
  PrintVersion(*areas.primary);

  boot::ImageControl control(*areas.boot_state);
  Result<boot::BootState> state = control.Read();
  if (!state.ok()) {
    Uart0::Write("app: boot state unreadable: ");
    Uart0::Write(state.status().name());
    Uart0::Write("\n");
  } else if (state->primary_testing && !BLEOTA_EXAMPLE_APP_CONFIRMS) {
    Uart0::Write("app: test boot, this build never confirms\n");
  } else if (state->primary_testing) {
    Uart0::Write("app: test boot, confirming the image\n");
    const Status confirmed = control.ConfirmRunningImage();
    Uart0::Write(confirmed.ok() ? "app: confirmed\n" : "app: confirm failed: ");
    if (!confirmed.ok()) {
      Uart0::Write(confirmed.name());
      Uart0::Write("\n");
    }
  } else {
    Uart0::Write("app: image confirmed\n");
  }

  StartTimerInterrupt();
  Uart0::Write("app: ready (commands: ota, reset, version)\n");
  char line[32];
  size_t length = 0;
  bool ticks_reported = false;
  for (;;) {
    if (!ticks_reported && g_timer_ticks >= kTicksReported) {
      Uart0::Write("app: timer interrupts arrive (forwarded by the bootloader)\n");
      ticks_reported = true;
    }
    uint8_t byte;
    if (!Uart0::TryRead(byte)) continue;
    if (byte == '\r' || byte == '\n') {
      RunCommand(std::string_view(line, length), *areas.primary);
      length = 0;
    } else if (length < sizeof(line)) {
      line[length++] = static_cast<char>(byte);
    }
  }
}

extern "C" void TIMER1_IRQHandler() {
  Reg(kTimer1Base + 0x140) = 0;  // EVENTS_COMPARE[0]
  g_timer_ticks = g_timer_ticks + 1;
}
