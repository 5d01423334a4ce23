#include "bleota/nrf51/tick_timer.hpp"

#include "bleota/nrf51/mmio.hpp"

namespace bleota::nrf51 {
namespace {

constexpr uint32_t kTimer0Base = 0x40008000;
constexpr uint32_t kStart = kTimer0Base + 0x000;
constexpr uint32_t kStop = kTimer0Base + 0x004;
constexpr uint32_t kClear = kTimer0Base + 0x00C;
constexpr uint32_t kCapture0 = kTimer0Base + 0x040;
constexpr uint32_t kMode = kTimer0Base + 0x504;
constexpr uint32_t kBitMode = kTimer0Base + 0x508;
constexpr uint32_t kPrescaler = kTimer0Base + 0x510;
constexpr uint32_t kCc0 = kTimer0Base + 0x540;

}  // namespace

void TickTimer::Start() {
  Reg(kStop) = 1;
  Reg(kMode) = 0;     // timer
  Reg(kBitMode) = 3;  // 32 bits
  Reg(kPrescaler) = 0;
  Reg(kClear) = 1;
  Reg(kStart) = 1;
}

uint32_t TickTimer::Ticks() {
  Reg(kCapture0) = 1;
  return Reg(kCc0);
}

}  // namespace bleota::nrf51
