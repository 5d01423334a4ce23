// How `bleota dfu` reaches a device: the transport options of the command line and the
// transport they open.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "bleota/host/smp_ble_sim_transport.hpp"
#include "bleota/host/smp_client.hpp"
#include "bleota/host/smp_serial_transport.hpp"
#include "bleota/host/smp_transport.hpp"
#include "bleota/host/smp_udp_transport.hpp"

namespace bleota::host {

struct DfuConnectionOptions {
  // "udp", "serial", "ble-sim", or empty: ble-sim when device is a socket, serial when it is
  // anything else, udp without device.
  std::string transport;
  std::string address = "127.0.0.1:1337";  // udp
  bool address_given = false;
  std::string device;  // serial: tty or pty path; ble-sim: the simulated device's socket
  uint32_t baud = kSmpSerialDefaultBaud;
  bool baud_given = false;
  std::string ble_profile = kBleSimDefaultProfile;  // ble-sim
  bool ble_profile_given = false;
  std::chrono::milliseconds connect_timeout{5000};  // ble-sim: connecting and reconnecting
};

// Checks the combination (HostError(kUsage): serial without --device, --device with udp...) and
// opens the transport (HostError(kTransport) when it cannot).
std::unique_ptr<SmpTransport> OpenDfuTransport(const DfuConnectionOptions& options);

}  // namespace bleota::host
