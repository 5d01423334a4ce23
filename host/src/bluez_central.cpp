#include "bleota/host/bluez_central.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <map>

#include "bleota/host/bluez_scan.hpp"
#include "bleota/host/error.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

using bluez::GetProperty;
using bluez::ManagedObjects;
using bluez::PropertyMap;

// A notification value is at most 512 bytes; one more shows a truncated datagram.
constexpr size_t kMaxValue = 513;
// How long one Write Command may wait for room in BlueZ's socket before the link counts as stuck.
constexpr milliseconds kWriteRoomTimeout{5000};
// Pieces of the waits: the bus is polled at least this often for the device's state.
constexpr milliseconds kPollSlice{100};

std::string Seconds(milliseconds duration) {
  const auto tenths = duration.count() / 100;
  return std::to_string(tenths / 10) + (tenths % 10 ? "." + std::to_string(tenths % 10) : "") +
         " s";
}

std::string DescribeSelector(const BleDeviceSelector& selector) {
  if (!selector.address.empty()) return "device " + selector.address;
  if (!selector.name.empty()) return "device named '" + selector.name + "'";
  return "device advertising the SMP service";
}

}  // namespace

BluezCentral::BluezCentral(BluezCentralOptions options) : options_(std::move(options)) {
  bus_ = bluez::OpenSystemBus();
  adapter_ = bluez::FindAdapter(*bus_, options_.adapter.empty()
                                           ? std::nullopt
                                           : std::optional<std::string>(options_.adapter));
  RequirePowered(adapter_);
  link_.adapter = adapter_.name;
  link_.adapter_address = adapter_.address;
}

BluezCentral::~BluezCentral() { Disconnect(); }

void BluezCentral::Connect() {
  CloseSockets();
  matches_.clear();
  values_.clear();
  if (link_.connections > 0) AwaitAdapter();
  FindDevice();
  device_ = sdbus::createProxy(*bus_, bluez::kBusName, device_path_);
  Subscribe();
  ConnectDevice();
  WaitServicesResolved();
  FindCharacteristic();
  OpenCharacteristic();
  connected_ = true;
  down_reason_.clear();
  ++link_.connections;
}

void BluezCentral::AwaitAdapter() {
  // A first connect fails fast with a clear error; a reconnect in the middle of an upload rides
  // out a restart of bluetoothd, as a user would wait.
  bool gone = false;
  adapter_ =
      AwaitPoweredAdapter(*bus_, adapter_.name, Clock::now() + options_.connect_timeout, &gone);
  if (gone) ++link_.bluez_restarts;
}

void BluezCentral::FindDevice() {
  BluezDiscovery discovery(*bus_, adapter_);
  // A connected device does not advertise (most take one central): use it as it is.
  if (const BleSeenDevice* device = SelectDevice(discovery.devices(), options_.device);
      device != nullptr && device->connected) {
    device_path_ = device->path;
    link_.address = device->address;
    link_.name = device->name;
    options_.device.address = device->address;
    return;
  }
  discovery.Start();
  std::optional<BleSeenDevice> found = discovery.WaitFor(options_.device, options_.scan_timeout);
  discovery.Stop();
  if (!found) {
    std::string seen;
    for (const auto& [path, device] : discovery.devices()) {
      if (!device.present || !device.smp) continue;
      seen += (seen.empty() ? "" : ", ") + device.address +
              (device.name.empty() ? "" : " '" + device.name + "'");
    }
    ThrowTransport("no " + DescribeSelector(options_.device) + " found by " + adapter_.name +
                   " within " + Seconds(options_.scan_timeout) +
                   (seen.empty()
                        ? " (no SMP device seen at all: is it on, advertising and in range?)"
                        : " (SMP devices seen: " + seen + ")") +
                   "; `bleota dfu scan` lists them, --scan-timeout waits longer");
  }
  device_path_ = found->path;
  link_.address = found->address;
  link_.name = found->name;
  // Reconnect to this very device, however it was chosen.
  options_.device.address = found->address;
}

void BluezCentral::Subscribe() {
  const std::string rule = std::string("type='signal',sender='") + bluez::kBusName +
                           "',interface='" + bluez::kPropertiesInterface +
                           "',member='PropertiesChanged',path='";
  matches_.push_back(bus_->addMatch(rule + device_path_ + "'",
                                    [this](sdbus::Message& m) { OnDeviceProperties(m); }));
}

void BluezCentral::OnDeviceProperties(sdbus::Message& message) {
  std::string interface;
  PropertyMap changed;
  std::vector<std::string> invalidated;
  message >> interface >> changed >> invalidated;
  if (interface != bluez::kDeviceInterface) return;
  if (auto value = GetProperty<bool>(changed, "Connected"); value && !*value && connected_) {
    LinkDown("the device " + link_.address + " disconnected");
  }
}

void BluezCentral::OnCharacteristicProperties(sdbus::Message& message) {
  std::string interface;
  PropertyMap changed;
  std::vector<std::string> invalidated;
  message >> interface >> changed >> invalidated;
  if (interface != bluez::kGattCharacteristicInterface) return;
  if (auto value = GetProperty<std::vector<uint8_t>>(changed, "Value")) {
    values_.push_back(std::move(*value));
  }
}

void BluezCentral::ConnectDevice() {
  const std::string who = link_.address + (link_.name.empty() ? "" : " ('" + link_.name + "')") +
                          " from " + adapter_.name;
  try {
    device_->callMethod("Connect")
        .onInterface(bluez::kDeviceInterface)
        .withTimeout(options_.connect_timeout);
  } catch (const sdbus::Error& error) {
    if (error.getName() == "org.bluez.Error.AlreadyConnected") return;
    std::string hint = "is it connectable, in range, and free (not connected to another central)?";
    if (error.getName() == "org.freedesktop.DBus.Error.NoReply") {
      hint = "no connection within " + Seconds(options_.connect_timeout) + ": " + hint;
    }
    ThrowTransport("cannot connect to " + who + ": " + bluez::DescribeError(error) + "; " + hint);
  }
}

void BluezCentral::WaitServicesResolved() {
  const Clock::time_point deadline = Clock::now() + options_.connect_timeout;
  for (;;) {
    // BlueZ may never signal Connected on this path; ServicesResolved is what counts.
    sdbus::Variant resolved;
    sdbus::Variant connected;
    try {
      device_->callMethod("Get")
          .onInterface(bluez::kPropertiesInterface)
          .withTimeout(bluez::kCallTimeout)
          .withArguments(std::string(bluez::kDeviceInterface), std::string("ServicesResolved"))
          .storeResultsTo(resolved);
      device_->callMethod("Get")
          .onInterface(bluez::kPropertiesInterface)
          .withTimeout(bluez::kCallTimeout)
          .withArguments(std::string(bluez::kDeviceInterface), std::string("Connected"))
          .storeResultsTo(connected);
    } catch (const sdbus::Error& error) {
      ThrowTransport("the device " + link_.address +
                     " went away while connecting: " + bluez::DescribeError(error));
    }
    if (resolved.containsValueOfType<bool>() && resolved.get<bool>()) return;
    if (connected.containsValueOfType<bool>() && !connected.get<bool>()) {
      ThrowTransport("the device " + link_.address +
                     " disconnected before its GATT services were discovered");
    }
    if (Clock::now() >= deadline) {
      ThrowTransport("the device " + link_.address + " connected, but BlueZ did not finish " +
                     "discovering its GATT services within " + Seconds(options_.connect_timeout));
    }
    PumpBus(*bus_, std::min(bluez::TimeLeft(deadline), kPollSlice));
  }
}

void BluezCentral::FindCharacteristic() {
  ManagedObjects objects;
  try {
    objects = bluez::GetManagedObjects(*bus_);
  } catch (const sdbus::Error& error) {
    ThrowTransport("BlueZ did not list its objects: " + bluez::DescribeError(error));
  }
  const std::string prefix = device_path_ + "/";
  std::string service_path;
  std::vector<std::string> services;
  for (const auto& [path, interfaces] : objects) {
    if (path.rfind(prefix, 0) != 0) continue;
    const auto service = interfaces.find(bluez::kGattServiceInterface);
    if (service == interfaces.end()) continue;
    const std::string uuid =
        bluez::LowerCase(GetProperty<std::string>(service->second, "UUID").value_or(""));
    services.push_back(uuid);
    if (uuid == bluez::kSmpServiceUuid) service_path = path;
  }
  if (service_path.empty()) {
    std::string list;
    for (const std::string& uuid : services) list += (list.empty() ? "" : ", ") + uuid;
    ThrowTransport("the device " + link_.address + " has no SMP service (" +
                   bluez::kSmpServiceUuid + "); its services: " + (list.empty() ? "none" : list));
  }
  for (const auto& [path, interfaces] : objects) {
    const auto characteristic = interfaces.find(bluez::kGattCharacteristicInterface);
    if (characteristic == interfaces.end()) continue;
    const PropertyMap& properties = characteristic->second;
    if (bluez::LowerCase(GetProperty<std::string>(properties, "UUID").value_or("")) !=
            bluez::kSmpCharacteristicUuid ||
        GetProperty<sdbus::ObjectPath>(properties, "Service").value_or(sdbus::ObjectPath()) !=
            service_path) {
      continue;
    }
    characteristic_path_ = path;
    const std::vector<std::string> flags =
        GetProperty<std::vector<std::string>>(properties, "Flags")
            .value_or(std::vector<std::string>{});
    const auto has = [&flags](const char* flag) {
      return std::find(flags.begin(), flags.end(), flag) != flags.end();
    };
    if (!has("notify") && !has("indicate")) {
      ThrowTransport("the SMP characteristic of " + link_.address +
                     " does not notify: not an SMP server");
    }
    if (!has("write-without-response")) {
      if (!has("write")) {
        ThrowTransport("the SMP characteristic of " + link_.address +
                       " cannot be written: not an SMP server");
      }
      link_.write_request = true;
    }
    link_.att_mtu = GetProperty<uint16_t>(properties, "MTU").value_or(bluez::kAttMinMtu);
    return;
  }
  ThrowTransport("the device " + link_.address +
                 " has the SMP service but not its characteristic (" +
                 bluez::kSmpCharacteristicUuid + ")");
}

void BluezCentral::OpenCharacteristic() {
  characteristic_ = sdbus::createProxy(*bus_, bluez::kBusName, characteristic_path_);
  const PropertyMap no_options;
  // Notifications first, so that no reply can be missed.
  try {
    sdbus::UnixFd fd;
    uint16_t mtu = 0;
    characteristic_->callMethod("AcquireNotify")
        .onInterface(bluez::kGattCharacteristicInterface)
        .withTimeout(bluez::kCallTimeout)
        .withArguments(no_options)
        .storeResultsTo(fd, mtu);
    notify_fd_ = fd.release();
    link_.notify_acquired = true;
    if (mtu >= bluez::kAttMinMtu) link_.att_mtu = mtu;
  } catch (const sdbus::Error&) {
    // Older BlueZ, or someone else notifies already: values come as PropertiesChanged(Value).
    const std::string rule = std::string("type='signal',sender='") + bluez::kBusName +
                             "',interface='" + bluez::kPropertiesInterface +
                             "',member='PropertiesChanged',path='" + characteristic_path_ + "'";
    matches_.push_back(
        bus_->addMatch(rule, [this](sdbus::Message& m) { OnCharacteristicProperties(m); }));
    try {
      characteristic_->callMethod("StartNotify")
          .onInterface(bluez::kGattCharacteristicInterface)
          .withTimeout(bluez::kCallTimeout);
    } catch (const sdbus::Error& error) {
      ThrowTransport("cannot enable notifications of the SMP characteristic of " + link_.address +
                     ": " + bluez::DescribeError(error));
    }
    notifying_ = true;
    link_.notify_acquired = false;
  }
  link_.write_acquired = false;
  if (!link_.write_request) {
    try {
      sdbus::UnixFd fd;
      uint16_t mtu = 0;
      characteristic_->callMethod("AcquireWrite")
          .onInterface(bluez::kGattCharacteristicInterface)
          .withTimeout(bluez::kCallTimeout)
          .withArguments(no_options)
          .storeResultsTo(fd, mtu);
      write_fd_ = fd.release();
      link_.write_acquired = true;
      if (mtu >= bluez::kAttMinMtu) link_.att_mtu = mtu;
    } catch (const sdbus::Error&) {
      // WriteValue(type command) below.
    }
  }
  link_.write_piece = BluezWritePieceSize(link_.att_mtu);
}

void BluezCentral::CloseSockets() {
  if (write_fd_ >= 0) close(write_fd_);
  if (notify_fd_ >= 0) close(notify_fd_);
  write_fd_ = -1;
  notify_fd_ = -1;
}

void BluezCentral::LinkDown(const std::string& reason) {
  if (!connected_) return;
  connected_ = false;
  ++link_.disconnects;
  down_reason_ = reason;
  CloseSockets();
  notifying_ = false;
}

void BluezCentral::Disconnect() {
  CloseSockets();
  if (notifying_ && characteristic_) {
    try {
      characteristic_->callMethod("StopNotify")
          .onInterface(bluez::kGattCharacteristicInterface)
          .withTimeout(bluez::kCallTimeout);
    } catch (const sdbus::Error&) {
      // Gone with the link.
    }
  }
  notifying_ = false;
  if (device_) {
    try {
      device_->callMethod("Disconnect")
          .onInterface(bluez::kDeviceInterface)
          .withTimeout(bluez::kCallTimeout);
    } catch (const sdbus::Error&) {
      // Already disconnected, or BlueZ went away: nothing left to end.
    }
  }
  matches_.clear();
  connected_ = false;
}

bool BluezCentral::Write(std::span<const uint8_t> value) {
  if (value.size() > link_.write_piece) {
    ThrowUsage("a write of " + std::to_string(value.size()) + " bytes exceeds the " +
               std::to_string(link_.write_piece) + "-byte write size of the link");
  }
  if (!connected_) return false;
  const bool sent = write_fd_ >= 0 ? WriteBySocket(value) : WriteByMethod(value);
  if (sent) ++link_.writes;
  return sent;
}

bool BluezCentral::WriteBySocket(std::span<const uint8_t> value) {
  const Clock::time_point deadline = Clock::now() + kWriteRoomTimeout;
  for (;;) {
    const ssize_t n = send(write_fd_, value.data(), value.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n == static_cast<ssize_t>(value.size())) return true;
    if (n >= 0) {
      ThrowTransport("BlueZ took " + std::to_string(n) + " of " + std::to_string(value.size()) +
                     " bytes of a Write Command");
    }
    if (errno == EINTR) continue;
    if (errno != EAGAIN && errno != EWOULDBLOCK) {
      LinkDown(std::string("the write socket closed (") + std::strerror(errno) +
               "): the link is down");
      return false;
    }
    if (Clock::now() >= deadline) {
      ++link_.failed_writes;  // BlueZ does not take more: the value is lost, as on a busy link
      return false;
    }
    pollfd p{write_fd_, POLLOUT, 0};
    poll(&p, 1, static_cast<int>(std::min(bluez::TimeLeft(deadline), kPollSlice).count()));
    if ((p.revents & (POLLHUP | POLLERR)) != 0) {
      LinkDown("the write socket hung up: the link is down");
      return false;
    }
  }
}

bool BluezCentral::WriteByMethod(std::span<const uint8_t> value) {
  PropertyMap options;
  options["type"] = sdbus::Variant(std::string(link_.write_request ? "request" : "command"));
  try {
    characteristic_->callMethod("WriteValue")
        .onInterface(bluez::kGattCharacteristicInterface)
        .withTimeout(bluez::kCallTimeout)
        .withArguments(std::vector<uint8_t>(value.begin(), value.end()), options);
    return true;
  } catch (const sdbus::Error& error) {
    PumpBus(*bus_, milliseconds(0));  // a disconnect signal may explain the failure
    if (connected_) ++link_.failed_writes;
    return false;
  }
}

std::optional<std::vector<uint8_t>> BluezCentral::ReadNotification(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::vector<uint8_t> buffer(kMaxValue);
  for (;;) {
    if (!values_.empty()) {
      std::vector<uint8_t> value = std::move(values_.front());
      values_.pop_front();
      ++link_.notifications;
      return value;
    }
    if (!connected_) return std::nullopt;
    const short revents =
        PumpBus(*bus_, std::min(bluez::TimeLeft(deadline), kPollSlice), notify_fd_);
    if (notify_fd_ >= 0 && revents != 0) {
      if ((revents & POLLIN) != 0) {
        const ssize_t n = recv(notify_fd_, buffer.data(), buffer.size(), MSG_DONTWAIT);
        if (n > 0) {
          buffer.resize(static_cast<size_t>(n));
          ++link_.notifications;
          return buffer;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)) continue;
      }
      LinkDown("the device " + link_.address + " disconnected (notification socket closed)");
      return std::nullopt;
    }
    if (Clock::now() >= deadline) {
      PumpBus(*bus_, milliseconds(0));
      if (values_.empty()) return std::nullopt;
    }
  }
}

}  // namespace bleota::host
