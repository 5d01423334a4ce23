// `bleota sim run --ble bluez`: the simulated device serves its SMP GATT service through the
// Linux Bluetooth stack (BlueZ) as a peripheral, over D-Bus (sdbus-c++). It exports a GATT
// application (an ObjectManager root, the SMP service and its characteristic with flags
// write-without-response, write and notify) and an LE advertisement (type peripheral, the SMP
// service UUID, a local name), and registers both on the adapter.
//
// Writes: each WriteValue is one Write Command (or Write Request), given to BluezGattSession
// with the MTU BlueZ reports in its options; replies go out as PropertiesChanged(Value) while the
// central has notifications on (StartNotify). Time is real time, as for the UDP endpoint.
//
// Advertising: btvirt (the VM's virtual controllers) passes advertising on only when scanning or
// advertising is switched on, so while no central is connected and the firmware advertises, the
// advertisement is registered again every second. After a reset a reply asked for, the device
// boots at once; the central is disconnected shortly after (a reset drops the link) and the
// device advertises again.
//
// bluetoothd going away (a crash, a restart) drops the links: the endpoint says so, asks D-Bus
// to start it again, and once org.bluez and the adapter are back registers the application and
// the advertisement again, as a device keeps serving through a host's stack restart.
//
// fd() is an epoll descriptor over the bus connection and a timer, so the device's poll loop
// waits on one descriptor as for the other endpoints.
#pragma once

#include <sdbus-c++/sdbus-c++.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "bleota/host/bluez_dbus.hpp"
#include "bleota/simdev/bluez_gatt_session.hpp"
#include "bleota/simdev/smp_endpoint.hpp"

namespace bleota::sim {

inline constexpr char kDefaultBleName[] = "bleota-sim";
// The local name goes into the advertising data or, when the flags and the 128-bit SMP UUID
// leave too little room there, into the scan response: an AD structure of at most 31 bytes, two
// of them its header.
inline constexpr size_t kMaxBleNameBytes = 29;
// The delay between a reset and disconnecting the central, so that BlueZ sends the reply's
// notifications before the link goes down.
inline constexpr std::chrono::milliseconds kResetDisconnectDelay{300};
inline constexpr std::chrono::milliseconds kAdvertisementRefresh{1000};

// Throws host::HostError(kUsage) naming `option` unless `name` has 1..29 bytes of printable ASCII.
void CheckBleName(const std::string& name, const std::string& option = "--ble-name");

struct BluezPeripheralOptions {
  std::optional<std::string> adapter;  // "hci0"; nullopt: BlueZ's first adapter
  std::string local_name = kDefaultBleName;
  std::function<void(const std::string& line)> log;  // may be empty
};

class BluezPeripheral final : public SmpEndpoint {
 public:
  // Connects to the system bus, finds the adapter (powering it on when it is off), exports the
  // application and the advertisement and registers both, waiting up to kRegisterTimeout for
  // BlueZ. Throws host::HostError: kUsage for a bad name, kTransport for no bus, no bluetoothd,
  // no such adapter, or a registration BlueZ refused.
  BluezPeripheral(SimDevice& device, BluezPeripheralOptions options);
  ~BluezPeripheral() override;
  BluezPeripheral(const BluezPeripheral&) = delete;
  BluezPeripheral& operator=(const BluezPeripheral&) = delete;

  int fd() const override { return epoll_fd_.fd; }
  std::string description() const override;
  void Service(SimDevice& device) override;

  const BluezGattStats& stats() const { return session_.stats(); }

 private:
  enum class AdState : uint8_t { kNone, kUnregistering, kRegistering, kRegistered };
  using Clock = std::chrono::steady_clock;

  void ExportApplication();
  void ExportAdvertisement();
  void RegisterApplication();
  void RefreshAdvertisement();
  void RegisterAdvertisement();
  void UnregisterAdvertisement(bool then_register);
  // The centrals connected to the adapter now (Device1.Connected under it).
  std::set<std::string> ConnectedCentrals();
  void Tick();
  // bluetoothd is gone: drop the links and registrations, then wait for it (AwaitBluez, each
  // tick) and register again.
  void LoseBluez(const std::string& why);
  void AwaitBluez();
  void DisconnectCentral(const std::string& path);
  // Runs the bus's pending work, then re-arms the epoll set and the timer for the next one.
  void Pump();
  void Rearm();
  // D-Bus handlers.
  void OnWriteValue(const std::vector<uint8_t>& value,
                    const std::map<std::string, sdbus::Variant>& options);
  void SetNotifying(bool on);
  bool EmitNotification(ConstByteSpan value);
  void Log(const std::string& line) const;
  // A failure inside a D-Bus callback, thrown from Service (callbacks must not throw through
  // sd-bus).
  void Fail(const std::string& message);
  void ThrowIfFailed();

  BluezPeripheralOptions options_;
  SimDevice* device_;
  std::unique_ptr<sdbus::IConnection> bus_;
  host::bluez::AdapterInfo adapter_;
  std::string root_path_;
  std::string service_path_;
  std::string characteristic_path_;
  std::string advertisement_path_;
  std::unique_ptr<sdbus::IObject> root_;
  std::unique_ptr<sdbus::IObject> service_;
  std::unique_ptr<sdbus::IObject> characteristic_;
  std::unique_ptr<sdbus::IObject> advertisement_;
  std::unique_ptr<sdbus::IProxy> adapter_proxy_;
  std::vector<std::unique_ptr<sdbus::IProxy>> device_proxies_;
  BluezGattSession session_;
  std::vector<uint8_t> value_;  // the characteristic's value: the last notification
  bool notifying_ = false;
  bool app_registered_ = false;
  AdState ad_state_ = AdState::kNone;
  uint64_t ad_registrations_ = 0;
  bool bluez_gone_ = false;
  sdbus::Slot bluez_owner_match_;  // NameOwnerChanged of org.bluez: a restart between ticks
  std::set<std::string> centrals_;
  // The firmware the connected centrals talk to: another one (a reset by a control) drops them.
  uint32_t boots_seen_ = 0;
  const DeviceFirmware* firmware_seen_ = nullptr;
  std::optional<std::string> disconnect_after_reset_;
  Clock::time_point disconnect_at_{};
  Clock::time_point next_tick_{};
  std::optional<std::string> failure_;
  // Closed also when the constructor throws (a refused registration).
  struct OwnedFd {
    int fd = -1;
    OwnedFd() = default;
    OwnedFd(const OwnedFd&) = delete;
    OwnedFd& operator=(const OwnedFd&) = delete;
    ~OwnedFd();
  };
  OwnedFd epoll_fd_;
  OwnedFd timer_fd_;
  int bus_fd_ = -1;  // owned by bus_
};

}  // namespace bleota::sim
