// How `bleota dfu` reaches a device: the transport options of the command line and the
// transport they open.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "bleota/host/bluez_central_options.hpp"
#include "bleota/host/smp_ble_sim_transport.hpp"
#include "bleota/host/smp_client.hpp"
#include "bleota/host/smp_serial_transport.hpp"
#include "bleota/host/smp_transport.hpp"
#include "bleota/host/smp_udp_transport.hpp"

namespace bleota::host {

struct DfuConnectionOptions {
  // "udp", "serial", "ble-sim", "ble", or empty: ble with --name or --adapter, or when device
  // is a Bluetooth address that is no file; ble-sim when device is a socket, serial when it is
  // anything else, udp without device.
  std::string transport;
  std::string address = "127.0.0.1:1337";  // udp
  bool address_given = false;
  // serial: tty or pty path; ble-sim: the simulated device's socket; ble: the device's address
  std::string device;
  uint32_t baud = kSmpSerialDefaultBaud;
  bool baud_given = false;
  std::string ble_profile = kBleSimDefaultProfile;  // ble-sim
  bool ble_profile_given = false;
  std::chrono::milliseconds connect_timeout{5000};  // ble-sim, ble: connecting and reconnecting
  std::string name;                                 // ble: the device's advertised name
  std::string adapter;                              // ble: "hci1"; empty: the first adapter
  std::chrono::milliseconds scan_timeout{10000};    // ble: how long to look for the device
  bool scan_timeout_given = false;
  bool one_write_per_request = false;  // ble: every request fits one Write Command
};

// The BlueZ central's options from --device/--name/--adapter/--scan-timeout/
// --one-write-per-request (and the connect timeout). Throws HostError(kUsage) for a malformed
// address or adapter name, or both --device and --name.
BluezCentralOptions MakeBluezCentralOptions(const DfuConnectionOptions& options);

// Checks the combination (HostError(kUsage): serial without --device, --device with udp...) and
// opens the transport (HostError(kTransport) when it cannot).
std::unique_ptr<SmpTransport> OpenDfuTransport(const DfuConnectionOptions& options);

}  // namespace bleota::host
