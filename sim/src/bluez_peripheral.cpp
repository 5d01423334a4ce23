#include "bleota/simdev/bluez_peripheral.hpp"

#include <poll.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <utility>

#include "bleota/host/error.hpp"

namespace bleota::sim {

namespace bz = host::bluez;

namespace {

constexpr std::chrono::seconds kRegisterTimeout{10};
constexpr char kAppRoot[] = "/org/bleota/sim";

using Options = bz::PropertyMap;

}  // namespace

void CheckBleName(const std::string& name, const std::string& option) {
  if (name.empty() || name.size() > kMaxBleNameBytes) {
    host::ThrowUsage(option + ": '" + name + "' has " + std::to_string(name.size()) +
                     " bytes; a BLE local name here has 1 to " + std::to_string(kMaxBleNameBytes) +
                     " (one advertising data structure of 31 bytes)");
  }
  for (const char c : name) {
    if (c < 0x20 || c > 0x7e) {
      host::ThrowUsage(option + ": the name may hold printable ASCII only");
    }
  }
}

BluezPeripheral::BluezPeripheral(SimDevice& device, BluezPeripheralOptions options)
    : options_(std::move(options)),
      device_(&device),
      session_([this](ConstByteSpan value) { return EmitNotification(value); }) {
  CheckBleName(options_.local_name);
  bus_ = bz::OpenSystemBus();
  adapter_ = bz::FindAdapter(*bus_, options_.adapter);
  if (bz::PowerOnAdapter(*bus_, adapter_)) {
    Log("bluez: " + adapter_.name + " was off (bluetoothd's AutoEnable is off): powered it on");
  }
  // One application per process: the paths carry the pid, so two devices on one bus differ.
  root_path_ = std::string(kAppRoot) + std::to_string(getpid());
  service_path_ = root_path_ + "/service0";
  characteristic_path_ = service_path_ + "/char0";
  advertisement_path_ = root_path_ + "/advertisement0";

  epoll_fd_.fd = epoll_create1(EPOLL_CLOEXEC);
  timer_fd_.fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
  if (epoll_fd_.fd < 0 || timer_fd_.fd < 0) {
    host::ThrowIo(std::string("cannot create the BlueZ endpoint's poll set: ") +
                  std::strerror(errno));
  }
  epoll_event timer_event{};
  timer_event.events = EPOLLIN;
  timer_event.data.fd = timer_fd_.fd;
  bus_fd_ = bus_->getEventLoopPollData().fd;
  epoll_event bus_event{};
  bus_event.events = EPOLLIN;
  bus_event.data.fd = bus_fd_;
  if (epoll_ctl(epoll_fd_.fd, EPOLL_CTL_ADD, timer_fd_.fd, &timer_event) != 0 ||
      epoll_ctl(epoll_fd_.fd, EPOLL_CTL_ADD, bus_fd_, &bus_event) != 0) {
    host::ThrowIo(std::string("cannot poll the D-Bus connection: ") + std::strerror(errno));
  }

  adapter_proxy_ = sdbus::createProxy(*bus_, bz::kBusName, adapter_.path);
  // A bluetoothd that left the bus took our registrations with it, even if a new one is already
  // there by the next tick.
  bluez_owner_match_ = bus_->addMatch(
      std::string("type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
                  "member='NameOwnerChanged',arg0='") +
          bz::kBusName + "'",
      [this](sdbus::Message& message) {
        std::string name, old_owner, new_owner;
        message >> name >> old_owner >> new_owner;
        if (!old_owner.empty()) LoseBluez("BlueZ left the system bus");
      });
  ExportApplication();
  ExportAdvertisement();
  RegisterApplication();

  // Both registrations answer only after BlueZ has read our objects, which it does with calls
  // this loop must answer: run the bus until both are in.
  const auto deadline = Clock::now() + kRegisterTimeout;
  while (!(app_registered_ && ad_state_ == AdState::kRegistered)) {
    ThrowIfFailed();
    if (Clock::now() >= deadline) {
      host::ThrowTransport(
          "BlueZ did not answer the registration of the GATT application and "
          "advertisement on " +
          adapter_.name + " within " + std::to_string(kRegisterTimeout.count()) + " s");
    }
    const sdbus::IConnection::PollData poll_data = bus_->getEventLoopPollData();
    pollfd fds{poll_data.fd, poll_data.events, 0};
    poll(&fds, 1, 100);
    while (bus_->processPendingRequest()) {
    }
  }
  next_tick_ = Clock::now() + kAdvertisementRefresh;
  boots_seen_ = device.boots();
  firmware_seen_ = device.firmware();
  Rearm();
}

BluezPeripheral::~BluezPeripheral() {
  // Leaving the bus unregisters everything; say so politely first (bounded calls).
  try {
    if (ad_state_ != AdState::kNone && adapter_proxy_) {
      adapter_proxy_->callMethod("UnregisterAdvertisement")
          .onInterface(bz::kLeAdvertisingManagerInterface)
          .withTimeout(std::chrono::seconds(2))
          .withArguments(sdbus::ObjectPath(advertisement_path_));
    }
  } catch (const std::exception&) {
  }
  try {
    if (app_registered_ && adapter_proxy_) {
      adapter_proxy_->callMethod("UnregisterApplication")
          .onInterface(bz::kGattManagerInterface)
          .withTimeout(std::chrono::seconds(2))
          .withArguments(sdbus::ObjectPath(root_path_));
    }
  } catch (const std::exception&) {
  }
}

BluezPeripheral::OwnedFd::~OwnedFd() {
  if (fd >= 0) close(fd);
}

std::string BluezPeripheral::description() const {
  return "ble bluez " + adapter_.name + " (" + adapter_.address + ") advertising '" +
         options_.local_name + "'";
}

void BluezPeripheral::Log(const std::string& line) const {
  if (options_.log) options_.log(line);
}

void BluezPeripheral::Fail(const std::string& message) {
  if (!failure_) failure_ = message;
}

void BluezPeripheral::ThrowIfFailed() {
  if (failure_) host::ThrowTransport(*failure_);
}

void BluezPeripheral::ExportApplication() {
  root_ = sdbus::createObject(*bus_, root_path_);
  root_->addObjectManager();
  root_->finishRegistration();

  service_ = sdbus::createObject(*bus_, service_path_);
  service_->registerProperty("UUID").onInterface(bz::kGattServiceInterface).withGetter([] {
    return std::string(bz::kSmpServiceUuid);
  });
  service_->registerProperty("Primary").onInterface(bz::kGattServiceInterface).withGetter([] {
    return true;
  });
  service_->finishRegistration();

  characteristic_ = sdbus::createObject(*bus_, characteristic_path_);
  const std::string chr = bz::kGattCharacteristicInterface;
  characteristic_->registerProperty("UUID").onInterface(chr).withGetter(
      [] { return std::string(bz::kSmpCharacteristicUuid); });
  characteristic_->registerProperty("Service").onInterface(chr).withGetter(
      [this] { return sdbus::ObjectPath(service_path_); });
  characteristic_->registerProperty("Flags").onInterface(chr).withGetter([] {
    return std::vector<std::string>{"write-without-response", "write", "notify"};
  });
  characteristic_->registerProperty("Value").onInterface(chr).withGetter([this] { return value_; });
  characteristic_->registerProperty("Notifying").onInterface(chr).withGetter([this] {
    return notifying_;
  });
  characteristic_->registerMethod("ReadValue")
      .onInterface(chr)
      .withInputParamNames("options")
      .withOutputParamNames("value")
      .implementedAs([](const Options&) -> std::vector<uint8_t> {
        throw sdbus::Error(bz::kErrorNotSupported, "the SMP characteristic is not readable");
      });
  characteristic_->registerMethod("WriteValue")
      .onInterface(chr)
      .withInputParamNames("value", "options")
      .implementedAs([this](const std::vector<uint8_t>& value, const Options& options) {
        OnWriteValue(value, options);
      });
  characteristic_->registerMethod("StartNotify").onInterface(chr).implementedAs([this] {
    SetNotifying(true);
  });
  characteristic_->registerMethod("StopNotify").onInterface(chr).implementedAs([this] {
    SetNotifying(false);
  });
  characteristic_->finishRegistration();
}

void BluezPeripheral::ExportAdvertisement() {
  advertisement_ = sdbus::createObject(*bus_, advertisement_path_);
  const std::string ad = bz::kLeAdvertisementInterface;
  advertisement_->registerProperty("Type").onInterface(ad).withGetter(
      [] { return std::string("peripheral"); });
  advertisement_->registerProperty("ServiceUUIDs").onInterface(ad).withGetter([] {
    return std::vector<std::string>{bz::kSmpServiceUuid};
  });
  advertisement_->registerProperty("LocalName").onInterface(ad).withGetter([this] {
    return options_.local_name;
  });
  advertisement_->registerMethod("Release").onInterface(ad).implementedAs([this] {
    // BlueZ dropped the advertisement (the adapter went away or was powered off): the next
    // tick registers it again.
    ad_state_ = AdState::kNone;
  });
  advertisement_->finishRegistration();
}

void BluezPeripheral::RegisterApplication() {
  adapter_proxy_->callMethodAsync("RegisterApplication")
      .onInterface(bz::kGattManagerInterface)
      .withTimeout(kRegisterTimeout)
      .withArguments(sdbus::ObjectPath(root_path_), Options{})
      .uponReplyInvoke([this](const sdbus::Error* error) {
        if (error && ad_registrations_ > 0) {
          LoseBluez("the GATT application was not registered again: " + bz::DescribeError(*error));
          return;
        }
        if (error) {
          Fail("BlueZ refused the GATT application on " + adapter_.name + ": " +
               bz::DescribeError(*error));
          return;
        }
        app_registered_ = true;
        RegisterAdvertisement();
      });
}

void BluezPeripheral::RegisterAdvertisement() {
  ad_state_ = AdState::kRegistering;
  adapter_proxy_->callMethodAsync("RegisterAdvertisement")
      .onInterface(bz::kLeAdvertisingManagerInterface)
      .withTimeout(kRegisterTimeout)
      .withArguments(sdbus::ObjectPath(advertisement_path_), Options{})
      .uponReplyInvoke([this](const sdbus::Error* error) {
        if (error) {
          ad_state_ = AdState::kNone;
          // The first registration decides whether the device can advertise at all.
          if (ad_registrations_ == 0) {
            Fail("BlueZ refused the advertisement on " + adapter_.name + ": " +
                 bz::DescribeError(*error));
          } else {
            Log("bluez: advertisement not registered again: " + bz::DescribeError(*error));
          }
          return;
        }
        ad_state_ = AdState::kRegistered;
        if (ad_registrations_++ == 0) {
          Log("bluez: advertising '" + options_.local_name + "' on " + adapter_.name + " (" +
              adapter_.address + ")");
        }
      });
}

void BluezPeripheral::UnregisterAdvertisement(bool then_register) {
  ad_state_ = AdState::kUnregistering;
  adapter_proxy_->callMethodAsync("UnregisterAdvertisement")
      .onInterface(bz::kLeAdvertisingManagerInterface)
      .withTimeout(kRegisterTimeout)
      .withArguments(sdbus::ObjectPath(advertisement_path_))
      .uponReplyInvoke([this, then_register](const sdbus::Error*) {
        // An error means it was not registered (BlueZ released it): either way it is gone.
        ad_state_ = AdState::kNone;
        if (then_register) RegisterAdvertisement();
      });
}

void BluezPeripheral::RefreshAdvertisement() {
  switch (ad_state_) {
    case AdState::kRegistered:
      UnregisterAdvertisement(/*then_register=*/true);
      break;
    case AdState::kNone:
      RegisterAdvertisement();
      break;
    case AdState::kUnregistering:
    case AdState::kRegistering:
      break;  // a refresh is under way
  }
}

std::set<std::string> BluezPeripheral::ConnectedCentrals() {
  bz::ManagedObjects objects;
  try {
    objects = bz::GetManagedObjects(*bus_);
  } catch (const sdbus::Error& error) {
    LoseBluez("BlueZ does not answer (" + bz::DescribeError(error) + ")");
    return {};
  }
  std::set<std::string> connected;
  const std::string prefix = adapter_.path + "/dev_";
  for (const auto& [path, interfaces] : objects) {
    const std::string& text = path;
    if (text.rfind(prefix, 0) != 0 || text.find('/', prefix.size()) != std::string::npos) continue;
    const auto device = interfaces.find(bz::kDeviceInterface);
    if (device == interfaces.end()) continue;
    const auto it = device->second.find("Connected");
    if (it != device->second.end() && it->second.containsValueOfType<bool>() &&
        it->second.get<bool>()) {
      connected.insert(text);
    }
  }
  return connected;
}

void BluezPeripheral::LoseBluez(const std::string& why) {
  if (bluez_gone_) return;
  bluez_gone_ = true;
  Log("bluez: " + why + ": bluetoothd went away; the links are down, waiting for it to return");
  if (!centrals_.empty()) {
    session_.OnDisconnect();
    SetNotifying(false);
  }
  centrals_.clear();
  disconnect_after_reset_.reset();
  device_proxies_.clear();
  app_registered_ = false;
  ad_state_ = AdState::kNone;
  bz::RequestBluezStart(*bus_);
}

void BluezPeripheral::AwaitBluez() {
  bz::AdapterInfo adapter;
  try {
    adapter = bz::FindAdapter(*bus_, adapter_.name);  // also: is org.bluez there?
    bz::PowerOnAdapter(*bus_, adapter);
  } catch (const host::HostError&) {
    return;  // not yet: the next tick looks again
  }
  bluez_gone_ = false;
  adapter_ = adapter;
  Log("bluez: bluetoothd is back: registering the GATT application and advertisement again");
  RegisterApplication();
}

void BluezPeripheral::Tick() {
  if (bluez_gone_) {
    AwaitBluez();
    return;
  }
  const std::set<std::string> now = ConnectedCentrals();
  if (bluez_gone_) return;
  for (const std::string& path : now) {
    if (!centrals_.count(path)) Log("bluez: central connected: " + path);
  }
  for (const std::string& path : centrals_) {
    if (!now.count(path)) {
      Log("bluez: central disconnected: " + path);
      session_.OnDisconnect();
      SetNotifying(false);
    }
  }
  centrals_ = now;
  // The firmware changed without an SMP reset (a control: reset, power cut, watchdog): its
  // links went down with it.
  if (device_->boots() != boots_seen_ || device_->firmware() != firmware_seen_) {
    boots_seen_ = device_->boots();
    firmware_seen_ = device_->firmware();
    if (!disconnect_after_reset_) {
      for (const std::string& path : centrals_) {
        Log("bluez: the device restarted: disconnecting " + path);
        DisconnectCentral(path);
      }
    }
  }
  const bool advertise = device_->advertising() && centrals_.empty();
  if (advertise) {
    RefreshAdvertisement();
  } else if (ad_state_ == AdState::kRegistered && !device_->advertising()) {
    UnregisterAdvertisement(/*then_register=*/false);  // halted, off, or the app stopped
  }
}

void BluezPeripheral::DisconnectCentral(const std::string& path) {
  auto proxy = sdbus::createProxy(*bus_, bz::kBusName, path);
  proxy->callMethodAsync("Disconnect")
      .onInterface(bz::kDeviceInterface)
      .withTimeout(kRegisterTimeout)
      .uponReplyInvoke([this, path](const sdbus::Error* error) {
        if (error) Log("bluez: disconnecting " + path + ": " + bz::DescribeError(*error));
      });
  device_proxies_.push_back(std::move(proxy));  // kept until the reply (bounded below)
  if (device_proxies_.size() > 4) device_proxies_.erase(device_proxies_.begin());
}

void BluezPeripheral::OnWriteValue(const std::vector<uint8_t>& value, const Options& options) {
  std::string central;
  std::optional<uint16_t> mtu;
  if (auto it = options.find("device");
      it != options.end() && it->second.containsValueOfType<sdbus::ObjectPath>()) {
    central = it->second.get<sdbus::ObjectPath>();
  }
  if (auto it = options.find("mtu");
      it != options.end() && it->second.containsValueOfType<uint16_t>()) {
    mtu = it->second.get<uint16_t>();
  }
  if (auto it = options.find("offset"); it != options.end() &&
                                        it->second.containsValueOfType<uint16_t>() &&
                                        it->second.get<uint16_t>() != 0) {
    throw sdbus::Error("org.bluez.Error.InvalidOffset", "SMP writes start at offset 0");
  }
  if (!central.empty() && !centrals_.count(central)) {
    centrals_.insert(central);  // a write proves the connection before the next tick does
    Log("bluez: central connected: " + central);
  }
  BluezWriteOutcome outcome;
  try {
    outcome = session_.OnWrite(*device_, central, ConstByteSpan(value.data(), value.size()), mtu);
  } catch (const std::exception& error) {
    // A broken state directory, say: the endpoint stops (Service throws).
    Fail(std::string("the device failed on a BLE write: ") + error.what());
    throw sdbus::Error(bz::kErrorFailed, "the device failed");
  }
  switch (outcome) {
    case BluezWriteOutcome::kTaken:
      return;
    case BluezWriteOutcome::kNoFirmware:
      throw sdbus::Error(bz::kErrorFailed, "the device runs no firmware (halted or off)");
    case BluezWriteOutcome::kReset:
      // A reset drops the link: disconnect once BlueZ has sent the reply.
      boots_seen_ = device_->boots();
      firmware_seen_ = device_->firmware();
      if (!central.empty()) {
        disconnect_after_reset_ = central;
        disconnect_at_ = Clock::now() + kResetDisconnectDelay;
      }
      return;
  }
}

void BluezPeripheral::SetNotifying(bool on) {
  if (notifying_ == on) return;
  notifying_ = on;
  characteristic_->emitPropertiesChangedSignal(bz::kGattCharacteristicInterface, {"Notifying"});
}

bool BluezPeripheral::EmitNotification(ConstByteSpan value) {
  if (!notifying_) return false;
  value_.assign(value.begin(), value.end());
  // BlueZ turns each PropertiesChanged(Value) of a notifying characteristic into one
  // notification; it reads the value from the signal, so each fragment is its own signal.
  characteristic_->emitPropertiesChangedSignal(bz::kGattCharacteristicInterface, {"Value"});
  return true;
}

void BluezPeripheral::Service(SimDevice& device) {
  device_ = &device;
  uint64_t expirations = 0;
  while (read(timer_fd_.fd, &expirations, sizeof(expirations)) > 0) {
  }
  Pump();
}

void BluezPeripheral::Pump() {
  while (bus_->processPendingRequest()) {
    ThrowIfFailed();
  }
  ThrowIfFailed();
  const auto now = Clock::now();
  if (disconnect_after_reset_ && now >= disconnect_at_) {
    Log("bluez: the device reset: disconnecting " + *disconnect_after_reset_);
    DisconnectCentral(*disconnect_after_reset_);
    disconnect_after_reset_.reset();
  }
  if (now >= next_tick_) {
    next_tick_ = now + kAdvertisementRefresh;
    Tick();
    while (bus_->processPendingRequest()) {
    }
    ThrowIfFailed();
  }
  Rearm();
}

void BluezPeripheral::Rearm() {
  const sdbus::IConnection::PollData poll_data = bus_->getEventLoopPollData();
  epoll_event bus_event{};
  bus_event.events =
      ((poll_data.events & POLLIN) ? EPOLLIN : 0u) | ((poll_data.events & POLLOUT) ? EPOLLOUT : 0u);
  bus_event.data.fd = bus_fd_;
  epoll_ctl(epoll_fd_.fd, EPOLL_CTL_MOD, bus_fd_, &bus_event);

  // The timer fires at the earliest of: the bus's own timeout (0: work is queued already), the
  // next tick, the disconnect after a reset.
  auto wake = next_tick_;
  if (disconnect_after_reset_) wake = std::min(wake, disconnect_at_);
  const auto wake_us =
      std::chrono::duration_cast<std::chrono::microseconds>(wake - Clock::now()).count();
  int64_t delay_us = std::max<int64_t>(wake_us, 1);
  if (poll_data.timeout_usec != UINT64_MAX) {
    timespec mono{};
    clock_gettime(CLOCK_MONOTONIC, &mono);
    const uint64_t now_us =
        static_cast<uint64_t>(mono.tv_sec) * 1000000u + static_cast<uint64_t>(mono.tv_nsec) / 1000u;
    const int64_t bus_delay =
        poll_data.timeout_usec > now_us ? static_cast<int64_t>(poll_data.timeout_usec - now_us) : 1;
    delay_us = std::min(delay_us, bus_delay);
  }
  itimerspec timer{};
  timer.it_value.tv_sec = static_cast<time_t>(delay_us / 1000000);
  timer.it_value.tv_nsec = static_cast<long>((delay_us % 1000000) * 1000);
  timerfd_settime(timer_fd_.fd, 0, &timer, nullptr);
}

}  // namespace bleota::sim
