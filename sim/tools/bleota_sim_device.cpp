// bleota-sim-device: a simulated device (the real bootloader and DFU server on the simulated SoC)
// as a separate process, kept in a state directory and reachable over UDP and a serial pty.
// See docs/simulator.md.
#include <poll.h>
#include <signal.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/pty_endpoint.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/simdev/state_dir.hpp"
#include "bleota/simdev/udp_endpoint.hpp"

namespace bleota::sim {
namespace {

volatile sig_atomic_t g_stop = 0;

void OnSignal(int) { g_stop = 1; }

struct Options {
  std::filesystem::path state_dir;
  std::optional<std::filesystem::path> provision_image;
  std::optional<std::filesystem::path> golden_image;
  std::vector<std::filesystem::path> sign_keys;
  std::optional<std::filesystem::path> enc_key;
  std::optional<std::filesystem::path> kek;
  bool app_auto_confirm = false;
  std::optional<std::string> udp;
  std::optional<std::filesystem::path> port_file;
  bool serial_pty = false;
  std::optional<std::filesystem::path> pty_file;
};

// Written atomically, so a script polling for the file never reads half of it.
void WriteInfoFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  host::WriteFileText(temporary, text + "\n", "info file");
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) host::ThrowIo("cannot write " + path.string() + ": " + error.message());
}

void ProvisionIfNeeded(const Options& options, const StateDir& state) {
  const bool provisioning = options.provision_image || options.golden_image ||
                            !options.sign_keys.empty() || options.enc_key || options.kek;
  if (state.provisioned()) {
    if (provisioning) {
      host::ThrowUsage(state.path().string() +
                       " already holds a device; provisioning options are only for a new one");
    }
    return;
  }
  if (!options.provision_image || options.sign_keys.empty()) {
    host::ThrowUsage(state.path().string() +
                     " holds no device yet: give --provision-image and --sign-key-pub to create "
                     "one");
  }
  KeyFiles keys;
  keys.signing_keys = options.sign_keys;
  keys.encryption_key = options.enc_key;
  keys.kek = options.kek;
  DeviceConfig config = Nrf52840DeviceConfig();
  config.app.auto_confirm = options.app_auto_confirm;
  FactoryImages images;
  images.primary =
      host::ReadFileBounded(*options.provision_image, host::kMaxImageFileBytes, "factory image");
  if (options.golden_image) {
    images.golden =
        host::ReadFileBounded(*options.golden_image, host::kMaxImageFileBytes, "golden image");
  }
  SimDevice::Provision(state, config, KeyOtpRecordFromFiles(keys), images);
  std::cout << "provisioned a new " << config.profile << " device in " << state.path().string()
            << std::endl;
}

int Serve(const Options& options) {
  const StateDir state(options.state_dir);
  ProvisionIfNeeded(options, state);

  std::vector<std::unique_ptr<SmpEndpoint>> endpoints;
  if (options.udp) {
    std::string host;
    uint16_t port = 0;
    ParseHostPort(*options.udp, host, port);
    auto udp = std::make_unique<UdpEndpoint>(host, port, kSmpBufferSize);
    if (options.port_file) WriteInfoFile(*options.port_file, std::to_string(udp->port()));
    endpoints.push_back(std::move(udp));
  }
  PtyEndpoint* serial = nullptr;
  if (options.serial_pty) {
    auto pty = std::make_unique<PtyEndpoint>();
    if (options.pty_file) WriteInfoFile(*options.pty_file, pty->slave_path());
    serial = pty.get();
    endpoints.push_back(std::move(pty));
  }
  if (endpoints.empty()) host::ThrowUsage("give --udp HOST:PORT and/or --serial-pty");

  SimDevice device(
      state, [](const std::string& line) { std::cout << line << std::endl; }, serial);
  for (const auto& endpoint : endpoints) {
    std::cout << "listening: " << endpoint->description() << std::endl;
  }

  std::vector<pollfd> fds;
  for (const auto& endpoint : endpoints) fds.push_back({endpoint->fd(), POLLIN, 0});
  while (!g_stop) {
    const int ready = poll(fds.data(), fds.size(), 200);
    if (ready < 0) {
      if (errno == EINTR) continue;
      host::ThrowIo(std::string("poll failed: ") + std::strerror(errno));
    }
    for (size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].revents != 0) endpoints[i]->Service(device);
    }
  }
  device.Persist();
  std::cout << "stopped" << std::endl;
  return 0;
}

int Main(int argc, char** argv) {
  CLI::App app(
      "A simulated bleota device: the real bootloader and DFU server on a simulated "
      "nRF52840, kept in a state directory (docs/simulator.md)",
      "bleota-sim-device");
  Options options;
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
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : static_cast<int>(host::ExitCode::kUsage);
  }
  struct sigaction action {};
  action.sa_handler = OnSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
  try {
    return Serve(options);
  } catch (const host::HostError& e) {
    std::cerr << "bleota-sim-device: error: " << e.what() << std::endl;
    return static_cast<int>(e.code());
  }
}

}  // namespace
}  // namespace bleota::sim

int main(int argc, char** argv) { return bleota::sim::Main(argc, argv); }
