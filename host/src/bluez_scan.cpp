#include "bleota/host/bluez_scan.hpp"

#include <poll.h>

#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>

#include "bleota/host/error.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

using bluez::GetProperty;
using bluez::InterfaceMap;
using bluez::PropertyMap;

}  // namespace

void ApplyDeviceProperties(BleSeenDevice& device, const PropertyMap& properties,
                           const std::vector<std::string>& invalidated) {
  if (auto v = GetProperty<std::string>(properties, "Address")) device.address = *v;
  if (auto v = GetProperty<std::string>(properties, "AddressType")) device.address_type = *v;
  if (auto v = GetProperty<std::string>(properties, "Name")) device.name = *v;
  if (auto v = GetProperty<int16_t>(properties, "RSSI")) device.rssi = *v;
  if (auto v = GetProperty<bool>(properties, "Connected")) device.connected = *v;
  if (auto v = GetProperty<std::vector<std::string>>(properties, "UUIDs")) {
    device.smp = std::any_of(v->begin(), v->end(), [](const std::string& uuid) {
      return bluez::LowerCase(uuid) == bluez::kSmpServiceUuid;
    });
  }
  for (const std::string& name : invalidated) {
    if (name == "RSSI") device.rssi.reset();
  }
  device.present = device.rssi.has_value() || device.connected;
}

const BleSeenDevice* SelectDevice(const std::map<std::string, BleSeenDevice>& devices,
                                  const BleDeviceSelector& selector) {
  const BleSeenDevice* chosen = nullptr;
  for (const auto& [path, device] : devices) {
    if (!device.present) continue;
    bool match = false;
    if (!selector.address.empty()) {
      match = bluez::LowerCase(device.address) == bluez::LowerCase(selector.address);
    } else if (!selector.name.empty()) {
      match = device.name == selector.name;
    } else {
      match = device.smp;
    }
    if (match && (chosen == nullptr || device.order < chosen->order)) chosen = &device;
  }
  return chosen;
}

short PumpBus(sdbus::IConnection& bus, milliseconds timeout, int fd) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    while (bus.processPendingRequest()) {
    }
    const sdbus::IConnection::PollData data = bus.getEventLoopPollData();
    pollfd fds[2] = {{data.fd, data.events, 0}, {fd, POLLIN, 0}};
    int wait = static_cast<int>(bluez::TimeLeft(deadline).count());
    const int bus_wait = data.getPollTimeout();  // -1: none; 0: messages are queued
    if (bus_wait >= 0 && bus_wait < wait) wait = bus_wait;
    const int ready = poll(fds, fd >= 0 ? 2 : 1, wait);
    if (ready < 0 && errno != EINTR) {
      ThrowTransport(std::string("waiting for D-Bus failed: ") + std::strerror(errno));
    }
    if (ready > 0 && (fds[0].revents & POLLIN) == 0 &&
        (fds[0].revents & (POLLERR | POLLHUP)) != 0) {
      ThrowTransport("the D-Bus system bus closed the connection");
    }
    while (bus.processPendingRequest()) {
    }
    if (fd >= 0 && ready > 0 && fds[1].revents != 0) return fds[1].revents;
    if (Clock::now() >= deadline) return 0;
  }
}

BluezDiscovery::BluezDiscovery(sdbus::IConnection& bus, const bluez::AdapterInfo& adapter)
    : bus_(bus), adapter_(adapter) {
  const std::string sender = std::string("sender='") + bluez::kBusName + "'";
  matches_.push_back(bus_.addMatch("type='signal'," + sender + ",interface='" +
                                       bluez::kObjectManagerInterface +
                                       "',member='InterfacesAdded'",
                                   [this](sdbus::Message& m) { OnInterfacesAdded(m); }));
  matches_.push_back(bus_.addMatch("type='signal'," + sender + ",interface='" +
                                       bluez::kObjectManagerInterface +
                                       "',member='InterfacesRemoved'",
                                   [this](sdbus::Message& m) { OnInterfacesRemoved(m); }));
  matches_.push_back(
      bus_.addMatch("type='signal'," + sender + ",interface='" + bluez::kPropertiesInterface +
                        "',member='PropertiesChanged',path_namespace='" + adapter_.path + "'",
                    [this](sdbus::Message& m) { OnPropertiesChanged(m); }));
  bluez::ManagedObjects objects;
  try {
    objects = bluez::GetManagedObjects(bus_);
  } catch (const sdbus::Error& error) {
    ThrowTransport("BlueZ did not list its objects: " + bluez::DescribeError(error));
  }
  for (const auto& [path, interfaces] : objects) {
    const auto device = interfaces.find(bluez::kDeviceInterface);
    if (device != interfaces.end()) Update(path, device->second, {});
  }
}

BluezDiscovery::~BluezDiscovery() { Stop(); }

void BluezDiscovery::Update(const std::string& path, const PropertyMap& properties,
                            const std::vector<std::string>& invalidated) {
  if (path.rfind(adapter_.path + "/dev_", 0) != 0) return;  // another adapter's device
  BleSeenDevice& device = devices_[path];
  device.path = path;
  const bool was_present = device.present;
  ApplyDeviceProperties(device, properties, invalidated);
  if (device.present && !was_present) device.order = next_order_++;
}

void BluezDiscovery::OnInterfacesAdded(sdbus::Message& message) {
  sdbus::ObjectPath path;
  InterfaceMap interfaces;
  message >> path >> interfaces;
  const auto device = interfaces.find(bluez::kDeviceInterface);
  if (device != interfaces.end()) Update(path, device->second, {});
}

void BluezDiscovery::OnInterfacesRemoved(sdbus::Message& message) {
  sdbus::ObjectPath path;
  std::vector<std::string> interfaces;
  message >> path >> interfaces;
  if (std::find(interfaces.begin(), interfaces.end(), bluez::kDeviceInterface) !=
      interfaces.end()) {
    devices_.erase(path);
  }
}

void BluezDiscovery::OnPropertiesChanged(sdbus::Message& message) {
  std::string interface;
  PropertyMap changed;
  std::vector<std::string> invalidated;
  message >> interface >> changed >> invalidated;
  if (interface == bluez::kDeviceInterface) Update(message.getPath(), changed, invalidated);
}

void BluezDiscovery::Start() {
  auto adapter = sdbus::createProxy(bus_, bluez::kBusName, adapter_.path);
  try {
    PropertyMap filter;
    filter["Transport"] = sdbus::Variant(std::string("le"));
    filter["UUIDs"] = sdbus::Variant(std::vector<std::string>{bluez::kSmpServiceUuid});
    adapter->callMethod("SetDiscoveryFilter")
        .onInterface(bluez::kAdapterInterface)
        .withTimeout(bluez::kCallTimeout)
        .withArguments(filter);
    adapter->callMethod("StartDiscovery")
        .onInterface(bluez::kAdapterInterface)
        .withTimeout(bluez::kCallTimeout);
  } catch (const sdbus::Error& error) {
    ThrowTransport("cannot start an LE scan on " + adapter_.name + ": " +
                   bluez::DescribeError(error) +
                   (error.getName() == "org.bluez.Error.NotReady"
                        ? " (the adapter is not ready: is it powered? bluetoothctl power on)"
                        : ""));
  }
  started_ = true;
}

void BluezDiscovery::Stop() {
  if (!started_) return;
  started_ = false;
  try {
    auto adapter = sdbus::createProxy(bus_, bluez::kBusName, adapter_.path);
    adapter->callMethod("StopDiscovery")
        .onInterface(bluez::kAdapterInterface)
        .withTimeout(bluez::kCallTimeout);
  } catch (const sdbus::Error&) {
    // The adapter went away or BlueZ stopped the discovery itself: nothing to undo.
  }
}

std::optional<BleSeenDevice> BluezDiscovery::WaitFor(const BleDeviceSelector& selector,
                                                     milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (const BleSeenDevice* device = SelectDevice(devices_, selector)) return *device;
    if (Clock::now() >= deadline) return std::nullopt;
    PumpBus(bus_, std::min(bluez::TimeLeft(deadline), milliseconds(200)));
  }
}

void BluezDiscovery::RunFor(milliseconds duration) {
  const Clock::time_point deadline = Clock::now() + duration;
  while (Clock::now() < deadline) PumpBus(bus_, bluez::TimeLeft(deadline));
}

void RequirePowered(const bluez::AdapterInfo& adapter) {
  if (!adapter.powered) {
    ThrowTransport("Bluetooth adapter " + adapter.name + " (" + adapter.address +
                   ") is powered off: switch it on with `bluetoothctl power on` (and "
                   "`rfkill unblock bluetooth` if it is blocked)");
  }
}

bluez::AdapterInfo AwaitPoweredAdapter(sdbus::IConnection& bus, const std::string& name,
                                       std::chrono::steady_clock::time_point deadline,
                                       bool* bluez_was_gone) {
  constexpr milliseconds kPollSlice{100};
  bool gone = false;
  for (;;) {
    try {
      const bluez::AdapterInfo adapter = bluez::FindAdapter(bus, name);
      if (adapter.powered || std::chrono::steady_clock::now() >= deadline) {
        RequirePowered(adapter);
        if (bluez_was_gone != nullptr) *bluez_was_gone = gone;
        return adapter;
      }
    } catch (const HostError& error) {
      if (error.code() == ExitCode::kUsage || std::chrono::steady_clock::now() >= deadline) throw;
      if (!gone) bluez::RequestBluezStart(bus);
      gone = true;
    }
    PumpBus(bus, std::min(bluez::TimeLeft(deadline), kPollSlice));
  }
}

BleScanReport ScanSmpDevices(const std::string& adapter_name, milliseconds duration) {
  std::unique_ptr<sdbus::IConnection> bus = bluez::OpenSystemBus();
  BleScanReport report;
  report.adapter = bluez::FindAdapter(
      *bus, adapter_name.empty() ? std::nullopt : std::optional<std::string>(adapter_name));
  RequirePowered(report.adapter);
  BluezDiscovery discovery(*bus, report.adapter);
  discovery.Start();
  discovery.RunFor(duration);
  discovery.Stop();
  for (const auto& [path, device] : discovery.devices()) {
    if (device.present && device.smp) report.devices.push_back(device);
  }
  std::sort(report.devices.begin(), report.devices.end(),
            [](const BleSeenDevice& a, const BleSeenDevice& b) {
              return a.rssi.value_or(INT16_MIN) > b.rssi.value_or(INT16_MIN);
            });
  return report;
}

}  // namespace bleota::host
