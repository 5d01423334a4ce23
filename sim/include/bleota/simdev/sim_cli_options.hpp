// The options of the simulated device program (`bleota sim run` and `bleota-sim-device` are the
// same program): declared once here, so both spellings take exactly the same options. To add an
// option, add a field to SimRunOptions and one add_option line to AddSimRunOptions.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace CLI {
class App;
}  // namespace CLI

namespace bleota::sim {

struct SimRunOptions {
  std::filesystem::path state_dir;
  // Provisioning of a new device.
  std::optional<std::filesystem::path> provision_image;
  std::optional<std::filesystem::path> golden_image;
  std::vector<std::filesystem::path> sign_keys;
  std::optional<std::filesystem::path> enc_key;
  std::optional<std::filesystem::path> kek;
  bool app_auto_confirm = false;
  // Endpoints.
  std::optional<std::string> udp;
  std::optional<std::filesystem::path> port_file;
  bool serial_pty = false;
  std::optional<std::filesystem::path> pty_file;
  std::optional<std::filesystem::path> ble_sim;  // socket of the ble-sim endpoint
  bool ble_realtime = false;                     // pace the BLE link to wall time
  std::optional<std::string> ble;                // "bluez": a real BLE peripheral through BlueZ
  std::optional<std::string> adapter;            // with --ble bluez: "hci0"
  std::optional<std::string> ble_name;           // with --ble bluez: the advertised local name

  // True when a provisioning option that needs a new device was given (--app-auto-confirm alone
  // is accepted, and ignored, on an existing device).
  bool provisioning() const;
};

// Checks the BlueZ options together: --adapter and --ble-name need --ble bluez, the adapter is
// "hciN", the name fits an advertisement. Throws host::HostError(kUsage).
void CheckBleOptions(const SimRunOptions& options);

// Declares every option of the device program on `app`, writing into `options`.
void AddSimRunOptions(CLI::App& app, SimRunOptions& options);

}  // namespace bleota::sim
