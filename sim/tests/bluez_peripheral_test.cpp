// What `--ble bluez` does without BlueZ: its options (--adapter, --ble-name and their bounds),
// and the GATT session behind WriteValue: SMP packets reassembled from writes, replies cut into
// notifications of at most ATT_MTU - 3 bytes, a reset after its reply, the transport built again
// for a new central or a new firmware. The D-Bus part runs in the VM (ble_vm.sim_peripheral).
#include <gtest/gtest.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "ble_test_support.hpp"
#include "bleota/host/bluez_dbus.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_message.hpp"
#include "bleota/simdev/bluez_gatt_session.hpp"
#include "bleota/simdev/bluez_peripheral.hpp"
#include "bleota/simdev/sim_cli_options.hpp"

namespace bleota::sim {
namespace {

namespace fs = std::filesystem;

host::ExitCode CodeOf(const std::function<void()>& call) {
  try {
    call();
  } catch (const host::HostError& error) {
    return error.code();
  }
  return host::ExitCode::kOk;
}

TEST(BluezOptionsTest, AdapterAndNameNeedBleBluez) {
  SimRunOptions options;
  EXPECT_EQ(CodeOf([&] { CheckBleOptions(options); }), host::ExitCode::kOk);
  options.adapter = "hci0";
  EXPECT_EQ(CodeOf([&] { CheckBleOptions(options); }), host::ExitCode::kUsage);
  options.adapter.reset();
  options.ble_name = "dev";
  EXPECT_EQ(CodeOf([&] { CheckBleOptions(options); }), host::ExitCode::kUsage);
  options.ble = "bluez";
  EXPECT_EQ(CodeOf([&] { CheckBleOptions(options); }), host::ExitCode::kOk);
  options.adapter = "hci1";
  EXPECT_EQ(CodeOf([&] { CheckBleOptions(options); }), host::ExitCode::kOk);
  options.ble = "nimble";
  EXPECT_EQ(CodeOf([&] { CheckBleOptions(options); }), host::ExitCode::kUsage);
}

TEST(BluezOptionsTest, AdapterNames) {
  for (const char* good : {"hci0", "hci1", "hci12", "hci999"}) {
    EXPECT_EQ(CodeOf([&] { host::bluez::CheckAdapterName(good); }), host::ExitCode::kOk) << good;
  }
  for (const char* bad : {"", "hci", "hcix", "hci-1", "hci1000", "HCI0", "hci0 ", "/org/bluez/hci0",
                          "00:11:22:33:44:55"}) {
    EXPECT_EQ(CodeOf([&] { host::bluez::CheckAdapterName(bad); }), host::ExitCode::kUsage) << bad;
  }
  try {
    host::bluez::CheckAdapterName("hcix", "--adapter");
    FAIL() << "no error";
  } catch (const host::HostError& error) {
    EXPECT_EQ(std::string(error.what()),
              "--adapter: 'hcix' is not an adapter name (hci0, hci1, ...)");
  }
}

TEST(BluezOptionsTest, NameBounds) {
  EXPECT_EQ(CodeOf([] { CheckBleName("a"); }), host::ExitCode::kOk);
  EXPECT_EQ(CodeOf([] { CheckBleName(kDefaultBleName); }), host::ExitCode::kOk);
  EXPECT_EQ(CodeOf([] { CheckBleName(std::string(kMaxBleNameBytes, 'n')); }), host::ExitCode::kOk);
  EXPECT_EQ(CodeOf([] { CheckBleName(std::string(kMaxBleNameBytes + 1, 'n')); }),
            host::ExitCode::kUsage);
  EXPECT_EQ(CodeOf([] { CheckBleName(""); }), host::ExitCode::kUsage);
  EXPECT_EQ(CodeOf([] { CheckBleName("tab\there"); }), host::ExitCode::kUsage);
  EXPECT_EQ(CodeOf([] { CheckBleName("caf\xc3\xa9"); }), host::ExitCode::kUsage);
  // The bound: one AD structure (31 bytes) minus its length and type bytes.
  EXPECT_EQ(kMaxBleNameBytes, 31u - 2u);
}

class BluezGattSessionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(BLEOTA_SIM_TEST_DIR) / (std::string("bluez_") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    const host::PrivateKey signing = host::GenerateKey(host::KeyType::kEd25519);
    host::WriteFileText(dir_ / "sign.pub.pem", host::PublicKeyPem(signing.public_key), "key");
    KeyFiles keys;
    keys.signing_keys = {dir_ / "sign.pub.pem"};
    DeviceConfig config = Nrf52840DeviceConfig();
    config.flash_timing = false;
    FactoryImages images;
    images.primary = testing::MakeSignedImage(signing, 1, 3000);
    SimDevice::Provision(StateDir(dir_ / "device"), config, KeyOtpRecordFromFiles(keys), images);
    device_ = std::make_unique<SimDevice>(StateDir(dir_ / "device"), nullptr);
  }

  // Writes `packet` in pieces of at most `piece` bytes, as a central does at ATT_MTU - 3.
  std::vector<BluezWriteOutcome> WriteInPieces(BluezGattSession& session,
                                               const std::vector<uint8_t>& packet, size_t piece,
                                               uint16_t mtu, const std::string& central = "c") {
    std::vector<BluezWriteOutcome> outcomes;
    for (size_t at = 0; at < packet.size(); at += piece) {
      const size_t n = std::min(piece, packet.size() - at);
      outcomes.push_back(
          session.OnWrite(*device_, central, ConstByteSpan(packet.data() + at, n), mtu));
    }
    return outcomes;
  }

  static std::vector<uint8_t> Echo(const std::string& text, uint8_t sequence) {
    host::SmpCommand command;
    command.op = smp::SmpOp::kWrite;
    command.group = 0;
    command.command = 0;
    command.payload = {{"d", text}};
    return host::EncodeSmpRequest(command, smp::SmpVersion::kV2, sequence);
  }

  // The notifications of one reply, joined.
  std::optional<host::SmpReply> Joined() const {
    std::vector<uint8_t> all;
    for (const auto& n : notifications_) all.insert(all.end(), n.begin(), n.end());
    return host::ParseSmpReply(all);
  }

  BluezGattSession::Notify Collect() {
    return [this](ConstByteSpan value) {
      if (!notifying_) return false;
      notifications_.emplace_back(value.begin(), value.end());
      return true;
    };
  }

  fs::path dir_;
  std::unique_ptr<SimDevice> device_;
  std::vector<std::vector<uint8_t>> notifications_;
  bool notifying_ = true;
};

TEST_F(BluezGattSessionTest, RepliesAreCutAtTheMtuFromWriteValue) {
  BluezGattSession session(Collect());
  EXPECT_EQ(session.att_mtu(), 23);
  const std::string text(700, 'x');
  const std::vector<uint8_t> request = Echo(text, 7);
  // 185: the MTU a phone often negotiates; writes of 182 bytes.
  for (const BluezWriteOutcome outcome : WriteInPieces(session, request, 182, 185)) {
    EXPECT_EQ(outcome, BluezWriteOutcome::kTaken);
  }
  EXPECT_EQ(session.att_mtu(), 185);
  ASSERT_GE(notifications_.size(), 4u);  // 700+ bytes at 182 per notification
  for (const auto& n : notifications_) EXPECT_LE(n.size(), 182u);
  const std::optional<host::SmpReply> reply = Joined();
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->header.sequence, 7);
  EXPECT_EQ(reply->payload.value("r", std::string()), text);
  EXPECT_EQ(session.stats().responses, 1u);
  EXPECT_EQ(session.stats().notifications, notifications_.size());

  // BlueZ's largest MTU, 517: notifications of up to 512 bytes (one attribute value), not 514.
  notifications_.clear();
  WriteInPieces(session, Echo(text, 8), host::bluez::kBluezMaxWriteCommand, 517);
  EXPECT_EQ(session.att_mtu(), 517);
  ASSERT_EQ(notifications_.size(), 2u);
  EXPECT_EQ(notifications_[0].size(), 512u);
  EXPECT_EQ(notifications_[1].size(), 8 + 6 + text.size() - 512);
  ASSERT_TRUE(Joined());
  EXPECT_EQ(Joined()->payload.value("r", std::string()), text);
}

TEST_F(BluezGattSessionTest, OutOfRangeMtuKeepsTheLastOne) {
  BluezGattSession session(Collect());
  WriteInPieces(session, Echo("a", 1), 20, 100);
  EXPECT_EQ(session.att_mtu(), 100);
  WriteInPieces(session, Echo("b", 2), 20, 600);  // not an ATT MTU: ignored
  EXPECT_EQ(session.att_mtu(), 100);
  WriteInPieces(session, Echo("c", 3), 20, 10);
  EXPECT_EQ(session.att_mtu(), 100);
  EXPECT_EQ(session.stats().responses, 3u);
}

TEST_F(BluezGattSessionTest, WithoutNotificationsTheReplyIsLost) {
  notifying_ = false;
  BluezGattSession session(Collect());
  WriteInPieces(session, Echo("quiet", 1), 244, 247);
  EXPECT_TRUE(notifications_.empty());
  EXPECT_EQ(session.stats().responses, 1u);
  EXPECT_EQ(session.stats().notifications, 0u);
  EXPECT_EQ(session.stats().undelivered_notifications, 1u);
}

TEST_F(BluezGattSessionTest, ANewCentralDropsAPartialRequest) {
  BluezGattSession session(Collect());
  const std::vector<uint8_t> request = Echo(std::string(100, 'p'), 1);
  // Half a request from one central, then the whole request from another: only that one is
  // answered (the half would otherwise prefix it).
  session.OnWrite(*device_, "central-a", ConstByteSpan(request.data(), 50), 247);
  EXPECT_TRUE(notifications_.empty());
  WriteInPieces(session, Echo("whole", 2), 244, 247, "central-b");
  ASSERT_TRUE(Joined());
  EXPECT_EQ(Joined()->header.sequence, 2);
  EXPECT_EQ(Joined()->payload.value("r", std::string()), "whole");
  // The same after a disconnect of the same central.
  notifications_.clear();
  session.OnWrite(*device_, "central-b", ConstByteSpan(request.data(), 50), 247);
  session.OnDisconnect();
  EXPECT_EQ(session.att_mtu(), 23);
  WriteInPieces(session, Echo("again", 3), 244, 247, "central-b");
  ASSERT_TRUE(Joined());
  EXPECT_EQ(Joined()->payload.value("r", std::string()), "again");
}

TEST_F(BluezGattSessionTest, ResetAfterItsReply) {
  BluezGattSession session(Collect());
  const uint32_t boots = device_->boots();
  host::SmpCommand reset;
  reset.op = smp::SmpOp::kWrite;
  reset.group = 0;
  reset.command = 5;
  std::vector<uint8_t> write = host::EncodeSmpRequest(reset, smp::SmpVersion::kV2, 9);
  // A request right behind it in the same write is lost with the reset.
  const std::vector<uint8_t> echo = Echo("late", 10);
  write.insert(write.end(), echo.begin(), echo.end());
  EXPECT_EQ(session.OnWrite(*device_, "c", write, 247), BluezWriteOutcome::kReset);
  EXPECT_EQ(device_->boots(), boots + 1);
  ASSERT_EQ(notifications_.size(), 1u);
  ASSERT_TRUE(Joined());
  EXPECT_EQ(Joined()->header.sequence, 9);
  EXPECT_EQ(session.stats().resets, 1u);
  EXPECT_EQ(session.att_mtu(), 23);  // the next firmware starts a new transport
  // The rebooted device answers (the same central writing again, on a new connection).
  notifications_.clear();
  EXPECT_EQ(WriteInPieces(session, Echo("next", 11), 244, 247).back(), BluezWriteOutcome::kTaken);
  ASSERT_TRUE(Joined());
  EXPECT_EQ(Joined()->payload.value("r", std::string()), "next");
}

TEST_F(BluezGattSessionTest, NoFirmwareRefusesWrites) {
  BluezGattSession session(Collect());
  device_->CutPower();
  EXPECT_EQ(session.OnWrite(*device_, "c", Echo("off", 1), 247), BluezWriteOutcome::kNoFirmware);
  EXPECT_TRUE(notifications_.empty());
  device_->PowerOn();
  WriteInPieces(session, Echo("on", 2), 244, 247);
  ASSERT_TRUE(Joined());
  EXPECT_EQ(Joined()->payload.value("r", std::string()), "on");
}

}  // namespace
}  // namespace bleota::sim
