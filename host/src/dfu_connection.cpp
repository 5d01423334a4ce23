#include "bleota/host/dfu_connection.hpp"

#include <sys/stat.h>

#include "bleota/host/error.hpp"

namespace bleota::host {

namespace {

bool IsSocket(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

}  // namespace

std::unique_ptr<SmpTransport> OpenDfuTransport(const DfuConnectionOptions& options) {
  std::string kind = options.transport;
  if (kind.empty()) {
    kind = options.device.empty() ? "udp" : IsSocket(options.device) ? "ble-sim" : "serial";
  }
  if (kind != "ble-sim" && options.ble_profile_given) {
    ThrowUsage("--ble-profile is for --transport ble-sim, not " + kind);
  }
  if (kind == "udp") {
    if (!options.device.empty()) ThrowUsage("--device is for --transport serial, not udp");
    if (options.baud_given) ThrowUsage("--baud is for --transport serial, not udp");
    return std::make_unique<SmpUdpTransport>(ParseUdpEndpoint(options.address));
  }
  if (kind == "serial") {
    if (options.device.empty()) ThrowUsage("--transport serial needs --device PATH");
    if (options.address_given) ThrowUsage("--address is for --transport udp, not serial");
    return std::make_unique<SmpSerialTransport>(options.device, options.baud);
  }
  if (kind == "ble-sim") {
    if (options.device.empty()) {
      ThrowUsage(
          "--transport ble-sim needs --device SOCKET_PATH (the simulated device's --ble-sim)");
    }
    if (options.address_given) ThrowUsage("--address is for --transport udp, not ble-sim");
    if (options.baud_given) ThrowUsage("--baud is for --transport serial, not ble-sim");
    BleSimClientOptions ble;
    ble.socket_path = options.device;
    ble.profile = options.ble_profile;
    ble.connect_timeout = options.connect_timeout;
    return std::make_unique<SmpBleSimTransport>(ble);
  }
  ThrowUsage("--transport: '" + kind + "' is not one of udp, serial, ble-sim");
}

}  // namespace bleota::host
