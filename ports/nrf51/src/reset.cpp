#include "bleota/nrf51/reset.hpp"

#include <cstddef>

#include "bleota/nrf51/mmio.hpp"

namespace bleota::nrf51 {

// The whole of retained RAM: the bootloader's and the application's .retained sections hold only
// this, so both see the same layout at the start of RAM.
struct RetainedRam {
  uint32_t magic;
  uint32_t cause;
  uint32_t check;        // ~(magic ^ cause)
  uint32_t app_vectors;  // see SetForwardedVectorTable
  uint8_t record[kRetainedRecordBytes];
};
static_assert(sizeof(RetainedRam) == 32, "must match NRF51_RETAINED_SIZE in layout.cmake");
static_assert(offsetof(RetainedRam, app_vectors) == kRetainedAppVectorsOffset);

}  // namespace bleota::nrf51

// Named so that the bootloader's exception forwarder (assembly) can find it.
extern "C" {
__attribute__((section(".retained"))) bleota::nrf51::RetainedRam bleota_nrf51_retained;
}

namespace bleota::nrf51 {
namespace {

constexpr uint32_t kResetReas = kPowerBase + 0x400;
constexpr uint32_t kResetPin = 1u << 0;
constexpr uint32_t kResetDog = 1u << 1;
constexpr uint32_t kResetSoftware = 1u << 2;
constexpr uint32_t kResetLockup = 1u << 3;
constexpr uint32_t kMarkerMagic = 0x54535242;  // "BRST"
constexpr uint32_t kAircrSysResetReq = 0x05FA0004;

RetainedRam& g_retained = bleota_nrf51_retained;

bool g_cause_known = false;
boot::ResetCause g_cause = boot::ResetCause::kPowerOn;

boot::ResetCause FromResetReas(uint32_t reas) {
  if (reas & kResetDog) return boot::ResetCause::kWatchdog;
  if (reas & kResetLockup) return boot::ResetCause::kLockup;
  if (reas & kResetSoftware) return boot::ResetCause::kSoftware;
  return boot::ResetCause::kPin;
}

}  // namespace

boot::ResetCause ReadResetCause() {
  if (g_cause_known) return g_cause;
  const uint32_t reas = Reg(kResetReas);
  const RetainedRam marker = g_retained;
  g_retained.magic = 0;
  g_retained.cause = 0;
  g_retained.check = 0;
  // The marker first: QEMU's RESETREAS always reads RESETPIN. On silicon both agree.
  if (marker.magic == kMarkerMagic && marker.check == ~(marker.magic ^ marker.cause) &&
      marker.cause <= static_cast<uint32_t>(boot::ResetCause::kLockup)) {
    g_cause = static_cast<boot::ResetCause>(marker.cause);
  } else if (reas != 0) {
    g_cause = FromResetReas(reas);
  } else {
    g_cause = boot::ResetCause::kPowerOn;
  }
  if (reas != 0) Reg(kResetReas) = reas;  // the bits accumulate until written back
  g_cause_known = true;
  return g_cause;
}

void SystemReset(boot::ResetCause cause) {
  const uint32_t value = static_cast<uint32_t>(cause);
  g_retained.magic = kMarkerMagic;
  g_retained.cause = value;
  g_retained.check = ~(kMarkerMagic ^ value);
  asm volatile("dsb" ::: "memory");
  Reg(kScbAircr) = kAircrSysResetReq;
  asm volatile("dsb" ::: "memory");
  for (;;) {
  }
}

ByteSpan RetainedRecordRam() { return ByteSpan(g_retained.record, sizeof(g_retained.record)); }

void SetForwardedVectorTable(uint32_t vector_table) { g_retained.app_vectors = vector_table; }

}  // namespace bleota::nrf51
