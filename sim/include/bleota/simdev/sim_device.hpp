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

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bleota/boot/bootloader.hpp"
#include "bleota/boot/flash_layout.hpp"
#include "bleota/sim/sim_soc.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/device_firmware.hpp"
#include "bleota/simdev/state_dir.hpp"
#include "bleota/smp/smp_link.hpp"

namespace bleota::sim {

enum class DeviceMode : uint8_t {
  kApplication,    // the bootloader jumped: the example application serves SMP
  kBootloaderOta,  // the bootloader stayed in OTA mode and serves SMP itself
  kHalted,         // the boot failed (flash or OTP error): nothing runs until the next reset
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
  // BLE centrals can connect (the firmware runs and advertises).
  bool advertising() const { return firmware_ != nullptr; }
  uint32_t boots() const { return boots_; }

 private:
  void Boot();
  void StartFirmware(const boot::BootDecision& decision);
  void LoadApplicationKeys();
  void Log(const std::string& line);

  StateDir state_;
  LogSink log_;
  smp::SmpLinkSink* serial_sink_;
  DeviceConfig config_;
  std::unique_ptr<SimSoc> soc_;
  std::optional<boot::BootLayout> bootloader_layout_;   // bootloader's flash views
  std::optional<boot::BootLayout> application_layout_;  // application's flash views
  std::vector<uint8_t> work_;
  PublicSigningKeys app_keys_;
  DeviceMode mode_ = DeviceMode::kHalted;
  std::optional<boot::BootDecision> last_decision_;
  std::unique_ptr<DeviceFirmware> firmware_;
  uint32_t boots_ = 0;
  uint64_t saved_flash_ops_ = 0;
  uint64_t saved_otp_ops_ = 0;
};

// "1.2.3" or "1.2.3+4" (build number when not 0).
std::string VersionString(const image::ImageVersion& version);

}  // namespace bleota::sim
