// A simulated device as a whole: the simulated SoC (ports/sim) with the flash layout of its
// DeviceConfig and keys in key OTP, the real bootloader (core/) run at every power-on and reset,
// and then either the example application or the bootloader's OTA mode, both serving SMP.
//
// The application is modelled, not executed: when the bootloader jumps, the device serves SMP
// (OS group + image group) through the application's flash views, with no keys (key OTP is
// locked for it), sets the "trigger path healthy" flag, and confirms its image only when
// AppBehaviour::auto_confirm says so. In OTA mode the same groups run on the bootloader's views
// with the keys read again from key OTP. An SMP reset is done after its response is sent
// (RunRequestedReset): the bootloader then installs or reverts, in virtual time.
//
// Persistence: flash and OTP are saved to the state directory after every boot and every SMP
// request that changed them (Persist), so a killed process is a power cut between two requests
// and a restarted one continues with the same device (a power-on boot).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bleota/boot/bootloader.hpp"
#include "bleota/boot/flash_layout.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/sim/sim_soc.hpp"
#include "bleota/simdev/app_behaviour.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/device_firmware.hpp"
#include "bleota/simdev/state_dir.hpp"
#include "bleota/smp/smp_link.hpp"

namespace bleota::sim {

enum class DeviceMode : uint8_t {
  kApplication,    // the bootloader jumped: the example application serves SMP
  kBootloaderOta,  // the bootloader stayed in OTA mode and serves SMP itself
  kHalted,         // the boot failed (flash or OTP error): nothing runs until the next reset
  kOff,            // the power is cut: nothing runs until PowerOn()
};

const char* DeviceModeName(DeviceMode mode);

struct FactoryImages {
  std::vector<uint8_t> primary;  // the application image provisioned into the primary slot
  std::vector<uint8_t> golden;   // empty: none (needs a golden slot in the layout otherwise)
};

class SimDevice {
 public:
  using LogSink = std::function<void(const std::string& line)>;

  // Creates a new device in `state` (which must not hold one yet): writes device.json, key OTP
  // and the factory images. Throws host::HostError (kUsage: the state directory already holds a
  // device or the layout is invalid; kImage: an image does not fit its slot).
  static void Provision(const StateDir& state, const DeviceConfig& config,
                        std::span<const uint8_t> key_otp_record, const FactoryImages& images);

  // Loads the device from `state` (throws host::HostError) and powers it on (a boot).
  // `serial_sink` is the device's serial line (the pty), if it has one.
  SimDevice(const StateDir& state, LogSink log, smp::SmpLinkSink* serial_sink = nullptr);
  ~SimDevice();
  SimDevice(const SimDevice&) = delete;
  SimDevice& operator=(const SimDevice&) = delete;

  // Power cycle, or a reset of the given cause, followed by a boot. The state is persisted.
  void PowerCycle();
  void Reset(boot::ResetCause cause);

  // SMP input for whatever runs now (nothing while halted: the input is dropped). Each call
  // persists the state when it changed. When result.reset_requested, the reply went out and the
  // caller runs RunRequestedReset() before feeding any rest of the input.
  smp::SmpTransportResult OnUdpDatagram(ConstByteSpan datagram, smp::SmpLinkSink& reply);
  smp::SmpTransportResult OnSerialBytes(ConstByteSpan bytes);
  // One whole request packet straight to the SMP server (in-process tests); the response
  // (empty: none).
  std::vector<uint8_t> HandleSmp(std::span<const uint8_t> request);
  // One write to a BLE SMP transport built on firmware()'s server and reset request
  // (BleDeviceSession); persisted as OnUdpDatagram.
  smp::SmpTransportResult OnBleWrite(smp::BleSmpTransport& transport, ConstByteSpan write);

  // An SMP reset was accepted and its reply sent: resets (software reset) and boots.
  bool reset_requested() const;
  void RunRequestedReset();

  // Writes flash and OTP to the state directory if they changed since the last save.
  void Persist();

  DeviceMode mode() const { return mode_; }
  const std::optional<boot::BootDecision>& last_decision() const { return last_decision_; }
  const DeviceConfig& config() const { return config_; }
  SimSoc& soc() { return *soc_; }
  // What runs now (nullptr while halted); replaced at every boot.
  DeviceFirmware* firmware() { return firmware_.get(); }
  // BLE centrals can connect: the firmware runs and advertises (the OTA mode does; the
  // application unless its fault stopped it). False while off or halted.
  bool advertising() const;
  uint32_t boots() const { return boots_; }

  // Controls (docs/simulator.md, "Controls"): what an operator does to a running device. Each
  // logs what it does and persists the state.
  // Cuts the power now: the device is off (input is dropped) until PowerOn().
  void CutPower();
  // Arms a power cut at the `nth` flash operation (a program or a sector erase) from now, 1
  // being the next one, torn as `mode` says; the device is off after it.
  void ArmPowerCut(uint64_t nth, CutMode mode);
  // Flash operations left until the armed cut (1: the next one), if one is armed.
  std::optional<uint64_t> flash_ops_until_cut() const;
  // Powers an off device on: a power-on boot.
  void PowerOn();
  // Holds or releases the update button (the bootloader samples it at every boot).
  void SetButton(bool held);
  // Gives the application build a fault (app_behaviour.hpp; kNone clears it): the image in
  // primary, or the one an install is pending for. Returns what it applied to. Throws
  // host::HostError(kUsage) when there is no application image to give it to.
  std::string SetAppFault(AppFault fault);
  // The fault of the application that runs now (kNone when none runs or it has none).
  AppFault running_app_fault() const {
    return mode_ == DeviceMode::kApplication ? running_fault_ : AppFault::kNone;
  }
  // Flips one bit in each of 8 bytes spread over the image a slot holds (all of the slot when
  // it holds no image), as bit rot would. The bootloader notices at the next boot. Returns what
  // it changed.
  std::string CorruptSlot(bool secondary);
  // Runs the device for `us` of virtual time: the running firmware's main loop kicks the
  // watchdog (unless the app's fault stops it), a crashing build faults, a watchdog that was not
  // kicked resets the device. Off: time passes, nothing runs.
  void Advance(uint64_t us);
  // True when the application runs an image that is not in test mode.
  bool RunningImageConfirmed();
  // A log line stamped with the virtual time.
  void Log(const std::string& line);

 private:
  struct SlotImage {
    std::array<uint8_t, 32> id;  // the SHA256 TLV: the same plaintext or encrypted
    image::ImageVersion version;
    uint32_t offset;  // from the start of the slot
    image::ImageLayout layout;
  };

  void Boot();
  void StartFirmware(const boot::BootDecision& decision);
  void LoadApplicationKeys();
  // The image in `slot` at `at`, read from the raw flash (works while off).
  std::optional<SlotImage> ImageIn(const FlashArea& slot, uint32_t at) const;
  // The image an install is pending for, if any (needs power: reads the boot state).
  std::optional<SlotImage> PendingImage();
  // The cut ArmPowerCut armed has happened (the flash lost its power at that operation).
  bool ArmedCutHappened();
  // After SMP input: a power cut it ran into turns the device off; else due timers fire.
  void AfterInput();
  void EnterOff(const std::string& why);
  // A crash or watchdog reset whose time has come.
  void RunDueEvents();
  void Crash();

  StateDir state_;
  LogSink log_;
  smp::SmpLinkSink* serial_sink_;
  DeviceConfig config_;
  std::unique_ptr<SimSoc> soc_;
  std::optional<boot::BootLayout> bootloader_layout_;   // bootloader's flash views
  std::optional<boot::BootLayout> application_layout_;  // application's flash views
  // The flash itself (no protection unit, no watchdog): inspection and fault injection.
  std::optional<boot::BootLayout> host_layout_;
  std::vector<uint8_t> work_;
  PublicSigningKeys app_keys_;
  DeviceMode mode_ = DeviceMode::kHalted;
  std::optional<boot::BootDecision> last_decision_;
  std::unique_ptr<DeviceFirmware> firmware_;
  uint32_t boots_ = 0;
  // Runtime faults (app_behaviour.hpp): the faulty build and what the running app does.
  AppFault app_fault_ = AppFault::kNone;
  std::array<uint8_t, 32> faulty_build_{};
  AppFault running_fault_ = AppFault::kNone;
  std::optional<uint64_t> crash_at_us_;
  std::optional<uint64_t> cut_at_op_;  // SimFlash operation index of the armed cut
  uint64_t saved_flash_ops_ = 0;
  uint64_t saved_otp_ops_ = 0;
};

// "1.2.3" or "1.2.3+4" (build number when not 0).
std::string VersionString(const image::ImageVersion& version);

}  // namespace bleota::sim
