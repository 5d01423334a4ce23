// The bleota bootloader on the nRF51822: runs the boot decision (finish or start a swap, revert,
// verify primary with the compiled-in key), then jumps to the application or stays in OTA mode
// serving SMP over UART0. Prints one line per decision on UART0 (115200 8N1).
#include <cstdint>

#include "bleota/boot/bootloader.hpp"
#include "bleota/boot/flash_layout.hpp"
#include "bleota/nrf51/jump.hpp"
#include "bleota/nrf51/layout_config.hpp"
#include "bleota/nrf51/nrf51_platform.hpp"
#include "bleota/nrf51/nvmc_flash.hpp"
#include "bleota/nrf51/reset.hpp"
#include "bleota/nrf51/tick_timer.hpp"
#include "bleota/nrf51/trusted_keys.hpp"
#include "bleota/nrf51/uart.hpp"
#include "ota_mode.hpp"

namespace {

using namespace bleota;
using nrf51::Uart0;

// Copy and verify buffer of the bootloader: one flash page.
constexpr size_t kBootWorkSize = 1024;
alignas(4) uint8_t g_boot_work[kBootWorkSize];

void PrintVersion(const image::ImageVersion& v) {
  nrf51::PrintDecimal(v.major);
  Uart0::Write(".");
  nrf51::PrintDecimal(v.minor);
  Uart0::Write(".");
  nrf51::PrintDecimal(v.revision);
  Uart0::Write("+");
  nrf51::PrintDecimal(v.build);
}

// Kept out of main() so the Bootloader and its state leave the stack before OTA mode starts.
__attribute__((noinline)) Result<boot::BootDecision> DecideBoot(const boot::BootAreas& areas,
                                                                boot::Platform& platform) {
  boot::BootConfig config;
  config.keys = nrf51::TrustedKeys();
  config.max_test_boots = 1;
  // Without a watchdog on the emulated part (and none started) there is no health check.
  config.health_miss_limit = 0;
  config.watchdog_period_ms = 0;
  boot::Bootloader bootloader(areas, platform, config, g_boot_work);
  return bootloader.Boot();
}

}  // namespace

int main() {
  // Exceptions are the bootloader's own until the jump (retained RAM may hold the last app's).
  nrf51::SetForwardedVectorTable(0);
  Uart0::Init();
  nrf51::TickTimer::Start();
  const boot::ResetCause cause = nrf51::ReadResetCause();
  Uart0::Write("bleota bootloader (nrf51), reset: ");
  Uart0::Write(boot::ResetCauseName(cause));
  Uart0::Write("\n");

  nrf51::NvmcFlash flash;
  Result<boot::BootLayout> layout = boot::BootLayout::Create(flash, nrf51::kLayout);
  if (!layout.ok()) {
    // A build whose layout does not fit the part: nothing can be done safely.
    Uart0::Write("boot: the flash layout does not fit: ");
    Uart0::Write(layout.status().name());
    Uart0::Write("\n");
    for (;;) {
    }
  }
  const boot::BootAreas areas = layout->areas();
  nrf51::Nrf51Platform platform(cause);
  const Result<boot::BootDecision> decision = DecideBoot(areas, platform);
  const uint32_t ticks = nrf51::TickTimer::Ticks();

  Uart0::Write("boot: ");
  if (!decision.ok()) {
    Uart0::Write("failed (");
    Uart0::Write(decision.status().name());
    Uart0::Write(")");
  } else {
    Uart0::Write(boot::BootReasonName(decision->reason));
    if (decision->refused_pending) {
      Uart0::Write(", pending image refused (");
      Uart0::Write(StatusCodeName(decision->refused_status));
      Uart0::Write(")");
    }
  }
  Uart0::Write(", ");
  nrf51::PrintDecimal(ticks);
  Uart0::Write(" ticks at 16 MHz\n");

  if (decision.ok() && decision->action == boot::BootAction::kJumpToApplication) {
    const uint32_t code_end = areas.primary->offset() + areas.primary->size();
    if (nrf51::VectorTableLooksValid(decision->app_offset, decision->app_offset, code_end)) {
      Uart0::Write("boot: starting application ");
      PrintVersion(decision->version);
      Uart0::Write(decision->testing ? " (test boot)\n" : "\n");
      nrf51::JumpToApplication(decision->app_offset);
    }
    Uart0::Write("boot: the application's vector table is not plausible\n");
  }
  Uart0::Write("boot: OTA mode\n");
  nrf51::RunOtaMode(areas, nrf51::TrustedKeys());
}
