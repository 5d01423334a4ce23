#include "bleota/host/dfu_connection.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cctype>

#include "bleota/host/bluez_dbus.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_bluez_transport.hpp"

namespace bleota::host {

namespace {

bool IsSocket(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0 && S_ISSOCK(info.st_mode);
}

bool Exists(const std::string& path) {
  struct stat info {};
  return stat(path.c_str(), &info) == 0;
}

// "AA:BB:CC:DD:EE:FF" (either case): a Bluetooth address, unless a file has that name.
bool LooksLikeBleAddress(const std::string& text) {
  if (text.size() != 17 || Exists(text)) return false;
  for (size_t i = 0; i < text.size(); ++i) {
    const bool colon = i % 3 == 2;
    if (colon != (text[i] == ':')) return false;
    if (!colon && std::isxdigit(static_cast<unsigned char>(text[i])) == 0) return false;
  }
  return true;
}

// Connecting and GATT discovery over a real stack take longer than one SMP reply may.
constexpr std::chrono::milliseconds kBleMinConnectTimeout{15000};

}  // namespace

BluezCentralOptions MakeBluezCentralOptions(const DfuConnectionOptions& options) {
  BluezCentralOptions ble;
  if (!options.adapter.empty()) bluez::CheckAdapterName(options.adapter);
  ble.adapter = options.adapter;
  ble.device = MakeBleDeviceSelector(options.device, options.name);
  ble.scan_timeout = options.scan_timeout;
  ble.connect_timeout = std::max(options.connect_timeout, kBleMinConnectTimeout);
  ble.one_write_per_request = options.one_write_per_request;
  return ble;
}

std::unique_ptr<SmpTransport> OpenDfuTransport(const DfuConnectionOptions& options) {
  std::string kind = options.transport;
  if (kind.empty()) {
    if (!options.name.empty() || !options.adapter.empty() || LooksLikeBleAddress(options.device)) {
      kind = "ble";
    } else {
      kind = options.device.empty() ? "udp" : IsSocket(options.device) ? "ble-sim" : "serial";
    }
  }
  if (kind != "ble") {
    if (!options.name.empty()) ThrowUsage("--name is for --transport ble, not " + kind);
    if (!options.adapter.empty()) ThrowUsage("--adapter is for --transport ble, not " + kind);
    if (options.scan_timeout_given) {
      ThrowUsage("--scan-timeout is for --transport ble, not " + kind);
    }
    if (options.one_write_per_request) {
      ThrowUsage("--one-write-per-request is for --transport ble, not " + kind);
    }
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
  if (kind == "ble") {
    if (options.address_given) ThrowUsage("--address is for --transport udp, not ble");
    if (options.baud_given) ThrowUsage("--baud is for --transport serial, not ble");
    return std::make_unique<SmpBluezTransport>(MakeBluezCentralOptions(options));
  }
  ThrowUsage("--transport: '" + kind + "' is not one of udp, serial, ble-sim, ble");
}

}  // namespace bleota::host
