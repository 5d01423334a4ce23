// The state directory of a simulated device: what survives the simulator process, so that a
// restarted simulator (or one killed mid-operation: a power cut) continues with the same device.
//   device.json  the device description (DeviceConfig), written once at provisioning
//   flash.bin    the whole flash content
//   otp.bin      the whole OTP content
// flash.bin and otp.bin are replaced atomically (write to a temporary file, then rename), so a
// killed process leaves either the old or the new content, never a mix.
#pragma once

#include <cstdint>
#include <filesystem>
#include <span>
#include <vector>

#include "bleota/simdev/device_config.hpp"

namespace bleota::sim {

class StateDir {
 public:
  explicit StateDir(std::filesystem::path dir) : dir_(std::move(dir)) {}

  const std::filesystem::path& path() const { return dir_; }
  // True when the directory holds a provisioned device (device.json exists).
  bool provisioned() const;

  // Creates the directory (and parents) if needed. Throws host::HostError(kIo).
  void Create() const;

  // Throw host::HostError(kIo) for file problems, kUsage for contents (a wrong size, bad JSON).
  DeviceConfig LoadConfig() const;
  void SaveConfig(const DeviceConfig& config) const;
  std::vector<uint8_t> LoadFlash(uint32_t expected_size) const;
  std::vector<uint8_t> LoadOtp(uint32_t expected_size) const;
  void SaveFlash(std::span<const uint8_t> bytes) const;
  void SaveOtp(std::span<const uint8_t> bytes) const;

  std::filesystem::path config_path() const { return dir_ / "device.json"; }
  std::filesystem::path flash_path() const { return dir_ / "flash.bin"; }
  std::filesystem::path otp_path() const { return dir_ / "otp.bin"; }

 private:
  std::filesystem::path dir_;
};

}  // namespace bleota::sim
