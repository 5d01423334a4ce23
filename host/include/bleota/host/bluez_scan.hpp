// Finding SMP devices through BlueZ (the central's scan): an LE discovery on one adapter with a
// filter for the SMP service, following the device objects BlueZ creates and updates
// (InterfacesAdded, PropertiesChanged). Used by `bleota dfu scan` and, to find the device to
// connect to, by `bleota dfu --transport ble`.
#pragma once

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/Message.h>
#include <sdbus-c++/Types.h>

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "bleota/host/bluez_central_options.hpp"
#include "bleota/host/bluez_dbus.hpp"

namespace bleota::host {

// A device object of the adapter, as far as BlueZ has told.
struct BleSeenDevice {
  std::string path;          // "/org/bluez/hci1/dev_AA_BB_CC_DD_EE_FF"
  std::string address;       // "AA:BB:CC:DD:EE:FF"
  std::string address_type;  // "public" or "random"
  std::string name;          // the advertised name (Name), or empty
  std::optional<int16_t> rssi;
  bool smp = false;  // its UUIDs hold the SMP service
  bool connected = false;
  // Seen advertising during this discovery (BlueZ reports an RSSI only then) or connected: a
  // device that can be connected to now.
  bool present = false;
  uint64_t order = 0;  // when it became present (1, 2, ...): the first seen is chosen
};

// Applies a Device1 property map (from GetManagedObjects, InterfacesAdded or
// PropertiesChanged) to `device`; `invalidated` names properties BlueZ dropped (RSSI at the end
// of a discovery). Values of an unexpected type are ignored.
void ApplyDeviceProperties(BleSeenDevice& device,
                           const std::map<std::string, sdbus::Variant>& properties,
                           const std::vector<std::string>& invalidated = {});

// The device the selector picks among the present ones: by address, by exact name, or without
// either the SMP device that became present first. nullptr when none matches (yet).
const BleSeenDevice* SelectDevice(const std::map<std::string, BleSeenDevice>& devices,
                                  const BleDeviceSelector& selector);

// Runs the bus: handles the messages already received (signal handlers run), then waits up to
// `timeout` for more or for `fd` (when >= 0) to be readable, and handles those. Returns fd's
// poll revents (0 when it was not ready).
short PumpBus(sdbus::IConnection& bus, std::chrono::milliseconds timeout, int fd = -1);

class BluezDiscovery {
 public:
  // Subscribes to the adapter's device signals and loads the devices BlueZ already has.
  // Throws HostError(kTransport) when BlueZ does not answer.
  BluezDiscovery(sdbus::IConnection& bus, const bluez::AdapterInfo& adapter);
  ~BluezDiscovery();
  BluezDiscovery(const BluezDiscovery&) = delete;
  BluezDiscovery& operator=(const BluezDiscovery&) = delete;

  // SetDiscoveryFilter({Transport: le, UUIDs: [SMP service]}) and StartDiscovery. Throws
  // HostError(kTransport) with BlueZ's reason (adapter off, busy).
  void Start();
  // StopDiscovery (errors ignored: the adapter may be gone); also done by the destructor.
  void Stop();

  // Runs the bus until `selector` picks a device or `timeout` passes.
  std::optional<BleSeenDevice> WaitFor(const BleDeviceSelector& selector,
                                       std::chrono::milliseconds timeout);
  // Runs the bus for `duration` (a scan that lists what it sees).
  void RunFor(std::chrono::milliseconds duration);

  const std::map<std::string, BleSeenDevice>& devices() const { return devices_; }

 private:
  void OnInterfacesAdded(sdbus::Message& message);
  void OnInterfacesRemoved(sdbus::Message& message);
  void OnPropertiesChanged(sdbus::Message& message);
  void Update(const std::string& path, const std::map<std::string, sdbus::Variant>& properties,
              const std::vector<std::string>& invalidated);

  sdbus::IConnection& bus_;
  bluez::AdapterInfo adapter_;
  std::map<std::string, BleSeenDevice> devices_;
  std::vector<sdbus::Slot> matches_;
  bool started_ = false;
  uint64_t next_order_ = 1;
};

// `bleota dfu scan`: the SMP devices `adapter` (empty: the first) sees within `duration`, the
// strongest first. Throws HostError(kTransport) for a missing bus, bluetoothd or adapter, or an
// adapter that is off.
struct BleScanReport {
  bluez::AdapterInfo adapter;
  std::vector<BleSeenDevice> devices;
};
BleScanReport ScanSmpDevices(const std::string& adapter, std::chrono::milliseconds duration);

// Throws HostError(kTransport) when the adapter is off, saying how to switch it on.
void RequirePowered(const bluez::AdapterInfo& adapter);

// The adapter `name`, powered, once BlueZ has it again: for a client that outlives a restart of
// bluetoothd (a crash; on a systemd host D-Bus activation starts it again, which this asks for
// once when org.bluez is missing). Runs the bus while it waits until `deadline`, then throws the
// last HostError(kTransport): BlueZ not running, no such adapter, or the adapter off. Sets
// *bluez_was_gone when org.bluez or the adapter was missing at first.
bluez::AdapterInfo AwaitPoweredAdapter(sdbus::IConnection& bus, const std::string& name,
                                       std::chrono::steady_clock::time_point deadline,
                                       bool* bluez_was_gone);

}  // namespace bleota::host
