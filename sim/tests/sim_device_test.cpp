// SimDevice in-process: provisioning, the boot at power-on, SMP through the device's server, a
// reset over SMP, and the state directory (a new SimDevice on it is the same device).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/keys.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/simdev/state_dir.hpp"
#include "bleota/smp/cbor_reader.hpp"
#include "bleota/smp/cbor_writer.hpp"
#include "bleota/smp/smp_header.hpp"

namespace bleota::sim {
namespace {

namespace fs = std::filesystem;

std::vector<uint8_t> MakeImage(const host::PrivateKey& key, uint8_t major, size_t size) {
  host::ImageBuildOptions options;
  options.header_size = 0x200;
  options.pad_header = true;
  options.align = 4;
  options.version.major = major;
  options.signing_key = &key;
  std::vector<uint8_t> payload(size);
  for (size_t i = 0; i < size; ++i) payload[i] = static_cast<uint8_t>(i * 7 + major);
  return host::BuildImage(payload, options);
}

// An SMP v2 request packet: header + one CBOR map of text keys and text values.
std::vector<uint8_t> Request(smp::SmpOp op, uint16_t group, uint8_t command,
                             const std::vector<std::pair<std::string, std::string>>& fields) {
  std::vector<uint8_t> packet(256);
  smp::CborWriter writer(ByteSpan(packet.data() + smp::kSmpHeaderSize, 200));
  writer.BeginMap(fields.size());
  for (const auto& [key, value] : fields) {
    writer.WriteText(key);
    writer.WriteText(value);
  }
  EXPECT_TRUE(writer.status().ok());
  smp::SmpHeader header;
  header.version = smp::SmpVersion::kV2;
  header.op = op;
  header.length = static_cast<uint16_t>(writer.size());
  header.group = group;
  header.sequence = 7;
  header.command = command;
  EXPECT_TRUE(smp::EncodeSmpHeader(header, packet).ok());
  packet.resize(smp::kSmpHeaderSize + writer.size());
  return packet;
}

class SimDeviceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(BLEOTA_SIM_TEST_DIR) / info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    signing_ = host::GenerateKey(host::KeyType::kEcdsaP256);
    host::WriteFileText(dir_ / "sign.pub.pem", host::PublicKeyPem(signing_.public_key), "key");
    keys_.signing_keys = {dir_ / "sign.pub.pem"};
  }

  void Provision(const std::vector<uint8_t>& image) {
    FactoryImages images;
    images.primary = image;
    SimDevice::Provision(StateDir(dir_ / "device"), Nrf52840DeviceConfig(),
                         KeyOtpRecordFromFiles(keys_), images);
  }

  SimDevice::LogSink Sink() {
    return [this](const std::string& line) { log_ += line + "\n"; };
  }

  fs::path dir_;
  host::PrivateKey signing_;
  KeyFiles keys_;
  std::string log_;
};

TEST_F(SimDeviceTest, BootsTheProvisionedImageAndAnswersEcho) {
  Provision(MakeImage(signing_, 1, 3000));
  SimDevice device(StateDir(dir_ / "device"), Sink());
  ASSERT_EQ(device.mode(), DeviceMode::kApplication);
  EXPECT_EQ(device.last_decision()->version.major, 1);
  EXPECT_NE(log_.find("boot 1 (power_on): primary_valid -> application 1.0.0 (confirmed)"),
            std::string::npos)
      << log_;
  EXPECT_TRUE(device.soc().key_otp_locked());  // the app never sees key OTP

  const std::vector<uint8_t> response =
      device.HandleSmp(Request(smp::SmpOp::kWrite, 0, 0, {{"d", "ping"}}));
  ASSERT_GT(response.size(), smp::kSmpHeaderSize);
  Result<smp::SmpHeader> header = smp::DecodeSmpPacket(response);
  ASSERT_TRUE(header.ok());
  EXPECT_EQ(header->op, smp::SmpOp::kWriteRsp);
  EXPECT_EQ(header->sequence, 7);
  const smp::CborReader reader(ConstByteSpan(response).subspan(smp::kSmpHeaderSize));
  Result<smp::CborReader> value = reader.FindKey("r");
  ASSERT_TRUE(value.ok());
  Result<std::string_view> echoed = value->ReadText();
  ASSERT_TRUE(echoed.ok());
  EXPECT_EQ(*echoed, "ping");
}

TEST_F(SimDeviceTest, ResetOverSmpRunsTheBootloaderAfterTheReply) {
  Provision(MakeImage(signing_, 1, 3000));
  SimDevice device(StateDir(dir_ / "device"), Sink());
  EXPECT_FALSE(device.reset_requested());
  const std::vector<uint8_t> response = device.HandleSmp(Request(smp::SmpOp::kWrite, 0, 5, {}));
  EXPECT_GE(response.size(), smp::kSmpHeaderSize);
  ASSERT_TRUE(device.reset_requested());
  EXPECT_EQ(device.boots(), 1u);
  device.RunRequestedReset();
  EXPECT_EQ(device.boots(), 2u);
  EXPECT_FALSE(device.reset_requested());
  EXPECT_NE(log_.find("boot 2 (software): primary_valid"), std::string::npos) << log_;
}

TEST_F(SimDeviceTest, ARestartedDeviceKeepsItsFlashOtpAndProgrammedState) {
  Provision(MakeImage(signing_, 1, 3000));
  const DeviceConfig config = Nrf52840DeviceConfig();
  const uint32_t primary = config.layout.bootloader_size + config.layout.boot_state_size +
                           config.layout.upload_state_size;
  const uint32_t secondary = primary + config.layout.slot_size;
  {
    SimDevice device(StateDir(dir_ / "device"), Sink());
    // A change that only the state directory can carry to the next process.
    const uint8_t word[4] = {1, 2, 3, 4};
    ASSERT_TRUE(device.soc().sim_flash().Program(secondary + 64, word).ok());
    device.Persist();
  }
  SimDevice device(StateDir(dir_ / "device"), Sink());
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
  EXPECT_EQ(device.soc().sim_flash().raw()[secondary + 64 + 3], 4);
  // Programmed units stay programmed (NOR rules hold across restarts); erased ones take data.
  const uint8_t word[4] = {9, 9, 9, 9};
  EXPECT_EQ(device.soc().sim_flash().Program(primary, word).code(), StatusCode::kFlashNotErased);
  EXPECT_EQ(device.soc().sim_flash().Program(secondary + 64, word).code(),
            StatusCode::kFlashNotErased);
  EXPECT_TRUE(device.soc().sim_flash().Program(secondary + 128, word).ok());
  // Key OTP came back too: the bootloader verified the image with the provisioned key.
  EXPECT_EQ(device.last_decision()->reason, boot::BootReason::kPrimaryValid);
}

TEST_F(SimDeviceTest, GoldenImageIsProvisionedAndAPowerCycleBootsAgain) {
  const std::vector<uint8_t> golden = MakeImage(signing_, 0, 2000);
  FactoryImages images;
  images.primary = MakeImage(signing_, 1, 3000);
  images.golden = golden;
  const DeviceConfig config = Nrf52840DeviceConfig();
  SimDevice::Provision(StateDir(dir_ / "device"), config, KeyOtpRecordFromFiles(keys_), images);
  SimDevice device(StateDir(dir_ / "device"), Sink());
  const uint32_t golden_offset = config.layout.bootloader_size + config.layout.boot_state_size +
                                 config.layout.upload_state_size + 2 * config.layout.slot_size +
                                 config.layout.swap_size;
  const auto& raw = device.soc().sim_flash().raw();
  EXPECT_TRUE(std::equal(golden.begin(), golden.end(), raw.begin() + golden_offset));
  device.PowerCycle();
  EXPECT_EQ(device.boots(), 2u);
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
  EXPECT_NE(log_.find("boot 2 (power_on): primary_valid -> application 1.0.0"), std::string::npos)
      << log_;
}

TEST_F(SimDeviceTest, AnImageSignedWithAnotherKeyLeavesTheDeviceInOtaMode) {
  const host::PrivateKey stranger = host::GenerateKey(host::KeyType::kEcdsaP256);
  Provision(MakeImage(stranger, 1, 3000));
  SimDevice device(StateDir(dir_ / "device"), Sink());
  EXPECT_EQ(device.mode(), DeviceMode::kBootloaderOta);
  EXPECT_EQ(device.last_decision()->reason, boot::BootReason::kNoValidImage);
  EXPECT_NE(log_.find("stays in bootloader OTA mode"), std::string::npos) << log_;
  // The OTA mode serves SMP too.
  EXPECT_GT(device.HandleSmp(Request(smp::SmpOp::kRead, 0, 6, {})).size(), smp::kSmpHeaderSize);
}

TEST_F(SimDeviceTest, ProvisioningRefusesAnExistingDeviceAndOversizedImages) {
  Provision(MakeImage(signing_, 1, 3000));
  try {
    Provision(MakeImage(signing_, 2, 3000));
    FAIL() << "provisioned twice";
  } catch (const host::HostError& e) {
    EXPECT_EQ(e.code(), host::ExitCode::kUsage);
  }
  try {
    FactoryImages images;
    images.primary.assign(Nrf52840DeviceConfig().layout.slot_size + 4, 0x5a);
    SimDevice::Provision(StateDir(dir_ / "other"), Nrf52840DeviceConfig(),
                         KeyOtpRecordFromFiles(keys_), images);
    FAIL() << "an image larger than the slot was provisioned";
  } catch (const host::HostError& e) {
    EXPECT_EQ(e.code(), host::ExitCode::kImage);
  }
  EXPECT_FALSE(StateDir(dir_ / "other").provisioned());
}

TEST_F(SimDeviceTest, KeyFilesOfTheWrongKindAreRefused) {
  const host::PrivateKey x25519 = host::GenerateKey(host::KeyType::kX25519);
  host::WriteFileText(dir_ / "x25519.pem", host::PrivateKeyPem(x25519), "key");
  KeyFiles wrong_signing;
  wrong_signing.signing_keys = {dir_ / "x25519.pem"};
  EXPECT_THROW(KeyOtpRecordFromFiles(wrong_signing), host::HostError);
  KeyFiles none;
  EXPECT_THROW(KeyOtpRecordFromFiles(none), host::HostError);
  KeyFiles wrong_encryption = keys_;
  const host::PrivateKey ed25519 = host::GenerateKey(host::KeyType::kEd25519);
  host::WriteFileText(dir_ / "ed25519.pem", host::PrivateKeyPem(ed25519), "key");
  wrong_encryption.encryption_key = dir_ / "ed25519.pem";
  EXPECT_THROW(KeyOtpRecordFromFiles(wrong_encryption), host::HostError);
}

TEST(DeviceConfigTest, JsonRoundTripAndFieldErrors) {
  DeviceConfig config = Nrf52840DeviceConfig();
  config.app.auto_confirm = true;
  const DeviceConfig back = DeviceConfigFromJson(DeviceConfigToJson(config));
  EXPECT_EQ(DeviceConfigToJson(back), DeviceConfigToJson(config));
  EXPECT_TRUE(back.app.auto_confirm);

  nlohmann::json bad = DeviceConfigToJson(config);
  bad["layout"]["slot_size"] = -1;
  EXPECT_THROW(DeviceConfigFromJson(bad), host::HostError);
  bad = DeviceConfigToJson(config);
  bad["format"] = 2;
  EXPECT_THROW(DeviceConfigFromJson(bad), host::HostError);
  bad = DeviceConfigToJson(config);
  bad["max_test_boots"] = 256;
  EXPECT_THROW(DeviceConfigFromJson(bad), host::HostError);
  bad = DeviceConfigToJson(config);
  bad["profile"] = "z80";
  EXPECT_THROW(ProfileOf(DeviceConfigFromJson(bad)), host::HostError);
}

}  // namespace
}  // namespace bleota::sim
