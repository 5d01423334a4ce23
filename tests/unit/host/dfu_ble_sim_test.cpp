// `bleota dfu --transport ble-sim` in one process: the client's SmpBleSimTransport talks over a
// real Unix socket to a BleSimEndpoint that a thread serves, with a SimDevice (the real
// bootloader and DFU server) behind the simulated BLE link. Connect errors, malformed input to
// the endpoint, whole updates with a device reset, and the upload's goodput in virtual time
// against the model's limit.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bleota/host/ble_sim_protocol.hpp"
#include "bleota/host/dfu_image_requests.hpp"
#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/dfu_update.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/keys.hpp"
#include "bleota/host/smp_ble_sim_transport.hpp"
#include "bleota/host/smp_client.hpp"
#include "bleota/simdev/ble_link_limit.hpp"
#include "bleota/simdev/ble_sim_endpoint.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/simdev/state_dir.hpp"

namespace bleota::host {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;
using std::chrono::milliseconds;

Bytes MakeImage(const PrivateKey& key, uint8_t major, size_t size) {
  ImageBuildOptions options;
  options.header_size = 0x200;
  options.pad_header = true;
  options.align = 4;
  options.version.major = major;
  options.signing_key = &key;
  Bytes payload(size);
  std::mt19937 rng(major);
  for (uint8_t& b : payload) b = static_cast<uint8_t>(rng());
  return BuildImage(payload, options);
}

class DfuBleSimTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // Short: a Unix socket path has at most 107 bytes.
    dir_ = fs::temp_directory_path() /
           ("bleota_blesim_" + std::to_string(getpid()) + "_" + std::to_string(++counter_));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    socket_ = (dir_ / "ble.sock").string();
    signing_ = GenerateKey(KeyType::kEcdsaP256);
    (void)info;
  }

  void TearDown() override {
    StopDevice();
    fs::remove_all(dir_);
  }

  void StartDevice(bool flash_timing = true) {
    WriteFileText(dir_ / "sign.pub.pem", PublicKeyPem(signing_.public_key), "key");
    sim::KeyFiles keys;
    keys.signing_keys = {dir_ / "sign.pub.pem"};
    sim::FactoryImages images;
    images.primary = MakeImage(signing_, 1, 5000);
    sim::DeviceConfig config = sim::Nrf52840DeviceConfig();
    config.flash_timing = flash_timing;
    sim::SimDevice::Provision(sim::StateDir(dir_ / "device"), config,
                              sim::KeyOtpRecordFromFiles(keys), images);
    auto log = [this](const std::string& line) {
      std::lock_guard<std::mutex> lock(log_mutex_);
      log_ += line + "\n";
    };
    device_ = std::make_unique<sim::SimDevice>(sim::StateDir(dir_ / "device"), log);
    sim::BleSimEndpointOptions options;
    options.socket_path = socket_;
    options.log = log;
    endpoint_ = std::make_unique<sim::BleSimEndpoint>(options);
    stop_ = false;
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{endpoint_->fd(), POLLIN, 0};
        if (poll(&p, 1, 10) > 0) endpoint_->Service(*device_);
      }
    });
  }

  void StopDevice() {
    stop_ = true;
    if (thread_.joinable()) thread_.join();
    endpoint_.reset();
    device_.reset();
  }

  std::string Log() {
    std::lock_guard<std::mutex> lock(log_mutex_);
    return log_;
  }

  BleSimClientOptions Client(const std::string& profile = kBleSimDefaultProfile) {
    BleSimClientOptions options;
    options.socket_path = socket_;
    options.profile = profile;
    options.connect_timeout = milliseconds(2000);
    return options;
  }

  static SmpClientOptions ClientOptions(smp::SmpVersion version = smp::SmpVersion::kV2) {
    SmpClientOptions options;
    options.version = version;
    options.timeout = milliseconds(3000);
    options.retries = 3;
    return options;
  }

  // A raw central: sends records and reads the device's answers.
  int RawConnect() {
    const int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_.data(), socket_.size());
    EXPECT_EQ(connect(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
    return fd;
  }
  static std::optional<BleSimMessage> RawReceive(int fd) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 3000) <= 0) return std::nullopt;
    Bytes record(kBleSimMaxMessageSize + 1);
    const ssize_t n = recv(fd, record.data(), record.size(), 0);
    if (n <= 0) return std::nullopt;
    record.resize(static_cast<size_t>(n));
    return DecodeBleSimMessage(record).message;
  }
  // True when the device closed the socket (a read returns end of file).
  static bool ClosedByDevice(int fd) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, 3000) <= 0) return false;
    uint8_t byte = 0;
    return recv(fd, &byte, 1, 0) == 0;
  }
  // Sends `record` on a new connection; the device must answer ERROR of `kind` and close.
  void ExpectRefused(const Bytes& record, BleSimErrorKind kind, const std::string& text,
                     bool connect_first = false) {
    const int fd = RawConnect();
    if (connect_first) {
      const Bytes connect = EncodeBleSimMessage(BleSimConnect{1, "2m-dle", {}});
      ASSERT_EQ(send(fd, connect.data(), connect.size(), 0), static_cast<ssize_t>(connect.size()));
      const std::optional<BleSimMessage> connected = RawReceive(fd);
      ASSERT_TRUE(connected && std::holds_alternative<BleSimConnected>(*connected));
    }
    ASSERT_EQ(send(fd, record.data(), record.size(), 0), static_cast<ssize_t>(record.size()));
    const std::optional<BleSimMessage> answer = RawReceive(fd);
    ASSERT_TRUE(answer);
    const auto* error = std::get_if<BleSimError>(&*answer);
    ASSERT_NE(error, nullptr) << BleSimTypeName(BleSimTypeOf(*answer));
    EXPECT_EQ(error->kind, kind);
    EXPECT_NE(error->text.find(text), std::string::npos) << error->text;
    EXPECT_TRUE(ClosedByDevice(fd));
    close(fd);
  }

  static inline int counter_ = 0;
  fs::path dir_;
  std::string socket_;
  PrivateKey signing_;
  std::unique_ptr<sim::SimDevice> device_;
  std::unique_ptr<sim::BleSimEndpoint> endpoint_;
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::mutex log_mutex_;
  std::string log_;
};

TEST_F(DfuBleSimTest, EchoAndParamsOverTheDefaultProfileInBothVersions) {
  StartDevice();
  for (const smp::SmpVersion version : {smp::SmpVersion::kV2, smp::SmpVersion::kV1}) {
    SmpBleSimTransport transport(Client());
    EXPECT_EQ(transport.link().profile, "2m-dle");
    EXPECT_EQ(transport.link().att_mtu, 247);
    EXPECT_EQ(transport.link().phy, BleSimPhy::k2M);
    EXPECT_EQ(transport.link_piece_size(), 244u);
    EXPECT_EQ(transport.name(), "ble-sim " + socket_ + " (2m-dle, ATT MTU 247)");
    const uint64_t connected_at = transport.virtual_now_us();
    SmpClient client(transport, ClientOptions(version));
    EXPECT_EQ(OsEcho(client, "over the air"), "over the air");
    // A long echo takes several notifications each way.
    const std::string long_text(700, 'e');
    EXPECT_EQ(OsEcho(client, long_text), long_text);
    const std::optional<DeviceParams> params = OsParams(client);
    ASSERT_TRUE(params);
    EXPECT_EQ(params->buf_size, 4096u);
    // The exchanges took virtual time (requests and replies may share connection events).
    EXPECT_GT(transport.virtual_now_us(), connected_at);
    EXPECT_GE(transport.stats().notifications, 5u);
    EXPECT_EQ(transport.dropped_input(), 0u);
  }
  EXPECT_NE(Log().find("ble-sim: central connected: profile 2m-dle (2M PHY, LL payload 251, "
                       "ATT MTU 247, CI 15000 us)"),
            std::string::npos)
      << Log();
  EXPECT_NE(Log().find("ble-sim: central disconnected (client)"), std::string::npos) << Log();
}

TEST_F(DfuBleSimTest, EveryProfileConnectsWithItsMtu) {
  StartDevice();
  for (const char* profile : {"1m-dle", "1m-no-dle", "iphone", "android-fast", "nrf-dongle"}) {
    SCOPED_TRACE(profile);
    SmpBleSimTransport transport(Client(profile));
    EXPECT_EQ(transport.link().profile, profile);
    EXPECT_EQ(transport.link().att_mtu, sim::FindBleProfile(profile)->params.att_mtu);
    SmpClient client(transport, ClientOptions());
    EXPECT_EQ(OsEcho(client, profile), profile);
  }
}

TEST_F(DfuBleSimTest, UnknownProfileIsAUsageErrorListingTheKnownOnes) {
  StartDevice();
  try {
    SmpBleSimTransport transport(Client("android-slow"));
    FAIL() << "connected";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    const std::string message = e.what();
    EXPECT_NE(message.find("unknown BLE profile 'android-slow'"), std::string::npos) << message;
    EXPECT_NE(message.find("known profiles: 2m-dle, 1m-dle, 1m-no-dle, iphone, android-fast, "
                           "nrf-dongle"),
              std::string::npos)
        << message;
  }
  // A name the protocol cannot carry is refused before anything is sent.
  try {
    SmpBleSimTransport transport(Client("two words"));
    FAIL() << "connected";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("--ble-profile"), std::string::npos) << e.what();
  }
}

TEST_F(DfuBleSimTest, LinkOverridesAreUsedOrRefused) {
  StartDevice();
  BleSimClientOptions options = Client();
  options.overrides.att_mtu = 185;
  options.overrides.phy = BleSimPhy::k1M;
  options.overrides.connection_interval_us = 7500;
  options.overrides.packet_error_rate_ppm = 20000;
  options.overrides.seed = 99;
  {
    SmpBleSimTransport transport(options);
    EXPECT_EQ(transport.link().att_mtu, 185);
    EXPECT_EQ(transport.link().phy, BleSimPhy::k1M);
    EXPECT_EQ(transport.link().connection_interval_us, 7500u);
    EXPECT_EQ(transport.link().packet_error_rate_ppm, 20000u);
    EXPECT_EQ(transport.link().seed, 99u);
    EXPECT_EQ(transport.link_piece_size(), 182u);
    SmpClient client(transport, ClientOptions());
    const std::string text(600, 'l');
    EXPECT_EQ(OsEcho(client, text), text);  // retransmissions hide the loss
  }
  // A combination the link model refuses (a full write of MTU 517 in LL packets of 27 bytes
  // needs more TX buffers than the profile has): a usage error with the model's reason.
  options.overrides.att_mtu = 517;
  options.overrides.max_ll_payload = 27;
  try {
    SmpBleSimTransport transport(options);
    FAIL() << "connected";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("central_tx_buffers"), std::string::npos) << e.what();
  }
}

TEST_F(DfuBleSimTest, ConnectErrorsNameTheCause) {
  // No device yet: no socket at the path.
  try {
    SmpBleSimTransport transport(Client());
    FAIL() << "connected";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("no socket at " + socket_ +
                                         ": start the simulated device with --ble-sim"),
              std::string::npos)
        << e.what();
  }
  // A socket file nobody listens on (a device that was killed).
  {
    const int fd = socket(AF_UNIX, SOCK_SEQPACKET, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, socket_.data(), socket_.size());
    ASSERT_EQ(bind(fd, reinterpret_cast<const sockaddr*>(&address), sizeof(address)), 0);
    close(fd);
  }
  try {
    SmpBleSimTransport transport(Client());
    FAIL() << "connected";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("nothing listens on " + socket_), std::string::npos)
        << e.what();
  }
  // Not a socket.
  WriteFileText(dir_ / "plain", "x", "file");
  BleSimClientOptions plain = Client();
  plain.socket_path = (dir_ / "plain").string();
  try {
    SmpBleSimTransport transport(plain);
    FAIL() << "connected";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("plain is not a socket"), std::string::npos) << e.what();
  }
  // A file name that does not fit a socket address even through its directory.
  BleSimClientOptions long_name = Client();
  long_name.socket_path = "/tmp/" + std::string(120, 'p');
  try {
    SmpBleSimTransport transport(long_name);
    FAIL() << "connected";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("is too long"), std::string::npos) << e.what();
  }
  // The stale socket file is replaced by the device.
  StartDevice();
  SmpBleSimTransport transport(Client());
  SmpClient client(transport, ClientOptions());
  EXPECT_EQ(OsEcho(client, "back"), "back");
}

// A socket in a directory deeper than a Unix socket address holds (a CI checkout in a long
// path): both ends reach it through the directory's descriptor.
TEST_F(DfuBleSimTest, SocketPathLongerThanASocketAddressWorks) {
  const fs::path deep = dir_ / std::string(60, 'd') / std::string(60, 'e');
  fs::create_directories(deep);
  socket_ = (deep / "ble.sock").string();
  ASSERT_GT(socket_.size(), sizeof(sockaddr_un::sun_path));
  StartDevice();
  EXPECT_TRUE(fs::is_socket(socket_));
  SmpBleSimTransport transport(Client());
  EXPECT_EQ(transport.name().find("ble-sim " + socket_), 0u) << transport.name();
  SmpClient client(transport, ClientOptions());
  EXPECT_EQ(OsEcho(client, "deep"), "deep");
}

TEST_F(DfuBleSimTest, OneCentralAtATime) {
  StartDevice();
  SmpBleSimTransport first(Client());
  try {
    SmpBleSimTransport second(Client());
    FAIL() << "a second central connected";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("another central is connected"), std::string::npos)
        << e.what();
  }
  SmpClient client(first, ClientOptions());
  EXPECT_EQ(OsEcho(client, "still here"), "still here");
}

TEST_F(DfuBleSimTest, MalformedAndUnexpectedMessagesGetAnErrorAndTheConnectionCloses) {
  StartDevice();
  ExpectRefused({0x03, 0x00, 0x05, 0x00}, BleSimErrorKind::kProtocol,
                "header body length 5 but the record holds 0 bytes");
  ExpectRefused({0x42, 0x00, 0x00, 0x00}, BleSimErrorKind::kProtocol, "unknown message type 0x42");
  ExpectRefused(Bytes(kBleSimMaxMessageSize + 1, 0x02), BleSimErrorKind::kProtocol,
                "exceeds the 16384-byte limit");
  ExpectRefused(EncodeBleSimMessage(BleSimRun{}), BleSimErrorKind::kProtocol, "RUN before CONNECT");
  ExpectRefused(EncodeBleSimMessage(BleSimIdle{5}), BleSimErrorKind::kProtocol,
                "IDLE is a peripheral's message");
  Bytes version2 = EncodeBleSimMessage(BleSimConnect{1, "2m-dle", {}});
  version2[4] = 2;
  ExpectRefused(version2, BleSimErrorKind::kProtocol, "protocol version 2 is not supported");
  // After CONNECT: a write longer than ATT MTU 247 - 3, and a second CONNECT.
  ExpectRefused(EncodeBleSimMessage(BleSimWrite{{Bytes(245, 0)}}), BleSimErrorKind::kProtocol,
                "a Write Command of 245 bytes exceeds ATT_MTU - 3 = 244", true);
  ExpectRefused(EncodeBleSimMessage(BleSimConnect{1, "2m-dle", {}}), BleSimErrorKind::kProtocol,
                "already connected", true);
  // The device still serves a well-behaved central.
  SmpBleSimTransport transport(Client());
  SmpClient client(transport, ClientOptions());
  EXPECT_EQ(OsEcho(client, "fine"), "fine");
}

TEST_F(DfuBleSimTest, RunWithoutWritesIsIdleAndTimeStandsStill) {
  StartDevice();
  const int fd = RawConnect();
  const Bytes connect = EncodeBleSimMessage(BleSimConnect{1, "2m-dle", {}});
  ASSERT_EQ(send(fd, connect.data(), connect.size(), 0), static_cast<ssize_t>(connect.size()));
  const std::optional<BleSimMessage> connected = RawReceive(fd);
  ASSERT_TRUE(connected && std::holds_alternative<BleSimConnected>(*connected));
  const uint64_t t0 = std::get<BleSimConnected>(*connected).virtual_time_us;
  std::this_thread::sleep_for(milliseconds(50));  // wall time passes; virtual time does not
  const Bytes run = EncodeBleSimMessage(BleSimRun{});
  for (int i = 0; i < 2; ++i) {
    ASSERT_EQ(send(fd, run.data(), run.size(), 0), static_cast<ssize_t>(run.size()));
    const std::optional<BleSimMessage> idle = RawReceive(fd);
    ASSERT_TRUE(idle && std::holds_alternative<BleSimIdle>(*idle));
    EXPECT_EQ(std::get<BleSimIdle>(*idle).virtual_time_us, t0);
  }
  const Bytes bye = EncodeBleSimMessage(BleSimDisconnect{});
  ASSERT_EQ(send(fd, bye.data(), bye.size(), 0), static_cast<ssize_t>(bye.size()));
  const std::optional<BleSimMessage> disconnected = RawReceive(fd);
  ASSERT_TRUE(disconnected && std::holds_alternative<BleSimDisconnected>(*disconnected));
  EXPECT_EQ(std::get<BleSimDisconnected>(*disconnected).reason, BleSimDisconnectReason::kClient);
  EXPECT_TRUE(ClosedByDevice(fd));
  close(fd);
}

// Upload, test, reset (the device ends the connection; the client connects again), confirm.
TEST_F(DfuBleSimTest, WholeUpdateWithAResetInTheMiddle) {
  StartDevice();
  SmpBleSimTransport transport(Client());
  SmpClient client(transport, ClientOptions());
  const Bytes image = MakeImage(signing_, 2, 60000);
  const UpdateImageFacts facts = InspectUpdateFile(image, false, "image");
  UpdateOptions options;
  options.mark = UpdateMark::kTest;
  options.reset = true;
  const UpdateResult result = RunUpdate(client, image, facts, options);
  EXPECT_EQ(result.upload.match, true);
  EXPECT_EQ(result.upload.bytes_sent, image.size());
  EXPECT_EQ(result.upload.timeouts, 0u);
  // The reset ended the connection; the next request finds the link down and reconnects.
  ImageStateList state = ImageStateRead(client);
  EXPECT_EQ(transport.stats().connections, 2u);
  EXPECT_GE(transport.stats().disconnects, 1u);
  ASSERT_FALSE(state.images.empty());
  EXPECT_EQ(state.images[0].hash, facts.hash);
  EXPECT_FALSE(state.images[0].confirmed);
  ImageStateWrite(client, {}, true);
  state = ImageStateRead(client);
  EXPECT_TRUE(state.images[0].confirmed);
  EXPECT_NE(Log().find("central disconnected (device_reset)"), std::string::npos) << Log();
  EXPECT_NE(Log().find("installed -> application 2.0.0 in test mode"), std::string::npos) << Log();
}

// The goodput of a 256 KiB upload in virtual time, against the link model's limit for the
// profile: with flash timing off the link alone bounds it.
TEST_F(DfuBleSimTest, UploadGoodputIsCloseToTheModelLimit) {
  StartDevice(/*flash_timing=*/false);
  // 256 KiB with the header and the TLVs (ECDSA signatures vary by a byte or two).
  const Bytes image = MakeImage(signing_, 3, 256 * 1024 - 0x200 - 152);
  for (const char* profile : {"2m-dle", "1m-no-dle"}) {
    SCOPED_TRACE(profile);
    SmpBleSimTransport transport(Client(profile));
    SmpClient client(transport, ClientOptions());
    UploadOptions options;
    uint64_t start_us = 0;
    uint64_t end_us = 0;
    options.on_start = [&] { start_us = transport.virtual_now_us(); };
    options.on_progress = [&](const UploadProgress&) { end_us = transport.virtual_now_us(); };
    const UploadResult result = UploadImage(client, image, options);
    EXPECT_EQ(result.match, true);
    const double seconds = static_cast<double>(end_us - start_us) / 1e6;
    const double goodput = static_cast<double>(image.size()) / seconds;
    const double limit =
        sim::ModelLinkLimit(sim::FindBleProfile(profile)->params).goodput_bytes_per_s;
    std::printf(
        "[ble-sim] %s: %zu bytes in %.3f s of virtual time: %.1f kB/s, %.1f%% of the "
        "model's %.1f kB/s\n",
        profile, image.size(), seconds, goodput / 1000, 100 * goodput / limit, limit / 1000);
    EXPECT_GT(goodput, 0.85 * limit);
    EXPECT_LE(goodput, 1.001 * limit);
    // Erase the slot for the next profile's upload (same image: it would be answered at once).
    ImageErase(client, std::nullopt);
  }
}

}  // namespace
}  // namespace bleota::host
