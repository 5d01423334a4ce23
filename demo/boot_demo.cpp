// The real bootloader (core/) on the simulated SoC (ports/sim/), told as a story: install in test
// mode, confirm, an update that never confirms and is reverted, a forged image refused, a
// broken trigger path caught by the health flag, and both slots corrupted -> golden image.
#include <cstdio>
#include <string>

#include "test_device.hpp"

namespace bleota::boot::testing {
namespace {

LayoutSpec DemoLayout() {
  // nRF52840 timing and 4 KiB pages; 32 KiB slots keep the demo quick.
  return SmallLayouts()[0];
}

const char* Action(const BootDecision& d) {
  return d.action == BootAction::kJumpToApplication ? "runs the app"
                                                    : "stays in OTA bootloader mode";
}

bool Boot(TestDevice& device, const char* what) {
  const uint64_t t0 = device.soc().clock().now_us();
  Result<BootDecision> d = device.Boot();
  if (!d.ok()) {
    std::printf("  boot failed: %s\n", d.status().name());
    return false;
  }
  std::string running;
  if (d->action == BootAction::kJumpToApplication) {
    running = ", version " + std::to_string(d->version.major) + (d->testing ? " in test mode" : "");
  }
  std::printf("  %-40s -> %s%s (reason %s, %.2f s of flash work)\n", what, Action(*d),
              running.c_str(), BootReasonName(d->reason),
              (device.soc().clock().now_us() - t0) / 1e6);
  if (d->refused_pending) {
    std::printf("  %-40s    the pending image was refused: %s\n", "",
                StatusCodeName(d->refused_status));
  }
  return true;
}

int Run() {
  TestDevice device(DemoLayout());
  auto golden = MakeImage({.major = 0, .seed = 100, .security_counter = 1});
  auto v1 = MakeImage({.major = 1, .payload_size = 20000, .seed = 1, .security_counter = 1});
  auto v2 = MakeImage(
      {.major = 2, .payload_size = 24000, .seed = 2, .security_counter = 1, .encrypted = true});
  auto v3 = MakeImage({.major = 3, .payload_size = 22000, .seed = 3, .security_counter = 1});
  host::PrivateKey stranger = host::GenerateKey(host::KeyType::kEcdsaP256);
  auto forged = MakeImage({.major = 9, .seed = 9, .signer = &stranger});

  std::printf("Factory: golden image v0 and app v1 provisioned (all with security counter 1).\n");
  device.ProvisionGolden(golden);
  device.ProvisionPrimary(v1);
  bool ok = Boot(device, "power on");

  std::printf("\nUpdate to v2 (encrypted), installed in test mode, confirmed by the app:\n");
  ok = ok && device.AppOfferUpdate(v2, false).ok();
  device.soc().Reset(ResetCause::kSoftware);
  ok = ok && Boot(device, "reset after upload");
  ok = ok && device.AppConfirm().ok();
  device.soc().Reset(ResetCause::kSoftware);
  ok = ok && Boot(device, "reset after the app confirmed");

  std::printf("\nUpdate to v3, which hangs before it confirms:\n");
  ok = ok && device.AppOfferUpdate(v3, false).ok();
  device.soc().Reset(ResetCause::kSoftware);
  ok = ok && Boot(device, "reset after upload");
  device.soc().AdvanceTime(2'000'000);
  device.soc().ResetIfWatchdogDue();
  ok = ok && Boot(device, "watchdog reset, v3 never confirmed");

  std::printf("\nA forged image (signed with an unknown key):\n");
  ok = ok && device.AppOfferUpdate(forged, true).ok();
  device.soc().Reset(ResetCause::kSoftware);
  ok = ok && Boot(device, "reset after upload");

  std::printf("\nThe app keeps running but stops advertising (trigger path broken):\n");
  device.AppSetHealthy();
  device.soc().AdvanceTime(2'000'000);
  device.soc().ResetIfWatchdogDue();
  ok = ok && Boot(device, "periodic watchdog reset, flag was set");
  device.soc().AdvanceTime(2'000'000);
  device.soc().ResetIfWatchdogDue();
  ok = ok && Boot(device, "periodic watchdog reset, flag missing");

  std::printf("\nThe update button held at reset:\n");
  device.soc().button().Press();
  device.soc().Reset(ResetCause::kPin);
  ok = ok && Boot(device, "pin reset with the button held");
  device.soc().button().Release();

  std::printf("\nPrimary and secondary both corrupted:\n");
  auto& raw = device.soc().sim_flash().raw();
  raw[device.spec().primary_offset + 0x400] ^= 0x80;
  raw[device.spec().secondary_offset + 0x10] ^= 0x80;
  device.soc().PowerCycle();
  ok = ok && Boot(device, "power on");

  std::printf("\nAfter handover the app cannot touch the bootloader or the golden image:\n");
  Flash& app = device.soc().flash(sim::Requester::kApplication);
  const uint8_t word[4] = {0, 0, 0, 0};
  Status write = app.Program(0x100, word);
  uint8_t out[4];
  Status read = app.Read(device.spec().golden_offset, out);
  std::printf("  app writes the bootloader area: %s; app reads the golden slot: %s\n", write.name(),
              read.name());
  std::printf("  protection faults recorded: %zu\n", device.soc().faults().size());
  return ok ? 0 : 1;
}

}  // namespace
}  // namespace bleota::boot::testing

int main() { return bleota::boot::testing::Run(); }
