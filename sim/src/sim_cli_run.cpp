// `bleota sim run` / bleota-sim-device: provisioning of a new device, its endpoints and the poll
// loop that serves them.
#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstring>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/simdev/ble_sim_endpoint.hpp"
#include "bleota/simdev/bluez_peripheral.hpp"
#include "bleota/simdev/control_executor.hpp"
#include "bleota/simdev/control_socket.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/pty_endpoint.hpp"
#include "bleota/simdev/sim_cli.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/simdev/state_dir.hpp"
#include "bleota/simdev/udp_endpoint.hpp"

namespace bleota::sim {
namespace {

volatile std::sig_atomic_t g_stop = 0;

void OnStopSignal(int) { g_stop = 1; }

// SIGINT and SIGTERM stop the loop cleanly (the state is saved); a client that hangs up must not
// kill the device (SIGPIPE).
void InstallSignalHandlers() {
  struct sigaction action {};
  action.sa_handler = OnStopSignal;
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

// Written atomically, so a script polling for the file never reads half of it.
void WriteInfoFile(const std::filesystem::path& path, const std::string& text) {
  std::filesystem::path temporary = path;
  temporary += ".tmp";
  host::WriteFileText(temporary, text + "\n", "info file");
  std::error_code error;
  std::filesystem::rename(temporary, path, error);
  if (error) host::ThrowIo("cannot write " + path.string() + ": " + error.message());
}

void ProvisionIfNeeded(const SimRunOptions& options, const StateDir& state, std::ostream& out) {
  if (state.provisioned()) {
    if (options.provisioning()) {
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
  out << "provisioned a new " << config.profile << " device in " << state.path().string()
      << std::endl;
}

// Control lines typed on the device's terminal: the same commands as the control socket.
class TerminalControl {
 public:
  explicit TerminalControl(int fd) : fd_(fd) {}
  int fd() const { return fd_; }
  bool open() const { return fd_ >= 0; }

  void OnReadable(SimDevice& device, std::ostream& out) {
    char buffer[512];
    const ssize_t got = read(fd_, buffer, sizeof(buffer));
    if (got < 0 && errno == EINTR) return;
    if (got <= 0) {
      fd_ = -1;  // end of input: the device keeps running, controlled through the socket
      return;
    }
    pending_.append(buffer, static_cast<size_t>(got));
    size_t newline;
    while ((newline = pending_.find('\n')) != std::string::npos) {
      const std::string line = pending_.substr(0, newline);
      pending_.erase(0, newline + 1);
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      out << HandleControlLine(device, line) << std::endl;
    }
    if (pending_.size() > kMaxControlLineBytes + 1) {
      pending_.clear();
      out << "error the line is longer than " << kMaxControlLineBytes << " bytes" << std::endl;
    }
  }

 private:
  int fd_;
  std::string pending_;
};

}  // namespace

int RunSimDevice(const SimRunOptions& options, std::ostream& out) {
  InstallSignalHandlers();
  g_stop = 0;
  CheckBleOptions(options);
  const StateDir state(options.state_dir);
  ProvisionIfNeeded(options, state, out);

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
  if (options.ble_sim) {
    BleSimEndpointOptions ble;
    ble.socket_path = *options.ble_sim;
    ble.realtime = options.ble_realtime;
    ble.log = [&out](const std::string& line) { out << line << std::endl; };
    endpoints.push_back(std::make_unique<BleSimEndpoint>(std::move(ble)));
  } else if (options.ble_realtime) {
    host::ThrowUsage("--ble-realtime is for --ble-sim PATH");
  }
  if (endpoints.empty() && !options.ble) {
    host::ThrowUsage("give --udp HOST:PORT, --serial-pty, --ble-sim PATH and/or --ble bluez");
  }

  // Before the device boots: a second device on the same state directory is refused here.
  ControlServer control(ControlSocketPath(state.path()));
  SimDevice device(
      state, [&out](const std::string& line) { out << line << std::endl; }, serial);
  if (options.ble) {
    // After the boot: the device advertises once its firmware runs.
    BluezPeripheralOptions bluez;
    bluez.adapter = options.adapter;
    if (options.ble_name) bluez.local_name = *options.ble_name;
    bluez.log = [&out](const std::string& line) { out << line << std::endl; };
    endpoints.push_back(std::make_unique<BluezPeripheral>(device, std::move(bluez)));
  }
  for (const auto& endpoint : endpoints) {
    out << "listening: " << endpoint->description() << std::endl;
  }
  out << "control: " << control.path().string() << " (bleota sim ctl --state-dir "
      << state.path().string() << " COMMAND)" << std::endl;
  TerminalControl terminal(isatty(STDIN_FILENO) == 1 ? STDIN_FILENO : -1);
  if (terminal.open())
    out << "control: type commands here too (status, power-cut, ...)" << std::endl;
  const ControlServer::LineHandler handle = [&device](std::string_view line) {
    return HandleControlLine(device, line);
  };

  // One turn: SMP input, control connections and terminal lines, each handled whole before the
  // next, so a control command never lands inside an SMP request.
  while (!g_stop) {
    std::vector<pollfd> fds;
    for (const auto& endpoint : endpoints) fds.push_back({endpoint->fd(), POLLIN, 0});
    const std::vector<int> control_fds = control.fds();
    for (const int fd : control_fds) fds.push_back({fd, POLLIN, 0});
    if (terminal.open()) fds.push_back({terminal.fd(), POLLIN, 0});
    const int ready = poll(fds.data(), fds.size(), 200);
    if (ready < 0) {
      if (errno == EINTR) continue;
      host::ThrowIo(std::string("poll failed: ") + std::strerror(errno));
    }
    size_t i = 0;
    for (; i < endpoints.size(); ++i) {
      if (fds[i].revents != 0) endpoints[i]->Service(device);
    }
    for (const int fd : control_fds) {
      if (fds[i++].revents != 0) control.OnReadable(fd, handle);
    }
    if (i < fds.size() && fds[i].revents != 0) terminal.OnReadable(device, out);
  }
  device.Persist();
  out << "stopped" << std::endl;
  return 0;
}

}  // namespace bleota::sim
