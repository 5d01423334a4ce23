#include "bleota/host/bluez_dbus.hpp"

#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "bleota/host/error.hpp"

namespace bleota::host::bluez {

namespace {

constexpr char kAdapterPathPrefix[] = "/org/bluez/";
constexpr size_t kMaxAdapterDigits = 3;

bool IsAdapterName(const std::string& name) {
  if (name.size() <= 3 || name.size() > 3 + kMaxAdapterDigits || name.compare(0, 3, "hci") != 0)
    return false;
  return std::all_of(name.begin() + 3, name.end(), [](char c) { return c >= '0' && c <= '9'; });
}

unsigned AdapterIndex(const std::string& name) {
  return static_cast<unsigned>(std::stoul(name.substr(3)));
}

std::string NotRunning(const std::string& detail) {
  return "BlueZ (org.bluez) is not on the system bus" + detail + ": is bluetoothd running?";
}

}  // namespace

void CheckAdapterName(const std::string& name, const std::string& option) {
  if (!IsAdapterName(name)) {
    ThrowUsage(option + ": '" + name + "' is not an adapter name (hci0, hci1, ...)");
  }
}

std::string DescribeError(const std::exception& error) {
  if (const auto* dbus = dynamic_cast<const sdbus::Error*>(&error)) {
    return dbus->getMessage().empty() ? dbus->getName()
                                      : dbus->getName() + ": " + dbus->getMessage();
  }
  return error.what();
}

std::unique_ptr<sdbus::IConnection> OpenSystemBus() {
  try {
    return sdbus::createSystemBusConnection();
  } catch (const sdbus::Error& error) {
    ThrowTransport("cannot connect to the D-Bus system bus (" + DescribeError(error) +
                   "): is dbus-daemon running?");
  }
}

void CheckBluezRunning(sdbus::IConnection& connection) {
  bool owned = false;
  try {
    auto bus = sdbus::createProxy(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bus->callMethod("NameHasOwner")
        .onInterface("org.freedesktop.DBus")
        .withTimeout(kCallTimeout)
        .withArguments(std::string(kBusName))
        .storeResultsTo(owned);
  } catch (const sdbus::Error& error) {
    ThrowTransport("cannot ask the system bus for org.bluez (" + DescribeError(error) + ")");
  }
  if (!owned) ThrowTransport(NotRunning(""));
}

void RequestBluezStart(sdbus::IConnection& connection) {
  try {
    auto bus = sdbus::createProxy(connection, "org.freedesktop.DBus", "/org/freedesktop/DBus");
    bus->callMethod("StartServiceByName")
        .onInterface("org.freedesktop.DBus")
        .withTimeout(kCallTimeout)
        .withArguments(std::string(kBusName), uint32_t{0});
  } catch (const sdbus::Error&) {
    // No activation here: someone else restarts it.
  }
}

ManagedObjects GetManagedObjects(sdbus::IConnection& connection) {
  ManagedObjects objects;
  auto root = sdbus::createProxy(connection, kBusName, "/");
  root->callMethod("GetManagedObjects")
      .onInterface(kObjectManagerInterface)
      .withTimeout(kCallTimeout)
      .storeResultsTo(objects);
  return objects;
}

std::string LowerCase(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](char c) {
    return static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  });
  return text;
}

std::chrono::milliseconds TimeLeft(std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return left.count() > 0 ? left : std::chrono::milliseconds(0);
}

std::vector<AdapterInfo> ListAdapters(sdbus::IConnection& connection) {
  CheckBluezRunning(connection);
  ManagedObjects objects;
  try {
    objects = GetManagedObjects(connection);
  } catch (const sdbus::Error& error) {
    // bluetoothd may have gone away between the two calls.
    ThrowTransport(NotRunning(" or does not answer (" + DescribeError(error) + ")"));
  }
  std::vector<AdapterInfo> adapters;
  for (const auto& [path, interfaces] : objects) {
    const auto adapter = interfaces.find(kAdapterInterface);
    if (adapter == interfaces.end()) continue;
    AdapterInfo info;
    info.path = path;
    if (info.path.rfind(kAdapterPathPrefix, 0) != 0) continue;
    info.name = info.path.substr(sizeof(kAdapterPathPrefix) - 1);
    if (!IsAdapterName(info.name)) continue;
    const auto& properties = adapter->second;
    if (auto it = properties.find("Address");
        it != properties.end() && it->second.containsValueOfType<std::string>()) {
      info.address = it->second.get<std::string>();
    }
    if (auto it = properties.find("Powered");
        it != properties.end() && it->second.containsValueOfType<bool>()) {
      info.powered = it->second.get<bool>();
    }
    adapters.push_back(std::move(info));
  }
  std::sort(adapters.begin(), adapters.end(), [](const AdapterInfo& a, const AdapterInfo& b) {
    return AdapterIndex(a.name) < AdapterIndex(b.name);
  });
  return adapters;
}

AdapterInfo FindAdapter(sdbus::IConnection& connection, const std::optional<std::string>& name) {
  if (name) CheckAdapterName(*name);
  const std::vector<AdapterInfo> adapters = ListAdapters(connection);
  if (adapters.empty()) ThrowTransport("BlueZ has no Bluetooth adapter (bluetoothctl list)");
  if (!name) return adapters.front();
  for (const AdapterInfo& adapter : adapters) {
    if (adapter.name == *name) return adapter;
  }
  std::string there;
  for (const AdapterInfo& adapter : adapters) {
    there += (there.empty() ? "" : ", ") + adapter.name + " (" + adapter.address + ")";
  }
  ThrowTransport("no Bluetooth adapter " + *name + "; BlueZ has " + there);
}

bool PowerOnAdapter(sdbus::IConnection& connection, const AdapterInfo& adapter) {
  try {
    auto proxy = sdbus::createProxy(connection, kBusName, adapter.path);
    sdbus::Variant powered;
    proxy->callMethod("Get")
        .onInterface(kPropertiesInterface)
        .withTimeout(kCallTimeout)
        .withArguments(std::string(kAdapterInterface), std::string("Powered"))
        .storeResultsTo(powered);
    if (powered.containsValueOfType<bool>() && powered.get<bool>()) return false;
    proxy->callMethod("Set")
        .onInterface(kPropertiesInterface)
        .withTimeout(kCallTimeout)
        .withArguments(std::string(kAdapterInterface), std::string("Powered"),
                       sdbus::Variant(true));
    return true;
  } catch (const sdbus::Error& error) {
    ThrowTransport("cannot power on " + adapter.name + ": " + DescribeError(error));
  }
}

}  // namespace bleota::host::bluez
