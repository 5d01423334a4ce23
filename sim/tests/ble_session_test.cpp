// The host client over the simulated BLE link to a SimDevice, in one process and in virtual
// time: connect (refused while the device does not advertise), SMP requests through
// BleSmpTransport, the device's busy time, a 256 KiB upload's goodput against ModelLinkLimit,
// and test + reset + confirm over the same link (the reset ends the connection; the client
// connects again).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <string>
#include <vector>

#include "ble_test_support.hpp"
#include "bleota/host/dfu_image_requests.hpp"
#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/dfu_update.hpp"
#include "bleota/host/dfu_upload.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/keys.hpp"
#include "bleota/host/smp_client.hpp"
#include "bleota/simdev/ble_device_session.hpp"
#include "bleota/simdev/ble_in_process_transport.hpp"
#include "bleota/simdev/ble_link.hpp"
#include "bleota/simdev/ble_link_limit.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/simdev/state_dir.hpp"

namespace bleota::sim {
namespace {

namespace fs = std::filesystem;

constexpr size_t kImageSize = 256 * 1024;

using testing::MakeSignedImage;

class BleSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(BLEOTA_SIM_TEST_DIR) / (std::string("ble_") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    signing_ = host::GenerateKey(host::KeyType::kEcdsaP256);
    host::WriteFileText(dir_ / "sign.pub.pem", host::PublicKeyPem(signing_.public_key), "key");
    keys_.signing_keys = {dir_ / "sign.pub.pem"};
  }

  std::unique_ptr<SimDevice> MakeDevice(bool flash_timing) {
    DeviceConfig config = Nrf52840DeviceConfig();
    config.flash_timing = flash_timing;
    FactoryImages images;
    images.primary = MakeSignedImage(signing_, 1, 3000);
    SimDevice::Provision(StateDir(dir_ / "device"), config, KeyOtpRecordFromFiles(keys_), images);
    return std::make_unique<SimDevice>(StateDir(dir_ / "device"),
                                       [this](const std::string& line) { log_ += line + "\n"; });
  }

  static host::SmpClientOptions ClientOptions() {
    host::SmpClientOptions options;
    options.first_sequence = 1;  // deterministic runs
    return options;
  }

  fs::path dir_;
  host::PrivateKey signing_;
  KeyFiles keys_;
  std::string log_;
};

TEST_F(BleSessionTest, EchoAndParamsOverTheLink) {
  auto device = MakeDevice(false);
  BleLink link(FindBleProfile("2m-dle")->params);
  BleDeviceSession session(*device, link);
  BleInProcessTransport transport(link, session);
  EXPECT_EQ(transport.link_piece_size(), 244u);
  EXPECT_EQ(transport.max_packet_size(), kSmpBufferSize);
  host::SmpClient client(transport, ClientOptions());

  // The first request connects; 300 bytes of echo make a multi-notification reply.
  const std::string text(300, 'e');
  EXPECT_EQ(host::OsEcho(client, text), text);
  EXPECT_TRUE(link.connected());
  EXPECT_EQ(link.att_mtu(), 247);
  const std::optional<host::DeviceParams> params = host::OsParams(client);
  ASSERT_TRUE(params);
  EXPECT_EQ(params->buf_size, kSmpBufferSize);
  EXPECT_EQ(params->buf_count, kSmpBufferCount);
  EXPECT_EQ(session.stats().responses, 2u);
  EXPECT_GE(session.stats().notifications, 3u);  // the echo's reply is more than 244 bytes
  EXPECT_EQ(link.stats().notifications_delivered, session.stats().notifications);
  // Two request/reply round trips take a few connection events, not more.
  EXPECT_LT(transport.virtual_now_us(), uint64_t{10 * 15000});
  EXPECT_EQ(transport.dropped_input(), 0u);
}

TEST_F(BleSessionTest, ADeviceThatDoesNotAdvertiseRefusesTheConnection) {
  auto device = MakeDevice(false);
  // A boot that cannot read flash halts the device: nothing runs, nothing advertises.
  device->soc().sim_flash().PowerOff();
  device->Reset(boot::ResetCause::kPin);
  ASSERT_EQ(device->mode(), DeviceMode::kHalted);
  ASSERT_FALSE(device->advertising());
  BleLink link(FindBleProfile("2m-dle")->params);
  BleDeviceSession session(*device, link);
  EXPECT_EQ(session.Connect().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(session.stats().refused_connects, 1u);
  BleInProcessTransport transport(link, session);
  try {
    transport.Connect();
    FAIL() << "connected to a halted device";
  } catch (const host::HostError& error) {
    EXPECT_EQ(error.code(), host::ExitCode::kTransport);
    EXPECT_NE(std::string(error.what()).find("does not advertise (halted)"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(link.connected());
}

TEST_F(BleSessionTest, NoReplyIsATimeoutInVirtualTime) {
  auto device = MakeDevice(false);
  BleLink link(FindBleProfile("1m-dle")->params);
  BleDeviceSession session(*device, link);
  BleInProcessTransport transport(link, session);
  transport.Connect();
  const uint64_t start = transport.virtual_now_us();
  // A response op is never answered.
  const std::vector<uint8_t> stray = {0x0b, 0, 0, 0, 0, 0, 1, 0};  // v2 write response, no body
  transport.Send(stray);
  EXPECT_FALSE(transport.Receive(std::chrono::milliseconds(250)));
  EXPECT_EQ(transport.virtual_now_us() - start, uint64_t{250000});
  EXPECT_EQ(session.stats().dropped, 1u);
  EXPECT_TRUE(link.connected());
}

TEST_F(BleSessionTest, TheLinkFillsTheDeviceBuffersWhileItsFlashWorks) {
  auto device = MakeDevice(true);  // nRF52840 flash timing: 85 ms per page erase
  BleLink link(FindBleProfile("2m-dle")->params);
  BleDeviceSession session(*device, link);
  BleInProcessTransport transport(link, session);
  host::SmpClient client(transport, ClientOptions());
  const std::vector<uint8_t> image = MakeSignedImage(signing_, 2, 60000);
  host::UploadOptions options;
  const uint64_t start = transport.virtual_now_us();
  const host::UploadResult result = host::UploadImage(client, image, options);
  EXPECT_EQ(result.match, true);
  const uint64_t elapsed = transport.virtual_now_us() - start;
  // The upload took at least the device's busy time, which flash work dominates.
  EXPECT_GE(session.stats().device_busy_us, uint64_t{15 * 85000});
  EXPECT_GE(elapsed, session.stats().device_busy_us);
  // The link kept delivering while the flash worked: writes waited in the device's SMP
  // buffers, never more than they hold, and the upload took less than the busy time plus the
  // link's own time for the image (about 0.4 s at 162.7 kB/s).
  EXPECT_GT(session.stats().queued_writes, 0u);
  EXPECT_LE(session.stats().max_queued_bytes, uint64_t{kSmpBufferCount} * kSmpBufferSize);
  EXPECT_LT(elapsed, session.stats().device_busy_us + 200000);
  EXPECT_EQ(link.stats().lost_packets, 0u);
}

// A central that writes more than the device's SMP buffers hold while the device is busy meets
// flow control: the link's RX buffers fill and its packets are refused, nothing is lost.
TEST_F(BleSessionTest, FullDeviceBuffersRefuseLinkPackets) {
  auto device = MakeDevice(true);
  BleLink link(FindBleProfile("2m-dle")->params);
  device->CorruptSlot(true);  // bits set in 8 sectors of the empty slot: the erase takes 680 ms
  BleDeviceSession session(*device, link);
  ASSERT_TRUE(session.Connect().ok());
  link.RunUntil(link.now_us() + 100000);  // the MTU exchange
  // Image erase (a long flash operation) followed by more writes than the buffers take: the
  // device works on the erase while the rest arrives.
  // SMP v1 write, length 1, group 1 (image), sequence 0, id 5 (erase), an empty CBOR map.
  const std::vector<uint8_t> erase = {0x02, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x05, 0xa0};
  ASSERT_EQ(link.TryWrite(erase), BleWriteStatus::kQueued);
  const std::vector<uint8_t> filler(244, 0xee);
  size_t written = 0;
  const size_t wanted = 2 * kSmpBufferCount * kSmpBufferSize / filler.size();
  while (written < wanted && link.now_us() < 10'000'000) {
    if (link.TryWrite(filler) == BleWriteStatus::kQueued) {
      ++written;
    } else {
      link.Step();
    }
  }
  EXPECT_EQ(written, wanted);
  EXPECT_GE(session.stats().device_busy_us, uint64_t{8 * 85000});
  EXPECT_GT(link.stats().naks, 0u);
  EXPECT_EQ(link.stats().central_retransmissions, link.stats().naks);
  EXPECT_LE(session.stats().max_queued_bytes, uint64_t{kSmpBufferCount} * kSmpBufferSize);
  EXPECT_EQ(link.stats().lost_packets, 0u);
}

TEST_F(BleSessionTest, AResetOutsideTheSessionEndsTheConnection) {
  auto device = MakeDevice(false);
  BleLink link(FindBleProfile("2m-dle")->params);
  BleDeviceSession session(*device, link);
  BleInProcessTransport transport(link, session);
  host::SmpClient client(transport, ClientOptions());
  EXPECT_EQ(host::OsEcho(client, "a"), "a");
  device->Reset(boot::ResetCause::kPin);
  link.Step();
  EXPECT_FALSE(link.connected());
  EXPECT_EQ(link.last_disconnect(), BleDisconnectReason::kDeviceReset);
  // The client connects again with its next request.
  EXPECT_EQ(host::OsEcho(client, "b"), "b");
  EXPECT_EQ(link.stats().connections, 2u);
}

TEST_F(BleSessionTest, AnUploadContinuesAfterTheConnectionDrops) {
  auto device = MakeDevice(false);
  BleLink link(FindBleProfile("2m-dle")->params);
  BleDeviceSession session(*device, link);
  BleInProcessTransport transport(link, session);
  host::SmpClient client(transport, ClientOptions());
  const std::vector<uint8_t> image = MakeSignedImage(signing_, 2, 60000);
  host::UploadOptions options;
  bool dropped = false;
  options.on_progress = [&](const host::UploadProgress& progress) {
    if (!dropped && progress.acknowledged > image.size() / 2) {
      dropped = true;
      link.Disconnect(BleDisconnectReason::kCentral);  // requests in flight are lost
    }
  };
  const host::UploadResult result = host::UploadImage(client, image, options);
  EXPECT_TRUE(dropped);
  EXPECT_EQ(result.match, true);
  // The next request went out on a new connection; the device's reply named the offset of the
  // lost data and the upload continued from there.
  EXPECT_GE(result.resumes, 1u);
  EXPECT_EQ(link.stats().connections, 2u);
  EXPECT_TRUE(link.connected());
}

TEST_F(BleSessionTest, APowerCutDuringARequestEndsTheConnection) {
  auto device = MakeDevice(false);
  BleLink link(FindBleProfile("2m-dle")->params);
  BleDeviceSession session(*device, link);
  BleInProcessTransport transport(link, session);
  host::SmpClient client(transport, ClientOptions());
  const std::vector<uint8_t> image = MakeSignedImage(signing_, 2, 20000);
  device->ArmPowerCut(3, CutMode::kBefore);
  try {
    host::UploadImage(client, image, host::UploadOptions());
    FAIL() << "the upload finished on a device without power";
  } catch (const host::HostError& error) {
    EXPECT_EQ(error.code(), host::ExitCode::kTransport);
    EXPECT_NE(std::string(error.what()).find("does not advertise"), std::string::npos)
        << error.what();
  }
  EXPECT_FALSE(link.connected());
  EXPECT_EQ(link.last_disconnect(), BleDisconnectReason::kDeviceReset);
  EXPECT_FALSE(device->advertising());
}

TEST(DeviceConfigFlashTimingTest, IsKeptInDeviceJsonAndDefaultsToOn) {
  DeviceConfig config = Nrf52840DeviceConfig();
  EXPECT_TRUE(config.flash_timing);
  config.flash_timing = false;
  nlohmann::json json = DeviceConfigToJson(config);
  EXPECT_EQ(json.at("flash_timing"), false);
  EXPECT_FALSE(DeviceConfigFromJson(json).flash_timing);
  json.erase("flash_timing");  // a device.json from before the option
  EXPECT_TRUE(DeviceConfigFromJson(json).flash_timing);
  json["flash_timing"] = "no";
  try {
    DeviceConfigFromJson(json);
    FAIL() << "accepted a string";
  } catch (const host::HostError& error) {
    EXPECT_EQ(error.code(), host::ExitCode::kUsage);
    EXPECT_NE(std::string(error.what()).find("'flash_timing' must be true or false"),
              std::string::npos);
  }
}

struct UploadRun {
  double goodput = 0;  // image bytes per second of virtual time
  double limit = 0;
  host::UploadResult result;
  BleLinkStats stats;
};

// Uploads a 256 KiB signed image (window from the device's params, asked before the clock
// starts), then marks it for test, resets, checks the test boot and confirms, all over `link`.
class BleUpdateTest : public BleSessionTest, public ::testing::WithParamInterface<const char*> {};

TEST_P(BleUpdateTest, UploadReachesNinetyPercentOfTheLimitThenTestResetConfirm) {
  const BleProfile& profile = *FindBleProfile(GetParam());
  auto device = MakeDevice(false);
  BleLink link(profile.params);
  BleDeviceSession session(*device, link);
  BleInProcessTransport transport(link, session);
  host::SmpClient client(transport, ClientOptions());
  const std::vector<uint8_t> image = MakeSignedImage(signing_, 2, kImageSize - 0x200 - 256);
  ASSERT_LE(image.size(), kImageSize);
  ASSERT_GE(image.size(), kImageSize - 512);
  const host::UpdateImageFacts facts = host::InspectUpdateFile(image, false, "v2");

  host::UploadOptions options;
  options.window = 64;  // the device's buf_count decides
  options.params = host::OsParams(client);
  ASSERT_TRUE(options.params);
  const uint64_t start_us = transport.virtual_now_us();
  const BleLinkStats before = link.stats();
  const host::UploadResult result = host::UploadImage(client, image, options);
  const uint64_t elapsed_us = transport.virtual_now_us() - start_us;
  EXPECT_EQ(result.match, true);
  EXPECT_EQ(result.window, kSmpBufferCount);
  EXPECT_EQ(result.timeouts, 0u);
  const double goodput = static_cast<double>(image.size()) / (elapsed_us / 1e6);
  const double limit = ModelLinkLimit(profile.params).goodput_bytes_per_s;
  const BleLinkStats& after = link.stats();
  std::printf(
      "[ble] %s: %zu bytes in %.3f s of virtual time: %.0f B/s = %.1f%% of the model limit %.0f "
      "B/s (requests %zu, chunk %zu, packet limit %zu, events %llu, central data packets %llu, "
      "device busy %.3f s)\n",
      profile.name, image.size(), elapsed_us / 1e6, goodput, 100 * goodput / limit, limit,
      result.requests, result.max_chunk, result.packet_limit,
      static_cast<unsigned long long>(after.events - before.events),
      static_cast<unsigned long long>(after.central_data_packets - before.central_data_packets),
      session.stats().device_busy_us / 1e6);
  // The goal, 90% of the limit, on both PHYs. On 1m-dle six 2500 us exchanges fill a 15 ms event
  // to the microsecond, so each upload reply (a notification in the peripheral's packet, +264 us)
  // takes the place of a data packet: with the device's 4096-byte buf_size a request is 16
  // packets and the upload gets 16/17 of the limit at best (docs/ble-link.md, "Uploads").
  const double floor = 0.90;
  EXPECT_GE(goodput / limit, floor) << profile.name;
  EXPECT_LE(goodput / limit, 1.0) << profile.name;
  EXPECT_EQ(session.stats().device_busy_us, 0u);  // flash timing off: the link alone

  // Test, reset (the connection ends with the device's reset), the test boot, confirm.
  const host::ImageStateList marked = host::ImageStateWrite(client, facts.hash, false);
  ASSERT_EQ(marked.images.size(), 2u);
  EXPECT_TRUE(marked.images[1].pending);
  const uint32_t boots = device->boots();
  host::OsReset(client, false);
  link.RunUntil(link.now_us() + 100000);
  EXPECT_FALSE(link.connected());
  EXPECT_EQ(link.last_disconnect(), BleDisconnectReason::kDeviceReset);
  EXPECT_EQ(device->boots(), boots + 1);
  ASSERT_EQ(device->mode(), DeviceMode::kApplication);
  EXPECT_EQ(device->last_decision()->version.major, 2);
  EXPECT_TRUE(device->last_decision()->testing);

  const host::ImageStateList running = host::ImageStateRead(client);  // connects again
  EXPECT_EQ(link.stats().connections, 2u);
  ASSERT_FALSE(running.images.empty());
  EXPECT_EQ(running.images[0].version, "2.0.0");
  EXPECT_TRUE(running.images[0].active);
  EXPECT_FALSE(running.images[0].confirmed);
  const host::ImageStateList confirmed = host::ImageStateWrite(client, {}, true);
  ASSERT_FALSE(confirmed.images.empty());
  EXPECT_TRUE(confirmed.images[0].confirmed);
  EXPECT_EQ(session.stats().resets, 1u);
}

INSTANTIATE_TEST_SUITE_P(Profiles, BleUpdateTest, ::testing::Values("2m-dle", "1m-dle"),
                         [](const ::testing::TestParamInfo<const char*>& info) {
                           std::string name = info.param;
                           for (char& c : name) {
                             if (c == '-') c = '_';
                           }
                           return name;
                         });

}  // namespace
}  // namespace bleota::sim
