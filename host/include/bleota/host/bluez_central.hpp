// A BLE central through BlueZ's D-Bus API (sdbus-c++): finds the device (LE scan filtered on the
// SMP service), connects, waits for GATT discovery (ServicesResolved), finds the SMP
// characteristic and opens it for Write Commands and notifications: AcquireWrite/AcquireNotify
// (one socket each, one datagram per ATT PDU value), or WriteValue(type command)/StartNotify
// where BlueZ refuses those. It moves values, not SMP packets (SmpBluezTransport does that).
#pragma once

#include <sdbus-c++/IConnection.h>
#include <sdbus-c++/IProxy.h>
#include <sdbus-c++/Message.h>

#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bleota/host/bluez_central_options.hpp"
#include "bleota/host/bluez_dbus.hpp"

namespace bleota::host {

// What the link is, for messages and the upload summary.
struct BluezLinkInfo {
  std::string adapter;  // "hci1"
  std::string adapter_address;
  std::string address;  // the device's
  std::string name;     // its advertised name, or empty
  uint32_t att_mtu = 23;
  size_t write_piece = 20;       // value bytes per Write Command
  bool write_acquired = false;   // AcquireWrite (else WriteValue)
  bool notify_acquired = false;  // AcquireNotify (else StartNotify)
  bool write_request = false;    // the characteristic takes only Write Requests (no Commands)
  uint64_t connections = 0;
  uint64_t disconnects = 0;  // link losses noticed while connected
  uint64_t writes = 0;
  uint64_t notifications = 0;
  uint64_t failed_writes = 0;   // writes BlueZ refused while the link was up (dropped)
  uint64_t bluez_restarts = 0;  // reconnects that found bluetoothd gone and waited for it
};

class BluezCentral {
 public:
  // Opens the system bus and finds the adapter, which must be powered. Throws HostError:
  // kUsage for a malformed adapter name, kTransport for no bus, no bluetoothd, no such adapter
  // (the message lists those there are) or an adapter that is off.
  explicit BluezCentral(BluezCentralOptions options);
  ~BluezCentral();  // Disconnect()
  BluezCentral(const BluezCentral&) = delete;
  BluezCentral& operator=(const BluezCentral&) = delete;

  // Finds, connects and opens the SMP characteristic. Throws HostError(kTransport): device not
  // found within the scan timeout (the message names the SMP devices seen), connection refused
  // or timed out, no SMP service/characteristic, GATT discovery not finished in time. After a
  // first success it reconnects to the same address, and waits up to the connect timeout for
  // bluetoothd and the adapter to come back when BlueZ went away (a crash or restart).
  void Connect();
  // Releases the sockets and disconnects the device (Device1.Disconnect), if connected.
  void Disconnect();

  bool connected() const { return connected_; }
  // Why the link went down ("the device disconnected"), empty while it is up.
  const std::string& down_reason() const { return down_reason_; }

  // One Write Command with `value` (at most link().write_piece bytes). Returns false when the
  // link is down (the value is lost, as on air). Throws HostError(kUsage) for an oversized value.
  bool Write(std::span<const uint8_t> value);
  // Waits up to `timeout` for one notification value. std::nullopt on timeout or when the link
  // went down (connected() tells which).
  std::optional<std::vector<uint8_t>> ReadNotification(std::chrono::milliseconds timeout);

  const BluezLinkInfo& link() const { return link_; }

 private:
  void AwaitAdapter();
  void FindDevice();
  void ConnectDevice();
  void WaitServicesResolved();
  void FindCharacteristic();
  void OpenCharacteristic();
  void Subscribe();
  void CloseSockets();
  void LinkDown(const std::string& reason);
  void OnDeviceProperties(sdbus::Message& message);
  void OnCharacteristicProperties(sdbus::Message& message);
  bool WriteBySocket(std::span<const uint8_t> value);
  bool WriteByMethod(std::span<const uint8_t> value);

  BluezCentralOptions options_;
  std::unique_ptr<sdbus::IConnection> bus_;
  bluez::AdapterInfo adapter_;
  std::string device_path_;
  std::string characteristic_path_;
  std::unique_ptr<sdbus::IProxy> device_;
  std::unique_ptr<sdbus::IProxy> characteristic_;
  std::vector<sdbus::Slot> matches_;
  int write_fd_ = -1;
  int notify_fd_ = -1;
  bool notifying_ = false;  // StartNotify was called
  bool connected_ = false;
  std::string down_reason_;
  std::deque<std::vector<uint8_t>> values_;  // notifications from PropertiesChanged(Value)
  BluezLinkInfo link_;
};

}  // namespace bleota::host
