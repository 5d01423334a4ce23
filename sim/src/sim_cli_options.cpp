#include "bleota/simdev/sim_cli_options.hpp"

#include <CLI/CLI.hpp>

#include "bleota/host/bluez_dbus.hpp"
#include "bleota/host/error.hpp"
#include "bleota/simdev/bluez_peripheral.hpp"

namespace bleota::sim {

bool SimRunOptions::provisioning() const {
  return provision_image || golden_image || !sign_keys.empty() || enc_key || kek;
}

void CheckBleOptions(const SimRunOptions& options) {
  if (options.ble && *options.ble != "bluez") {
    host::ThrowUsage("--ble: '" + *options.ble + "' is not a BLE stack this device knows (bluez)");
  }
  if (!options.ble) {
    if (options.adapter) host::ThrowUsage("--adapter is for --ble bluez");
    if (options.ble_name) host::ThrowUsage("--ble-name is for --ble bluez");
    return;
  }
  if (options.adapter) host::bluez::CheckAdapterName(*options.adapter, "--adapter");
  if (options.ble_name) CheckBleName(*options.ble_name, "--ble-name");
}

void AddSimRunOptions(CLI::App& app, SimRunOptions& options) {
  app.add_option("--state-dir", options.state_dir, "Directory holding the device (created)")
      ->required();
  app.add_option("--provision-image", options.provision_image,
                 "New device: factory image for the primary slot");
  app.add_option("--golden", options.golden_image, "New device: factory image for the golden slot");
  app.add_option("--sign-key-pub", options.sign_keys,
                 "New device: public key images are signed with (PEM/DER, up to 4)");
  app.add_option("--enc-key", options.enc_key,
                 "New device: private key for encrypted images (ecdsa-p256 or x25519)");
  app.add_option("--kek", options.kek, "New device: AES-KW key-encryption key for ENC_KW images");
  app.add_flag("--app-auto-confirm", options.app_auto_confirm,
               "New device: the application confirms its image as soon as it runs");
  app.add_option("--udp", options.udp, "Serve SMP over UDP on HOST:PORT (port 0: pick one)");
  app.add_option("--port-file", options.port_file, "Write the UDP port to this file");
  app.add_flag("--serial-pty", options.serial_pty, "Serve SMP on a new pty (raw mode)");
  app.add_option("--pty-file", options.pty_file, "Write the pty's path to this file");
  app.add_option("--ble-sim", options.ble_sim,
                 "Serve SMP over a simulated BLE link to `bleota dfu --transport ble-sim` on this "
                 "Unix socket (docs/spec/ble-sim.md)");
  app.add_flag("--ble-realtime", options.ble_realtime,
               "With --ble-sim: pace the link's virtual time to wall time (watch it at BLE speed)");
  app.add_option("--ble", options.ble,
                 "Serve SMP as a real BLE peripheral through this stack: bluez (the Linux "
                 "Bluetooth stack over D-Bus; needs bluetoothd)");
  app.add_option("--adapter", options.adapter,
                 "With --ble bluez: the adapter to advertise on (hci0, hci1, ...; default: the "
                 "first)");
  app.add_option("--ble-name", options.ble_name,
                 "With --ble bluez: the advertised local name (1-29 bytes, default bleota-sim)");
}

}  // namespace bleota::sim
