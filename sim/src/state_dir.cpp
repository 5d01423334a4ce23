#include "bleota/simdev/state_dir.hpp"

#include <cstdio>
#include <string>
#include <system_error>

#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"

namespace bleota::sim {
namespace {

constexpr size_t kMaxConfigBytes = 64 * 1024;

std::vector<uint8_t> LoadExact(const std::filesystem::path& path, uint32_t expected_size,
                               const char* what) {
  std::vector<uint8_t> bytes = host::ReadFileBounded(path, expected_size, what);
  if (bytes.size() != expected_size) {
    host::ThrowUsage(path.string() + ": " + what + " has " + std::to_string(bytes.size()) +
                     " bytes, the device has " + std::to_string(expected_size));
  }
  return bytes;
}

// Write to a temporary file next to `path`, then rename over it (atomic on POSIX).
void ReplaceAtomically(const std::filesystem::path& path, std::span<const uint8_t> bytes,
                       const char* what) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  host::WriteFileBytes(temporary, bytes, what);
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) host::ThrowIo("cannot replace " + path.string() + ": " + error.message());
}

}  // namespace

bool StateDir::provisioned() const {
  std::error_code error;
  return std::filesystem::is_regular_file(config_path(), error);
}

void StateDir::Create() const {
  std::error_code error;
  std::filesystem::create_directories(dir_, error);
  if (error)
    host::ThrowIo("cannot create state directory " + dir_.string() + ": " + error.message());
}

DeviceConfig StateDir::LoadConfig() const {
  std::vector<uint8_t> bytes = host::ReadFileBounded(config_path(), kMaxConfigBytes, "device.json");
  nlohmann::json json = nlohmann::json::parse(bytes.begin(), bytes.end(), nullptr, false);
  if (json.is_discarded()) host::ThrowUsage(config_path().string() + ": not valid JSON");
  return DeviceConfigFromJson(json);
}

void StateDir::SaveConfig(const DeviceConfig& config) const {
  const std::string text = DeviceConfigToJson(config).dump(2) + "\n";
  ReplaceAtomically(config_path(),
                    std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()),
                    "device.json");
}

std::vector<uint8_t> StateDir::LoadFlash(uint32_t expected_size) const {
  return LoadExact(flash_path(), expected_size, "flash.bin");
}

std::vector<uint8_t> StateDir::LoadOtp(uint32_t expected_size) const {
  return LoadExact(otp_path(), expected_size, "otp.bin");
}

void StateDir::SaveFlash(std::span<const uint8_t> bytes) const {
  ReplaceAtomically(flash_path(), bytes, "flash.bin");
}

void StateDir::SaveOtp(std::span<const uint8_t> bytes) const {
  ReplaceAtomically(otp_path(), bytes, "otp.bin");
}

}  // namespace bleota::sim
