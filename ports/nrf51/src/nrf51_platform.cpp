#include "bleota/nrf51/nrf51_platform.hpp"

#include "bleota/nrf51/layout_config.hpp"
#include "bleota/nrf51/mmio.hpp"
#include "bleota/nrf51/reset.hpp"

namespace bleota::nrf51 {
namespace {

constexpr uint32_t kButtonAPin = 17;
constexpr uint32_t kGpioIn = kGpioBase + 0x510;
constexpr uint32_t kGpioPinCnf = kGpioBase + 0x700;
constexpr uint32_t kPinInputPullUp = (0u << 0) | (0u << 1) | (3u << 2);  // input, connect, pull-up

constexpr uint32_t kWdtStart = kWdtBase + 0x000;
constexpr uint32_t kWdtCrv = kWdtBase + 0x504;
constexpr uint32_t kWdtRren = kWdtBase + 0x508;
constexpr uint32_t kWdtConfig = kWdtBase + 0x50C;
constexpr uint32_t kWdtRr0 = kWdtBase + 0x600;
constexpr uint32_t kWdtReloadValue = 0x6E524635;
constexpr uint32_t kWdtClockHz = 32768;

constexpr uint32_t kMpuProtEnSet0 = kPowerBase + 0x600;
constexpr uint32_t kMpuProtEnSet1 = kPowerBase + 0x604;
constexpr uint32_t kMpuProtBlockSize = kPowerBase + 0x60C;

Status Protect(const boot::ProtectionConfig::Range& range, uint64_t& blocks) {
  if (range.offset % kProtectionBlockSize != 0 || range.size % kProtectionBlockSize != 0 ||
      !RangeWithin(range.offset, range.size, kFlashSize)) {
    return StatusCode::kInvalidArgument;
  }
  for (uint32_t b = range.offset / kProtectionBlockSize;
       b < (range.offset + range.size) / kProtectionBlockSize; ++b) {
    blocks |= uint64_t{1} << b;
  }
  return StatusCode::kOk;
}

}  // namespace

bool Nrf51Platform::update_button_pressed() {
  Reg(kGpioPinCnf + 4 * kButtonAPin) = kPinInputPullUp;
  return (Reg(kGpioIn) & (1u << kButtonAPin)) == 0;
}

ByteSpan Nrf51Platform::retained_ram() { return RetainedRecordRam(); }

void Nrf51Platform::StartWatchdog(uint32_t period_ms) {
  const uint64_t ticks = uint64_t{period_ms} * kWdtClockHz / 1000;
  Reg(kWdtCrv) = ticks > 0xFFFFFFFFu ? 0xFFFFFFFFu : static_cast<uint32_t>(ticks);
  Reg(kWdtRren) = 1;    // reload register 0 only
  Reg(kWdtConfig) = 1;  // keep running while the CPU sleeps, pause while halted by a debugger
  Reg(kWdtStart) = 1;
}

void Nrf51Platform::KickWatchdog() { Reg(kWdtRr0) = kWdtReloadValue; }

Status Nrf51Platform::ReadOtp(uint32_t, ByteSpan) { return StatusCode::kUnsupported; }

Status Nrf51Platform::ProgramOtp(uint32_t, ConstByteSpan) { return StatusCode::kUnsupported; }

Status Nrf51Platform::ApplyProtection(const boot::ProtectionConfig& config) {
  uint64_t blocks = 0;
  for (int i = 0; i < config.no_access_count; ++i) BLEOTA_TRY(Protect(config.no_access[i], blocks));
  for (int i = 0; i < config.read_only_count; ++i) BLEOTA_TRY(Protect(config.read_only[i], blocks));
  Reg(kMpuProtBlockSize) = 0;  // 4 KiB blocks
  Reg(kMpuProtEnSet0) = static_cast<uint32_t>(blocks);
  Reg(kMpuProtEnSet1) = static_cast<uint32_t>(blocks >> 32);
  return StatusCode::kOk;
}

}  // namespace bleota::nrf51
