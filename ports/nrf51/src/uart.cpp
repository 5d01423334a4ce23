#include "bleota/nrf51/uart.hpp"

#include "bleota/nrf51/mmio.hpp"

namespace bleota::nrf51 {
namespace {

constexpr uint32_t kStartRx = kUart0Base + 0x000;
constexpr uint32_t kStartTx = kUart0Base + 0x008;
constexpr uint32_t kEventRxdRdy = kUart0Base + 0x108;
constexpr uint32_t kEventTxdRdy = kUart0Base + 0x11C;
constexpr uint32_t kEventError = kUart0Base + 0x124;
constexpr uint32_t kErrorSrc = kUart0Base + 0x480;
constexpr uint32_t kEnable = kUart0Base + 0x500;
constexpr uint32_t kPselTxd = kUart0Base + 0x50C;
constexpr uint32_t kPselRxd = kUart0Base + 0x514;
constexpr uint32_t kRxd = kUart0Base + 0x518;
constexpr uint32_t kTxd = kUart0Base + 0x51C;
constexpr uint32_t kBaudrate = kUart0Base + 0x524;
constexpr uint32_t kConfig = kUart0Base + 0x56C;

constexpr uint32_t kTxPin = 24;
constexpr uint32_t kRxPin = 25;
constexpr uint32_t kBaud115200 = 0x01D7E000;
constexpr uint32_t kEnableUart = 4;

}  // namespace

void Uart0::Init() {
  Reg(kPselTxd) = kTxPin;
  Reg(kPselRxd) = kRxPin;
  Reg(kBaudrate) = kBaud115200;
  Reg(kConfig) = 0;  // no parity, no hardware flow control
  Reg(kEnable) = kEnableUart;
  Reg(kEventTxdRdy) = 0;
  Reg(kEventRxdRdy) = 0;
  Reg(kStartTx) = 1;
  Reg(kStartRx) = 1;
}

void Uart0::Write(ConstByteSpan bytes) {
  for (uint8_t b : bytes) {
    Reg(kTxd) = b;
    while (Reg(kEventTxdRdy) == 0) {
    }
    Reg(kEventTxdRdy) = 0;
  }
}

void Uart0::Write(std::string_view text) {
  Write(ConstByteSpan(reinterpret_cast<const uint8_t*>(text.data()), text.size()));
}

bool Uart0::TryRead(uint8_t& byte) {
  if (Reg(kEventError) != 0) {
    // Overrun/framing errors: clear them (write 1s to ERRORSRC) so reception goes on.
    Reg(kEventError) = 0;
    Reg(kErrorSrc) = Reg(kErrorSrc);
  }
  if (Reg(kEventRxdRdy) == 0) return false;
  // Clear the event before reading RXD: reading it sets the event again for the next byte.
  Reg(kEventRxdRdy) = 0;
  byte = static_cast<uint8_t>(Reg(kRxd));
  return true;
}

void PrintDecimal(uint32_t value) {
  char digits[10];
  int n = 0;
  do {
    digits[n++] = static_cast<char>('0' + value % 10);
    value /= 10;
  } while (value != 0);
  char out[10];
  for (int i = 0; i < n; ++i) out[i] = digits[n - 1 - i];
  Uart0::Write(std::string_view(out, static_cast<size_t>(n)));
}

void PrintHex(uint32_t value) {
  char out[10] = {'0', 'x'};
  for (int i = 0; i < 8; ++i) {
    const uint32_t nibble = (value >> (28 - 4 * i)) & 0xF;
    out[2 + i] = static_cast<char>(nibble < 10 ? '0' + nibble : 'a' + nibble - 10);
  }
  Uart0::Write(std::string_view(out, sizeof(out)));
}

}  // namespace bleota::nrf51
