#include "bleota/simdev/sim_cli_options.hpp"

#include <CLI/CLI.hpp>

namespace bleota::sim {

bool SimRunOptions::provisioning() const {
  return provision_image || golden_image || !sign_keys.empty() || enc_key || kek;
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
}

}  // namespace bleota::sim
