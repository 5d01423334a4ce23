// How `bleota dfu` reaches a device: the transport options of the command line and the
// transport they open.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "bleota/host/smp_client.hpp"
#include "bleota/host/smp_serial_transport.hpp"
#include "bleota/host/smp_transport.hpp"
#include "bleota/host/smp_udp_transport.hpp"

namespace bleota::host {

struct DfuConnectionOptions {
  std::string transport;  // "udp", "serial", or empty: serial when device is set, else udp
  std::string address = "127.0.0.1:1337";  // udp
  bool address_given = false;
  std::string device;  // serial: tty or pty path
  uint32_t baud = kSmpSerialDefaultBaud;
  bool baud_given = false;
};

// Checks the combination (HostError(kUsage): serial without --device, --device with udp...) and
// opens the transport (HostError(kTransport) when it cannot).
std::unique_ptr<SmpTransport> OpenDfuTransport(const DfuConnectionOptions& options);

}  // namespace bleota::host
