// The DFU client against the device's real SMP server, in-process: a SimDevice (the simulated
// nRF52840 running the real bootloader, the OS and image groups) behind an SmpTransport, so every
// request the client encodes is parsed by the device code and every reply it decodes was built
// by it. Whole updates: upload, test, reset (the bootloader installs), confirm; lossy links;
// a resumed upload; a refused image.
#include <gtest/gtest.h>

#include <deque>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

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
#include "bleota/host/smp_device_error.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/simdev/state_dir.hpp"

namespace bleota::host {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

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

// The link to the simulated device. `deliver(n)` decides for the n-th reply whether it arrives
// (a lossy link); a reset the device accepted runs after its reply, as the device loop does.
class SimDeviceTransport final : public SmpTransport {
 public:
  explicit SimDeviceTransport(sim::SimDevice& device) : device_(device) {}
  std::string name() const override { return "sim device"; }
  size_t max_packet_size() const override { return 2048; }
  size_t link_piece_size() const override { return piece_; }
  void Send(std::span<const uint8_t> packet) override {
    Bytes reply = device_.HandleSmp(packet);
    if (device_.reset_requested()) device_.RunRequestedReset();
    if (!reply.empty() && (!deliver || deliver(replies_++))) queue_.push_back(std::move(reply));
  }
  std::optional<Bytes> Receive(std::chrono::milliseconds) override {
    if (queue_.empty()) return std::nullopt;
    Bytes packet = std::move(queue_.front());
    queue_.pop_front();
    return packet;
  }
  std::function<bool(size_t)> deliver;
  size_t piece_ = 0;

 private:
  sim::SimDevice& device_;
  std::deque<Bytes> queue_;
  size_t replies_ = 0;
};

class DfuSimDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::temp_directory_path() /
           ("bleota_dfu_sim_" + std::to_string(getpid()) + "_" + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    signing_ = GenerateKey(KeyType::kEcdsaP256);
    WriteFileText(dir_ / "sign.pub.pem", PublicKeyPem(signing_.public_key), "key");
    sim::KeyFiles keys;
    keys.signing_keys = {dir_ / "sign.pub.pem"};
    sim::FactoryImages images;
    images.primary = MakeImage(signing_, 1, 5000);
    sim::SimDevice::Provision(sim::StateDir(dir_ / "device"), sim::Nrf52840DeviceConfig(),
                              sim::KeyOtpRecordFromFiles(keys), images);
    device_ = std::make_unique<sim::SimDevice>(
        sim::StateDir(dir_ / "device"), [this](const std::string& line) { log_ += line + "\n"; });
  }
  void TearDown() override {
    device_.reset();
    fs::remove_all(dir_);
  }

  SmpClientOptions Options(smp::SmpVersion version) {
    SmpClientOptions options;
    options.version = version;
    options.timeout = std::chrono::milliseconds(1000);
    options.retries = 5;
    options.first_sequence = 0xf0;
    return options;
  }

  fs::path dir_;
  PrivateKey signing_;
  std::unique_ptr<sim::SimDevice> device_;
  std::string log_;
};

TEST_F(DfuSimDeviceTest, WholeUpdateTestResetConfirmInBothVersions) {
  uint8_t major = 2;
  for (const smp::SmpVersion version : {smp::SmpVersion::kV2, smp::SmpVersion::kV1}) {
    SimDeviceTransport link(*device_);
    SmpClient client(link, Options(version));
    EXPECT_EQ(OsEcho(client, "ping"), "ping");
    const Bytes image = MakeImage(signing_, major, 40000);
    const UpdateImageFacts facts = InspectUpdateFile(image, false, "image");
    ASSERT_TRUE(facts.is_image);
    UpdateOptions options;
    options.mark = UpdateMark::kTest;
    options.reset = true;
    const UpdateResult result = RunUpdate(client, image, facts, options);
    EXPECT_EQ(result.upload.size, image.size());
    EXPECT_TRUE(result.upload.params_from_device);
    EXPECT_EQ(result.upload.match, true);
    EXPECT_EQ(result.upload.bytes_sent, image.size());
    ASSERT_TRUE(result.state);
    bool pending = false;
    for (const ImageSlotState& s : result.state->images) {
      if (s.hash == facts.hash) pending = s.pending;
    }
    EXPECT_TRUE(pending);
    // After the reset the bootloader installed it: it runs, in test mode, until confirmed.
    ImageStateList state = ImageStateRead(client);
    ASSERT_FALSE(state.images.empty());
    EXPECT_EQ(state.images[0].slot, 0u);
    EXPECT_EQ(state.images[0].hash, facts.hash);
    EXPECT_TRUE(state.images[0].active);
    EXPECT_FALSE(state.images[0].confirmed);
    state = ImageStateWrite(client, {}, true);
    EXPECT_TRUE(state.images[0].confirmed);
    EXPECT_EQ(device_->last_decision()->version.major, major);
    ++major;
  }
}

TEST_F(DfuSimDeviceTest, LossyLinksAndPacketSizesStillDeliverTheImage) {
  struct Case {
    size_t window;
    size_t piece;
    std::function<bool(size_t)> deliver;
  };
  const std::vector<Case> cases = {
      {4, 0, [](size_t n) { return n % 5 != 3; }},    // every fifth reply lost
      {8, 244, [](size_t n) { return n % 7 != 0; }},  // MTU 247 pieces, window 8
      {1, 20, nullptr},                               // MTU 23, one in flight
  };
  uint8_t major = 2;
  for (const Case& c : cases) {
    SimDeviceTransport link(*device_);
    link.piece_ = c.piece;
    SmpClient client(link, Options(smp::SmpVersion::kV2));
    UploadOptions upload;
    upload.window = c.window;
    const Bytes image = MakeImage(signing_, major++, 30000);
    link.deliver = c.deliver;
    const UploadResult result = UploadImage(client, image, upload);
    EXPECT_EQ(result.match, true) << c.window;
    link.deliver = nullptr;
    const ImageStateList state = ImageStateRead(client);
    ASSERT_EQ(state.images.size(), 2u);
    EXPECT_EQ(state.images[1].slot, 1u);
    EXPECT_EQ(state.images[1].version, std::to_string(major - 1) + ".0.0");
    ImageErase(client, std::nullopt);
  }
}

TEST_F(DfuSimDeviceTest, ASecondClientResumesWhereTheFirstStopped) {
  const Bytes image = MakeImage(signing_, 2, 60000);
  {
    SimDeviceTransport link(*device_);
    // The link dies after 20 replies: the first client gives up.
    link.deliver = [](size_t n) { return n < 20; };
    SmpClientOptions options = Options(smp::SmpVersion::kV2);
    options.retries = 1;
    SmpClient client(link, options);
    try {
      UploadImage(client, image, UploadOptions{});
      FAIL();
    } catch (const HostError& e) {
      EXPECT_EQ(e.code(), ExitCode::kTransport);
    }
  }
  SimDeviceTransport link(*device_);
  SmpClient client(link, Options(smp::SmpVersion::kV2));
  const UploadResult result = UploadImage(client, image, UploadOptions{});
  EXPECT_EQ(result.match, true);
  EXPECT_EQ(result.resumes, 1u);
  EXPECT_LT(result.bytes_sent, image.size() / 2);
}

TEST_F(DfuSimDeviceTest, AnImageFromAnUnknownSignerIsRefusedWithANamedCode) {
  const PrivateKey stranger = GenerateKey(KeyType::kEcdsaP256);
  const Bytes image = MakeImage(stranger, 2, 20000);
  SimDeviceTransport link(*device_);
  SmpClient client(link, Options(smp::SmpVersion::kV2));
  try {
    UploadImage(client, image, UploadOptions{});
    FAIL();
  } catch (const SmpDeviceError& e) {
    EXPECT_TRUE(e.error().group_error);
    EXPECT_EQ(e.error().group, 1);
    EXPECT_NE(std::string(e.what()).find("upload at offset"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("image group rc"), std::string::npos) << e.what();
  }
  // Nothing was installed: the running image is still the factory one.
  const ImageStateList state = ImageStateRead(client);
  EXPECT_EQ(state.images[0].version, "1.0.0");
}

}  // namespace
}  // namespace bleota::host
