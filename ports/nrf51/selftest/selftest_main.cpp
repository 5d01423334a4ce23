// Self-test firmware for QEMU (test qemu.nrf51.selftest): prints over UART0, checks the NVMC
// flash driver on the spare pages after the layout (erase, program, read back, refusals), resets
// itself once and checks the reset cause, retained RAM and flash across the reset, then exits
// through semihosting with the number of failed checks.
#include <cstdint>
#include <cstring>

#include "bleota/nrf51/layout_config.hpp"
#include "bleota/nrf51/nvmc_flash.hpp"
#include "bleota/nrf51/reset.hpp"
#include "bleota/nrf51/semihosting.hpp"
#include "bleota/nrf51/uart.hpp"

namespace {

using namespace bleota;
using nrf51::Uart0;

// The last two pages: past every area of the layout (ports/nrf51/layout.cmake leaves them).
constexpr uint32_t kTestPage = nrf51::kFlashSize - 2 * nrf51::kPageSize;
constexpr uint32_t kStageMagic = 0x31475453;  // "STG1": the first run reset on purpose

uint32_t g_failures = 0;

void Check(bool ok, const char* what) {
  Uart0::Write(ok ? "pass: " : "FAIL: ");
  Uart0::Write(what);
  Uart0::Write("\n");
  if (!ok) ++g_failures;
}

bool AllBytes(ConstByteSpan bytes, uint8_t value) {
  for (uint8_t b : bytes) {
    if (b != value) return false;
  }
  return true;
}

void TestData(uint8_t (&data)[16]) {
  for (uint32_t i = 0; i < sizeof(data); ++i) data[i] = static_cast<uint8_t>(0xA0 + i);
}

void CheckFlash(nrf51::NvmcFlash& flash) {
  Check(flash.geometry().sector_count() == nrf51::kFlashSize / nrf51::kPageSize, "256 pages");
  Check(flash.Erase(kTestPage, 2 * nrf51::kPageSize).ok(), "erase two pages");
  uint8_t page[nrf51::kPageSize];
  Check(flash.Read(kTestPage, page).ok() && AllBytes(page, 0xFF), "erased pages read 0xFF");
  uint8_t data[16];
  TestData(data);
  Check(flash.Program(kTestPage + 8, data).ok(), "program 16 bytes");
  uint8_t back[24];
  Check(flash.Read(kTestPage + 4, back).ok() && AllBytes(ConstByteSpan(back, 4), 0xFF) &&
            std::memcmp(back + 4, data, sizeof(data)) == 0 &&
            AllBytes(ConstByteSpan(back + 20, 4), 0xFF),
        "read back the programmed bytes, neighbours erased");
  Check(flash.Program(kTestPage + 8, data).code() == StatusCode::kFlashNotErased,
        "programming a written word is refused");
  Check(flash.Program(kTestPage + 2, ConstByteSpan(data, 4)).code() == StatusCode::kFlashAlignment,
        "unaligned program refused");
  Check(flash.Erase(kTestPage + 4, nrf51::kPageSize).code() == StatusCode::kFlashAlignment,
        "unaligned erase refused");
  Check(flash.Read(nrf51::kFlashSize - 4, ByteSpan(back, 8)).code() == StatusCode::kOutOfRange,
        "read past the end refused");
  Check(flash.Erase(kTestPage + nrf51::kPageSize, nrf51::kPageSize).ok() &&
            flash.Read(kTestPage, back).ok() && std::memcmp(back + 8, data, 16) == 0,
        "erasing a page leaves the one before it");
}

}  // namespace

int main() {
  Uart0::Init();
  const boot::ResetCause cause = nrf51::ReadResetCause();
  ByteSpan retained = nrf51::RetainedRecordRam();
  nrf51::NvmcFlash flash;
  if (LoadLe32(retained.data()) != kStageMagic) {
    Uart0::Write("bleota nrf51 selftest\n");
    Check(cause == boot::ResetCause::kPowerOn || cause == boot::ResetCause::kPin,
          "a fresh start reads as power-on (RESETREAS says pin in QEMU)");
    CheckFlash(flash);
    StoreLe32(retained.data(), kStageMagic);
    StoreLe32(retained.data() + 4, g_failures);
    Uart0::Write("selftest: software reset\n");
    nrf51::SystemReset(boot::ResetCause::kSoftware);
  }
  g_failures = LoadLe32(retained.data() + 4);
  StoreLe32(retained.data(), 0);
  Check(cause == boot::ResetCause::kSoftware, "after the reset: cause software, retained RAM kept");
  uint8_t data[16];
  TestData(data);
  uint8_t back[16];
  Check(flash.Read(kTestPage + 8, back).ok() && std::memcmp(back, data, sizeof(data)) == 0,
        "after the reset: programmed flash kept");
  Uart0::Write("selftest: ");
  nrf51::PrintDecimal(g_failures);
  Uart0::Write(" failed\n");
  nrf51::SemihostingExit(g_failures);
}
