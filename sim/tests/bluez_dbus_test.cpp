// host/bluez_dbus against a private D-Bus daemon (DBUS_SYSTEM_BUS_ADDRESS points at it): no bus,
// a bus without bluetoothd, and a stand-in org.bluez with three adapters (listing in index
// order, finding by name, the error that lists them, powering one on). Skipped when
// dbus-daemon is not installed.
#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sdbus-c++/sdbus-c++.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "ble_test_support.hpp"
#include "bleota/host/bluez_dbus.hpp"
#include "bleota/host/bluez_scan.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_message.hpp"
#include "bleota/simdev/bluez_peripheral.hpp"

namespace bleota::host::bluez {
namespace {

namespace fs = std::filesystem;

// A dbus-daemon of our own, as the "system" bus of this process.
class PrivateBus {
 public:
  explicit PrivateBus(const fs::path& dir) {
    fs::create_directories(dir);
    // The socket lives in a short directory of its own: a build tree's path can be longer than
    // a Unix socket address (107 bytes), and dbus-daemon then cannot listen.
    char socket_dir[] = "/tmp/bleota-bus-XXXXXX";
    if (mkdtemp(socket_dir) != nullptr) socket_dir_ = socket_dir;
    socket_ = socket_dir_ / "bus.sock";
    const fs::path config = dir / "bus.conf";
    std::ofstream(config) << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus "
                             "Configuration 1.0//EN\" "
                             "\"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
                             "<busconfig><type>system</type><listen>unix:path="
                          << socket_.string()
                          << "</listen><auth>EXTERNAL</auth><policy context=\"default\">"
                             "<allow user=\"*\"/><allow send_destination=\"*\"/>"
                             "<allow receive_sender=\"*\"/><allow own=\"*\"/></policy>"
                             "</busconfig>\n";
    pid_ = fork();
    if (pid_ == 0) {
      freopen("/dev/null", "w", stderr);  // its warnings (fd limits) are not the test's
      const std::string arg = "--config-file=" + config.string();
      execlp("dbus-daemon", "dbus-daemon", arg.c_str(), "--nofork", "--nopidfile",
             static_cast<char*>(nullptr));
      _exit(127);
    }
    for (int i = 0; i < 200 && !fs::exists(socket_); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    setenv("DBUS_SYSTEM_BUS_ADDRESS", ("unix:path=" + socket_.string()).c_str(), 1);
  }
  ~PrivateBus() {
    if (pid_ > 0) {
      kill(pid_, SIGTERM);
      waitpid(pid_, nullptr, 0);
    }
    std::error_code ignored;
    if (!socket_dir_.empty()) fs::remove_all(socket_dir_, ignored);
  }
  bool up() const { return fs::exists(socket_); }

 private:
  fs::path socket_dir_;
  fs::path socket_;
  pid_t pid_ = -1;
};

bool HaveDbusDaemon() { return std::system("command -v dbus-daemon > /dev/null 2>&1") == 0; }

// org.bluez with adapters at /org/bluez/hciN (and a device object, which is not one), each with
// GattManager1 and LEAdvertisingManager1 that accept registrations (or refuse them when told).
class FakeBluez {
 public:
  explicit FakeBluez(const std::vector<std::pair<std::string, bool>>& adapters,
                     std::string refuse_app = "", std::string refuse_ad = "")
      : connection_(sdbus::createSystemBusConnection(kBusName)),
        refuse_app_(std::move(refuse_app)),
        refuse_ad_(std::move(refuse_ad)) {
    root_ = sdbus::createObject(*connection_, "/");
    root_->addObjectManager();
    root_->finishRegistration();
    powered_.resize(adapters.size());
    for (size_t i = 0; i < adapters.size(); ++i) {
      powered_[i] = adapters[i].second;
      auto object = sdbus::createObject(*connection_, "/org/bluez/" + adapters[i].first);
      const std::string address = "00:AA:01:00:00:0" + std::to_string(i);
      object->registerProperty("Address").onInterface(kAdapterInterface).withGetter([address] {
        return address;
      });
      object->registerProperty("Powered")
          .onInterface(kAdapterInterface)
          .withGetter([this, i] { return static_cast<bool>(powered_[i]); })
          .withSetter([this, i](const bool& on) { powered_[i] = on; });
      sdbus::IObject* self = object.get();
      object->registerMethod("RegisterApplication")
          .onInterface(kGattManagerInterface)
          .implementedAs([this, self](const sdbus::ObjectPath& path,
                                      const std::map<std::string, sdbus::Variant>&) {
            if (!refuse_app_.empty()) throw sdbus::Error(kErrorFailed, refuse_app_);
            std::lock_guard<std::mutex> lock(mutex_);
            app_owner_ = self->getCurrentlyProcessedMessage()->getSender();
            app_path_ = path;
          });
      object->registerMethod("UnregisterApplication")
          .onInterface(kGattManagerInterface)
          .implementedAs([](const sdbus::ObjectPath&) {});
      object->registerMethod("RegisterAdvertisement")
          .onInterface(kLeAdvertisingManagerInterface)
          .implementedAs(
              [this](const sdbus::ObjectPath&, const std::map<std::string, sdbus::Variant>&) {
                if (!refuse_ad_.empty()) throw sdbus::Error(kErrorFailed, refuse_ad_);
                ++advertisements_;
              });
      object->registerMethod("UnregisterAdvertisement")
          .onInterface(kLeAdvertisingManagerInterface)
          .implementedAs([](const sdbus::ObjectPath&) {});
      object->finishRegistration();
      objects_.push_back(std::move(object));
    }
    auto device = sdbus::createObject(*connection_, "/org/bluez/hci0/dev_00_11_22_33_44_55");
    device->registerProperty("Connected").onInterface(kDeviceInterface).withGetter([] {
      return false;
    });
    device->finishRegistration();
    objects_.push_back(std::move(device));
    connection_->enterEventLoopAsync();
  }
  ~FakeBluez() { connection_->leaveEventLoop(); }
  bool powered(size_t i) const { return powered_[i]; }
  std::string app_owner() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return app_owner_;
  }
  std::string app_path() const {
    std::lock_guard<std::mutex> lock(mutex_);
    return app_path_;
  }
  int advertisements() const { return advertisements_; }

 private:
  std::unique_ptr<sdbus::IConnection> connection_;
  std::unique_ptr<sdbus::IObject> root_;
  std::vector<std::unique_ptr<sdbus::IObject>> objects_;
  std::vector<char> powered_;
  std::string refuse_app_;
  std::string refuse_ad_;
  // Written on the fake's event loop thread, read after the registration answered.
  std::atomic<int> advertisements_{0};
  mutable std::mutex mutex_;
  std::string app_owner_;
  std::string app_path_;
};

std::string ErrorOf(const std::function<void()>& call, ExitCode expected) {
  try {
    call();
  } catch (const HostError& error) {
    EXPECT_EQ(error.code(), expected) << error.what();
    return error.what();
  }
  ADD_FAILURE() << "no error";
  return "";
}

class BluezDbusTest : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!HaveDbusDaemon()) GTEST_SKIP() << "dbus-daemon is not installed";
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(BLEOTA_SIM_TEST_DIR) / (std::string("dbus_") + info->name());
    fs::remove_all(dir_);
  }
  fs::path dir_;
};

TEST_F(BluezDbusTest, NoSystemBus) {
  setenv("DBUS_SYSTEM_BUS_ADDRESS", ("unix:path=" + (dir_ / "none.sock").string()).c_str(), 1);
  const std::string message = ErrorOf([] { OpenSystemBus(); }, ExitCode::kTransport);
  EXPECT_NE(message.find("cannot connect to the D-Bus system bus"), std::string::npos) << message;
  EXPECT_NE(message.find("is dbus-daemon running?"), std::string::npos) << message;
}

TEST_F(BluezDbusTest, NoBluetoothd) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  auto connection = OpenSystemBus();
  const std::string message =
      ErrorOf([&] { FindAdapter(*connection, std::nullopt); }, ExitCode::kTransport);
  EXPECT_EQ(message, "BlueZ (org.bluez) is not on the system bus: is bluetoothd running?");
}

TEST_F(BluezDbusTest, AdaptersInIndexOrderAndByName) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  FakeBluez bluez({{"hci10", true}, {"hci1", false}, {"hci0", true}});
  auto connection = OpenSystemBus();
  const std::vector<AdapterInfo> adapters = ListAdapters(*connection);
  ASSERT_EQ(adapters.size(), 3u);  // the device object is not an adapter
  EXPECT_EQ(adapters[0].name, "hci0");
  EXPECT_EQ(adapters[0].path, "/org/bluez/hci0");
  EXPECT_EQ(adapters[0].address, "00:AA:01:00:00:02");
  EXPECT_TRUE(adapters[0].powered);
  EXPECT_EQ(adapters[1].name, "hci1");
  EXPECT_FALSE(adapters[1].powered);
  EXPECT_EQ(adapters[2].name, "hci10");

  EXPECT_EQ(FindAdapter(*connection, std::nullopt).name, "hci0");
  EXPECT_EQ(FindAdapter(*connection, std::string("hci10")).address, "00:AA:01:00:00:00");
  EXPECT_EQ(ErrorOf([&] { FindAdapter(*connection, std::string("hci7")); }, ExitCode::kTransport),
            "no Bluetooth adapter hci7; BlueZ has hci0 (00:AA:01:00:00:02), hci1 "
            "(00:AA:01:00:00:01), hci10 (00:AA:01:00:00:00)");
  ErrorOf([&] { FindAdapter(*connection, std::string("hci")); }, ExitCode::kUsage);
}

TEST_F(BluezDbusTest, PowersAnAdapterOn) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  FakeBluez bluez({{"hci0", true}, {"hci1", false}});
  auto connection = OpenSystemBus();
  EXPECT_FALSE(PowerOnAdapter(*connection, FindAdapter(*connection, std::string("hci0"))));
  EXPECT_TRUE(PowerOnAdapter(*connection, FindAdapter(*connection, std::string("hci1"))));
  EXPECT_TRUE(bluez.powered(1));
  EXPECT_TRUE(FindAdapter(*connection, std::string("hci1")).powered);
}

TEST_F(BluezDbusTest, NoAdapter) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  FakeBluez bluez({});
  auto connection = OpenSystemBus();
  EXPECT_EQ(ErrorOf([&] { FindAdapter(*connection, std::nullopt); }, ExitCode::kTransport),
            "BlueZ has no Bluetooth adapter (bluetoothctl list)");
}

// A client that outlives a bluetoothd restart (bleota dfu's reconnect): it waits for org.bluez and
// the adapter, and gives up at the deadline with the error of what is still missing.
TEST_F(BluezDbusTest, AwaitPoweredAdapterWaitsForBluetoothd) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  auto connection = OpenSystemBus();
  std::unique_ptr<FakeBluez> bluez;
  std::thread restart([&bluez] {
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    bluez = std::make_unique<FakeBluez>(
        std::vector<std::pair<std::string, bool>>{{"hci0", true}, {"hci1", true}});
  });
  const auto start = std::chrono::steady_clock::now();
  bool gone = false;
  const AdapterInfo adapter =
      host::AwaitPoweredAdapter(*connection, "hci1", start + std::chrono::seconds(10), &gone);
  restart.join();
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(400));
  EXPECT_EQ(adapter.name, "hci1");
  EXPECT_EQ(adapter.address, "00:AA:01:00:00:01");
  EXPECT_TRUE(adapter.powered);
  EXPECT_TRUE(gone);
  // There at once: no wait, not counted as a restart.
  EXPECT_EQ(
      host::AwaitPoweredAdapter(*connection, "hci0", std::chrono::steady_clock::now(), &gone).name,
      "hci0");
  EXPECT_FALSE(gone);
}

TEST_F(BluezDbusTest, AwaitPoweredAdapterGivesUpAtTheDeadline) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  auto connection = OpenSystemBus();
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(ErrorOf(
                [&] {
                  host::AwaitPoweredAdapter(*connection, "hci0",
                                            start + std::chrono::milliseconds(300), nullptr);
                },
                ExitCode::kTransport),
            "BlueZ (org.bluez) is not on the system bus: is bluetoothd running?");
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(300));
  FakeBluez bluez({{"hci0", false}});
  const std::string off = ErrorOf(
      [&] {
        host::AwaitPoweredAdapter(*connection, "hci0",
                                  std::chrono::steady_clock::now() + std::chrono::milliseconds(300),
                                  nullptr);
      },
      ExitCode::kTransport);
  EXPECT_NE(off.find("Bluetooth adapter hci0 (00:AA:01:00:00:00) is powered off"),
            std::string::npos)
      << off;
  EXPECT_EQ(ErrorOf(
                [&] {
                  host::AwaitPoweredAdapter(*connection, "hci7", std::chrono::steady_clock::now(),
                                            nullptr);
                },
                ExitCode::kTransport),
            "no Bluetooth adapter hci7; BlueZ has hci0 (00:AA:01:00:00:00)");
}

// The peripheral against the stand-in: registration refused, and a whole exchange from a client
// on another connection (the tree BlueZ would read, StartNotify, WriteValue with an MTU, the
// reply as PropertiesChanged(Value)).
class BluezPeripheralBusTest : public BluezDbusTest {
 protected:
  std::unique_ptr<sim::SimDevice> MakeDevice() {
    const PrivateKey signing = GenerateKey(KeyType::kEd25519);
    fs::create_directories(dir_);
    WriteFileText(dir_ / "sign.pub.pem", PublicKeyPem(signing.public_key), "key");
    sim::KeyFiles keys;
    keys.signing_keys = {dir_ / "sign.pub.pem"};
    sim::DeviceConfig config = sim::Nrf52840DeviceConfig();
    config.flash_timing = false;
    sim::FactoryImages images;
    images.primary = sim::testing::MakeSignedImage(signing, 1, 3000);
    sim::SimDevice::Provision(sim::StateDir(dir_ / "device"), config,
                              sim::KeyOtpRecordFromFiles(keys), images);
    return std::make_unique<sim::SimDevice>(sim::StateDir(dir_ / "device"), nullptr);
  }
};

TEST_F(BluezPeripheralBusTest, RegistrationRefused) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  auto device = MakeDevice();
  {
    FakeBluez bluez({{"hci0", true}}, "no GATT here");
    sim::BluezPeripheralOptions options;
    EXPECT_EQ(
        ErrorOf([&] { sim::BluezPeripheral peripheral(*device, options); }, ExitCode::kTransport),
        "BlueZ refused the GATT application on hci0: org.bluez.Error.Failed: no GATT here");
  }
  {
    FakeBluez bluez({{"hci0", true}}, "", "Maximum advertisements reached");
    sim::BluezPeripheralOptions options;
    EXPECT_EQ(
        ErrorOf([&] { sim::BluezPeripheral peripheral(*device, options); }, ExitCode::kTransport),
        "BlueZ refused the advertisement on hci0: org.bluez.Error.Failed: Maximum "
        "advertisements reached");
  }
}

TEST_F(BluezPeripheralBusTest, WriteValueAndNotifications) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  auto device = MakeDevice();
  FakeBluez bluez({{"hci0", true}, {"hci1", false}});
  std::vector<std::string> log;
  sim::BluezPeripheralOptions options;
  options.adapter = "hci1";
  options.local_name = "unit-test";
  options.log = [&log](const std::string& line) { log.push_back(line); };
  sim::BluezPeripheral peripheral(*device, options);
  EXPECT_TRUE(bluez.powered(1));  // it was off: powered on, and said so
  ASSERT_GE(log.size(), 2u);
  EXPECT_EQ(log[0], "bluez: hci1 was off (bluetoothd's AutoEnable is off): powered it on");
  EXPECT_EQ(log[1], "bluez: advertising 'unit-test' on hci1 (00:AA:01:00:00:01)");
  EXPECT_EQ(peripheral.description(), "ble bluez hci1 (00:AA:01:00:00:01) advertising 'unit-test'");
  EXPECT_EQ(bluez.advertisements(), 1);
  const std::string owner = bluez.app_owner();
  const std::string app = bluez.app_path();
  ASSERT_FALSE(owner.empty());

  // The client: what BlueZ does with the application, on its own connection and thread while
  // this thread runs the device's poll loop.
  std::atomic<bool> done{false};
  std::string problem;
  std::vector<std::vector<uint8_t>> notifications;
  std::mutex mutex;
  ManagedObjects tree;
  std::thread client([&] {
    try {
      auto connection = sdbus::createSystemBusConnection();
      auto root = sdbus::createProxy(*connection, owner, app);
      root->callMethod("GetManagedObjects")
          .onInterface(kObjectManagerInterface)
          .storeResultsTo(tree);
      std::string characteristic;
      for (const auto& [path, interfaces] : tree) {
        if (interfaces.count(kGattCharacteristicInterface)) characteristic = path;
      }
      if (characteristic.empty()) throw std::runtime_error("no characteristic");
      auto chr = sdbus::createProxy(*connection, owner, characteristic);
      chr->uponSignal("PropertiesChanged")
          .onInterface(kPropertiesInterface)
          .call([&](const std::string&, const std::map<std::string, sdbus::Variant>& changed,
                    const std::vector<std::string>&) {
            if (auto it = changed.find("Value"); it != changed.end()) {
              std::lock_guard<std::mutex> lock(mutex);
              notifications.push_back(it->second.get<std::vector<uint8_t>>());
            }
          });
      chr->finishRegistration();
      connection->enterEventLoopAsync();
      chr->callMethod("StartNotify").onInterface(kGattCharacteristicInterface);
      SmpCommand echo;
      echo.op = smp::SmpOp::kWrite;
      echo.payload = {{"d", std::string(300, 'z')}};
      const std::vector<uint8_t> request = EncodeSmpRequest(echo, smp::SmpVersion::kV2, 5);
      const std::map<std::string, sdbus::Variant> write_options{
          {"mtu", sdbus::Variant(uint16_t{103})},
          {"device", sdbus::Variant(sdbus::ObjectPath("/org/bluez/hci1/dev_00_11_22_33_44_66"))},
          {"type", sdbus::Variant(std::string("command"))}};
      chr->callMethod("WriteValue")
          .onInterface(kGattCharacteristicInterface)
          .withArguments(request, write_options);
      try {
        chr->callMethod("ReadValue")
            .onInterface(kGattCharacteristicInterface)
            .withArguments(std::map<std::string, sdbus::Variant>{});
        problem = "ReadValue answered";
      } catch (const sdbus::Error& error) {
        if (error.getName() != kErrorNotSupported) problem = "ReadValue: " + error.getName();
      }
      const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
      for (;;) {
        {
          std::lock_guard<std::mutex> lock(mutex);
          size_t total = 0;
          for (const auto& n : notifications) total += n.size();
          if (total >= 8 + 306) break;
        }
        if (std::chrono::steady_clock::now() > deadline) {
          problem = "no whole reply within 10 s";
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
      }
      connection->leaveEventLoop();
    } catch (const std::exception& error) {
      problem = error.what();
    }
    done = true;
  });
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (!done && std::chrono::steady_clock::now() < deadline) {
    pollfd fds{peripheral.fd(), POLLIN, 0};
    if (poll(&fds, 1, 50) > 0) peripheral.Service(*device);
  }
  client.join();
  ASSERT_EQ(problem, "");

  // The tree BlueZ reads: a primary SMP service and its characteristic.
  bool service_seen = false;
  for (const auto& [path, interfaces] : tree) {
    if (auto it = interfaces.find(kGattServiceInterface); it != interfaces.end()) {
      service_seen = true;
      EXPECT_EQ(it->second.at("UUID").get<std::string>(), kSmpServiceUuid);
      EXPECT_TRUE(it->second.at("Primary").get<bool>());
    }
    if (auto it = interfaces.find(kGattCharacteristicInterface); it != interfaces.end()) {
      EXPECT_EQ(it->second.at("UUID").get<std::string>(), kSmpCharacteristicUuid);
      EXPECT_EQ(it->second.at("Flags").get<std::vector<std::string>>(),
                (std::vector<std::string>{"write-without-response", "write", "notify"}));
    }
  }
  EXPECT_TRUE(service_seen);
  // Notifications of at most MTU 103 - 3 bytes, joined into the echo's reply.
  ASSERT_GE(notifications.size(), 4u);
  std::vector<uint8_t> joined;
  for (const auto& n : notifications) {
    EXPECT_LE(n.size(), 100u);
    joined.insert(joined.end(), n.begin(), n.end());
  }
  const std::optional<SmpReply> reply = ParseSmpReply(joined);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.sequence, 5);
  EXPECT_EQ(reply->payload.value("r", std::string()), std::string(300, 'z'));
  EXPECT_EQ(peripheral.stats().notifications, notifications.size());
}

// bluetoothd going away takes the registrations with it: the peripheral registers again when
// org.bluez returns, whether the new one comes seconds later (seen at a tick) or at once (seen
// from NameOwnerChanged: the tick alone would find a healthy BlueZ that knows nothing of us).
TEST_F(BluezPeripheralBusTest, RegistersAgainWhenBluetoothdReturns) {
  PrivateBus bus(dir_);
  ASSERT_TRUE(bus.up());
  auto device = MakeDevice();
  std::vector<std::string> log;
  sim::BluezPeripheralOptions options;
  options.log = [&log](const std::string& line) { log.push_back(line); };
  auto bluez =
      std::make_unique<FakeBluez>(std::vector<std::pair<std::string, bool>>{{"hci0", true}});
  sim::BluezPeripheral peripheral(*device, options);
  ASSERT_EQ(bluez->advertisements(), 1);
  const auto run_until = [&](const std::function<bool()>& done) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done() && std::chrono::steady_clock::now() < deadline) {
      pollfd fds{peripheral.fd(), POLLIN, 0};
      if (poll(&fds, 1, 50) > 0) peripheral.Service(*device);
    }
    return done();
  };
  const auto logged = [&log](const std::string& text) {
    return std::any_of(log.begin(), log.end(), [&text](const std::string& line) {
      return line.find(text) != std::string::npos;
    });
  };

  bluez.reset();  // bluetoothd crashed: its bus connection and name are gone
  ASSERT_TRUE(run_until([&] { return logged("bluetoothd went away"); }));
  // Still serving the device while BlueZ is away (no exception out of Service).
  for (int i = 0; i < 30; ++i) {
    pollfd fds{peripheral.fd(), POLLIN, 0};
    if (poll(&fds, 1, 50) > 0) peripheral.Service(*device);
  }
  bluez = std::make_unique<FakeBluez>(std::vector<std::pair<std::string, bool>>{{"hci0", true}});
  ASSERT_TRUE(
      run_until([&] { return !bluez->app_owner().empty() && bluez->advertisements() >= 1; }));
  EXPECT_TRUE(logged("bluetoothd is back: registering the GATT application and advertisement"));

  // A restart quicker than a tick.
  bluez.reset();
  bluez = std::make_unique<FakeBluez>(std::vector<std::pair<std::string, bool>>{{"hci0", true}});
  ASSERT_TRUE(
      run_until([&] { return !bluez->app_owner().empty() && bluez->advertisements() >= 1; }));
  EXPECT_EQ(std::count_if(log.begin(), log.end(),
                          [](const std::string& line) {
                            return line.find("bluetoothd is back") != std::string::npos;
                          }),
            2);
}
}  // namespace
}  // namespace bleota::host::bluez
