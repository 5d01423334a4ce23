// BlueZ over D-Bus (sdbus-c++), the pieces shared by the peripheral (`bleota sim run --ble bluez`)
// and the central (`bleota dfu --transport ble`): org.bluez names, the SMP GATT UUIDs, the system
// bus connection and finding an adapter, each failure as a HostError with a message that says what
// is missing (no system bus, no bluetoothd, no such adapter and which ones exist).
#pragma once

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/Types.h>

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace bleota::host::bluez {

// Bus names, interfaces and errors of BlueZ's D-Bus API (doc/*-api.txt in BlueZ).
inline constexpr char kBusName[] = "org.bluez";
inline constexpr char kAdapterInterface[] = "org.bluez.Adapter1";
inline constexpr char kDeviceInterface[] = "org.bluez.Device1";
inline constexpr char kGattManagerInterface[] = "org.bluez.GattManager1";
inline constexpr char kGattServiceInterface[] = "org.bluez.GattService1";
inline constexpr char kGattCharacteristicInterface[] = "org.bluez.GattCharacteristic1";
inline constexpr char kLeAdvertisingManagerInterface[] = "org.bluez.LEAdvertisingManager1";
inline constexpr char kLeAdvertisementInterface[] = "org.bluez.LEAdvertisement1";
inline constexpr char kObjectManagerInterface[] = "org.freedesktop.DBus.ObjectManager";
inline constexpr char kPropertiesInterface[] = "org.freedesktop.DBus.Properties";
// Errors a GATT application returns to BlueZ (doc/gatt-api.txt).
inline constexpr char kErrorFailed[] = "org.bluez.Error.Failed";
inline constexpr char kErrorNotSupported[] = "org.bluez.Error.NotSupported";
inline constexpr char kErrorInvalidValueLength[] = "org.bluez.Error.InvalidValueLength";

// The SMP GATT service and its one characteristic (docs/spec/smp.md), lower case as BlueZ
// reports UUIDs.
inline constexpr char kSmpServiceUuid[] = "8d53dc1d-1db7-4cd3-868b-8a527460aa84";
inline constexpr char kSmpCharacteristicUuid[] = "da2e7828-fbce-4e01-ae9e-261174997c48";

// ATT: the payload of a Write Command or a notification is at most ATT_MTU - 3 bytes; the MTU is
// at least 23 and BlueZ negotiates at most 517.
inline constexpr size_t kAttHeaderSize = 3;
inline constexpr uint16_t kAttMinMtu = 23;
inline constexpr uint16_t kAttMaxMtu = 517;
// BlueZ 5.66 silently drops a Write Command of exactly 512 bytes (a length check, fixed upstream);
// writers stay at or below this many bytes per write.
inline constexpr size_t kBluezMaxWriteCommand = 510;

// How long one synchronous call to BlueZ may take before it counts as failed.
inline constexpr std::chrono::seconds kCallTimeout{10};

// D-Bus property and object maps as org.freedesktop.DBus.Properties and ObjectManager give them.
using PropertyMap = std::map<std::string, sdbus::Variant>;
using InterfaceMap = std::map<std::string, PropertyMap>;
using ManagedObjects = std::map<sdbus::ObjectPath, InterfaceMap>;

// A property of type T, or nullopt when it is absent or of another type.
template <typename T>
std::optional<T> GetProperty(const PropertyMap& properties, const char* key) {
  const auto it = properties.find(key);
  if (it == properties.end() || !it->second.containsValueOfType<T>()) return std::nullopt;
  return it->second.get<T>();
}

// BlueZ's object tree (ObjectManager.GetManagedObjects on "/"). Throws sdbus::Error: each caller
// says what failing means for it.
ManagedObjects GetManagedObjects(sdbus::IConnection& connection);

// ASCII lower case: BlueZ reports UUIDs and addresses in one case, users type either.
std::string LowerCase(std::string text);

// Time left until `deadline`, never negative.
std::chrono::milliseconds TimeLeft(std::chrono::steady_clock::time_point deadline);

// "hci0".."hci999": the form of an adapter name. Throws HostError(kUsage) naming `option`
// ("--adapter: 'hcix' is not an adapter name (hci0, hci1, ...)").
void CheckAdapterName(const std::string& name, const std::string& option = "--adapter");

// Connects to the system bus. Throws HostError(kTransport) when there is none.
std::unique_ptr<sdbus::IConnection> OpenSystemBus();

// Throws HostError(kTransport) "... is bluetoothd running?" when nobody owns org.bluez.
void CheckBluezRunning(sdbus::IConnection& connection);

// Asks the bus to start bluetoothd (StartServiceByName: D-Bus activation, which a systemd host
// maps to bluetooth.service). Best effort: where there is no activation (no systemd, no service
// file) the caller waits for whoever restarts it.
void RequestBluezStart(sdbus::IConnection& connection);

struct AdapterInfo {
  std::string name;     // "hci0"
  std::string path;     // "/org/bluez/hci0"
  std::string address;  // "00:AA:01:00:00:23"
  bool powered = false;
};

// The adapters BlueZ manages, in index order (hci0, hci1, ..., hci10). Throws HostError(kTransport)
// when BlueZ is not running or does not answer.
std::vector<AdapterInfo> ListAdapters(sdbus::IConnection& connection);

// The adapter named `name` ("hci1"), or without a name the first one (lowest index). Throws
// HostError(kUsage) for a malformed name, HostError(kTransport) when bluetoothd is not running,
// there is no adapter, or none by that name (the message lists those there are).
AdapterInfo FindAdapter(sdbus::IConnection& connection, const std::optional<std::string>& name);

// Powers the adapter on when it is off (bluetoothd with AutoEnable = false leaves adapters off).
// Returns true when it had to power it on. Throws HostError(kTransport) when BlueZ refuses
// (e.g. rfkill blocked).
bool PowerOnAdapter(sdbus::IConnection& connection, const AdapterInfo& adapter);

// The text of a D-Bus error for messages: "org.bluez.Error.Failed: Not Powered".
std::string DescribeError(const std::exception& error);

}  // namespace bleota::host::bluez
