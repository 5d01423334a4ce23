// The runtime controls of the simulated device in-process: the control line parser, each
// command's effect on a SimDevice, the stories they are for (a power cut at flash operation N in
// the middle of an install, a hanging test image reverted by the watchdog, an app that stops
// advertising recovered through OTA mode, both slots corrupted and the golden image restored),
// and the control socket.
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>

#include <deque>
#include <filesystem>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bleota/host/dfu_image_requests.hpp"
#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/dfu_update.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/keys.hpp"
#include "bleota/host/smp_client.hpp"
#include "bleota/simdev/control_command.hpp"
#include "bleota/simdev/control_executor.hpp"
#include "bleota/simdev/control_socket.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/simdev/state_dir.hpp"

namespace bleota::sim {
namespace {

namespace fs = std::filesystem;
using Bytes = std::vector<uint8_t>;

// ---- The control line parser ----

ControlCommand MustParse(const std::string& line) {
  const ControlParse parsed = ParseControlLine(line);
  EXPECT_TRUE(parsed.command.has_value()) << line << ": " << parsed.error;
  return parsed.command.value_or(ControlCommand{});
}

std::string ParseError(const std::string& line) {
  const ControlParse parsed = ParseControlLine(line);
  EXPECT_FALSE(parsed.command.has_value()) << line;
  EXPECT_FALSE(parsed.error.empty()) << line;
  return parsed.error;
}

TEST(ControlParserTest, EveryCommand) {
  EXPECT_EQ(MustParse("status").verb, ControlVerb::kStatus);
  EXPECT_EQ(MustParse("  status \r").verb, ControlVerb::kStatus);
  const ControlCommand now = MustParse("power-cut");
  EXPECT_EQ(now.verb, ControlVerb::kPowerCut);
  EXPECT_EQ(now.at_flash_op, 0u);
  const ControlCommand armed = MustParse("power-cut --at-flash-op 17");
  EXPECT_EQ(armed.at_flash_op, 17u);
  EXPECT_EQ(armed.cut_mode, CutMode::kBefore);
  for (const CutMode mode : {CutMode::kBefore, CutMode::kAfter, CutMode::kProgramPartial,
                             CutMode::kProgramWordNoise, CutMode::kEraseNoise}) {
    const ControlCommand torn =
        MustParse("power-cut\t--at-flash-op 3 --mode " + CutModeOptionName(mode));
    EXPECT_EQ(torn.cut_mode, mode);
  }
  EXPECT_EQ(CutModeOptionName(CutMode::kProgramWordNoise), "program-word-noise");
  EXPECT_EQ(MustParse("power-on").verb, ControlVerb::kPowerOn);
  EXPECT_EQ(MustParse("reset").verb, ControlVerb::kReset);
  EXPECT_TRUE(MustParse("button hold").button_held);
  EXPECT_FALSE(MustParse("button release").button_held);
  EXPECT_EQ(MustParse("app normal").app_fault, AppFault::kNone);
  EXPECT_EQ(MustParse("app crash").app_fault, AppFault::kCrash);
  EXPECT_EQ(MustParse("app hang").app_fault, AppFault::kHang);
  EXPECT_EQ(MustParse("app no-confirm").app_fault, AppFault::kNoConfirm);
  EXPECT_EQ(MustParse("app no-advertising").app_fault, AppFault::kNoAdvertising);
  EXPECT_EQ(MustParse("corrupt primary").slot, SlotName::kPrimary);
  EXPECT_EQ(MustParse("corrupt secondary").slot, SlotName::kSecondary);
  EXPECT_EQ(MustParse("advance 31").advance_us, 31'000'000u);
  EXPECT_EQ(MustParse("advance 0.5").advance_us, 500'000u);
  EXPECT_EQ(MustParse("advance 1.000001").advance_us, 1'000'001u);
  EXPECT_EQ(MustParse("advance 3600").advance_us, kMaxAdvanceUs);
}

TEST(ControlParserTest, MalformedLinesAreRefusedWithAReason) {
  EXPECT_NE(ParseError("").find("empty"), std::string::npos);
  EXPECT_NE(ParseError("   ").find("empty"), std::string::npos);
  EXPECT_NE(ParseError("reboot").find("unknown command 'reboot'"), std::string::npos);
  ParseError("status now");
  ParseError("power-on 1");
  ParseError("power-cut 5");
  ParseError("power-cut --at-flash-op");
  ParseError("power-cut --at-flash-op 0");
  ParseError("power-cut --at-flash-op -1");
  ParseError("power-cut --at-flash-op 12x");
  ParseError("power-cut --at-flash-op 100000001");
  ParseError("power-cut --at-flash-op 99999999999999999999999");
  ParseError("power-cut --at-flash-op 3 --mode");
  ParseError("power-cut --at-flash-op 3 --mode sideways");
  ParseError("power-cut --at-flash-op 3 --mode before extra");
  ParseError("button");
  ParseError("button press");
  ParseError("app");
  ParseError("app sleepy");
  ParseError("app crash hang");
  ParseError("corrupt golden");
  ParseError("advance");
  ParseError("advance 0");
  ParseError("advance 3600.000001");
  ParseError("advance -1");
  ParseError("advance 1.");
  ParseError("advance .5");
  ParseError("advance 1.0000001");
  ParseError("advance 1e3");
  ParseError("a b c d e f g");
  EXPECT_NE(ParseError(std::string("status\x01")).find("printable"), std::string::npos);
  EXPECT_NE(ParseError("st\xc3\xa4tus").find("printable"), std::string::npos);
  EXPECT_NE(ParseError(std::string("status\0", 7)).find("printable"), std::string::npos);
}

TEST(ControlParserTest, OversizedLines) {
  const std::string longest = "status" + std::string(kMaxControlLineBytes - 6, ' ');
  EXPECT_EQ(MustParse(longest).verb, ControlVerb::kStatus);
  EXPECT_NE(ParseError(longest + " ").find("longer than"), std::string::npos);
  EXPECT_NE(ParseError(std::string(100000, 'x')).find("longer than"), std::string::npos);
  // An unknown word is echoed only in part.
  const std::string unknown = ParseError(std::string(200, 'y'));
  EXPECT_LT(unknown.size(), 150u);
}

// ---- The device ----

Bytes MakeImage(const host::PrivateKey& key, uint8_t major, size_t size) {
  host::ImageBuildOptions options;
  options.header_size = 0x200;
  options.pad_header = true;
  options.align = 4;
  options.version.major = major;
  options.signing_key = &key;
  Bytes payload(size);
  std::mt19937 rng(major);
  for (uint8_t& b : payload) b = static_cast<uint8_t>(rng());
  return host::BuildImage(payload, options);
}

// SMP straight into the device; a reset it accepted runs after the reply, as the device loop
// does. An off or hung device gives no reply (a timeout).
class DeviceLink final : public host::SmpTransport {
 public:
  explicit DeviceLink(SimDevice& device) : device_(device) {}
  std::string name() const override { return "sim device"; }
  size_t max_packet_size() const override { return kSmpBufferSize; }
  void Send(std::span<const uint8_t> packet) override {
    Bytes reply = device_.HandleSmp(packet);
    if (device_.reset_requested()) device_.RunRequestedReset();
    if (!reply.empty()) queue_.push_back(std::move(reply));
  }
  std::optional<Bytes> Receive(std::chrono::milliseconds) override {
    if (queue_.empty()) return std::nullopt;
    Bytes packet = std::move(queue_.front());
    queue_.pop_front();
    return packet;
  }

 private:
  SimDevice& device_;
  std::deque<Bytes> queue_;
};

struct DeviceSetup {
  bool golden = false;
  bool auto_confirm = false;
};

class SimControlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = fs::path(BLEOTA_SIM_TEST_DIR) / (std::string("control_") + info->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    signing_ = host::GenerateKey(host::KeyType::kEcdsaP256);
    host::WriteFileText(dir_ / "sign.pub.pem", host::PublicKeyPem(signing_.public_key), "key");
    v1_ = MakeImage(signing_, 1, 40000);
    v2_ = MakeImage(signing_, 2, 40000);
  }
  void TearDown() override {
    device_.reset();
    fs::remove_all(dir_);
  }

  SimDevice& Start(DeviceSetup setup = {}) {
    KeyFiles keys;
    keys.signing_keys = {dir_ / "sign.pub.pem"};
    DeviceConfig config = Nrf52840DeviceConfig();
    config.app.auto_confirm = setup.auto_confirm;
    FactoryImages images;
    images.primary = v1_;
    if (setup.golden) images.golden = v1_;
    SimDevice::Provision(StateDir(dir_ / "device"), config, KeyOtpRecordFromFiles(keys), images);
    device_ = std::make_unique<SimDevice>(StateDir(dir_ / "device"),
                                          [this](const std::string& line) { log_ += line + "\n"; });
    return *device_;
  }

  // The reply to one control line, which must be "ok ...".
  std::string Ok(const std::string& line) {
    const std::string reply = HandleControlLine(*device_, line);
    EXPECT_EQ(reply.rfind("ok ", 0), 0u) << line << " -> " << reply;
    return reply;
  }
  std::string Refused(const std::string& line) {
    const std::string reply = HandleControlLine(*device_, line);
    EXPECT_EQ(reply.rfind("error ", 0), 0u) << line << " -> " << reply;
    return reply;
  }
  // One status field's value.
  std::string Field(const std::string& key) {
    const std::string status = Ok("status");
    const size_t at = status.find(" " + key + "=");
    if (at == std::string::npos) return "(missing)";
    const size_t begin = at + key.size() + 2;
    return status.substr(begin, status.find(' ', begin) - begin);
  }

  host::SmpClientOptions ClientOptions(unsigned retries = 2) {
    host::SmpClientOptions options;
    options.timeout = std::chrono::milliseconds(2000);  // DeviceLink never waits
    options.retries = retries;
    return options;
  }

  // Uploads `image` and marks it for test (the install runs at the next reset).
  void UploadForTest(const Bytes& image, bool reset = false) {
    DeviceLink link(*device_);
    host::SmpClient client(link, ClientOptions());
    const host::UpdateImageFacts facts = host::InspectUpdateFile(image, false, "image");
    host::UpdateOptions options;
    options.mark = host::UpdateMark::kTest;
    options.reset = reset;
    host::RunUpdate(client, image, facts, options);
  }

  // Whether the device answers an SMP echo.
  bool Answers() {
    DeviceLink link(*device_);
    host::SmpClient client(link, ClientOptions(0));
    try {
      return host::OsEcho(client, "hi") == "hi";
    } catch (const host::HostError&) {
      return false;
    }
  }

  void Confirm() {
    DeviceLink link(*device_);
    host::SmpClient client(link, ClientOptions());
    host::ImageStateWrite(client, {}, true);
  }

  boot::BootReason reason() const { return device_->last_decision().value().reason; }

  fs::path dir_;
  host::PrivateKey signing_;
  Bytes v1_;
  Bytes v2_;
  std::unique_ptr<SimDevice> device_;
  std::string log_;
};

TEST_F(SimControlTest, StatusReportsTheRunningDevice) {
  Start();
  const std::string status = Ok("status");
  EXPECT_EQ(status.rfind("ok mode=application version=1.0.0 confirmed=yes boots=1 time_us=", 0), 0u)
      << status;
  EXPECT_EQ(Field("app"), "normal");
  EXPECT_EQ(Field("advertising"), "yes");
  EXPECT_EQ(Field("button"), "released");
  EXPECT_EQ(Field("power_cut_in"), "none");
  EXPECT_EQ(Field("time_us"), std::to_string(device_->soc().clock().now_us()));
  EXPECT_NE(Refused("launch").find("unknown command"), std::string::npos);
}

TEST_F(SimControlTest, PowerCutAndPowerOn) {
  SimDevice& device = Start();
  Ok("power-cut");
  EXPECT_EQ(device.mode(), DeviceMode::kOff);
  EXPECT_FALSE(device.advertising());
  EXPECT_EQ(Field("mode"), "off");
  EXPECT_FALSE(Answers());
  Refused("power-cut");
  Refused("reset");
  Refused("power-cut --at-flash-op 3");
  Ok("advance 5");  // time passes while off
  EXPECT_EQ(device.mode(), DeviceMode::kOff);
  Ok("power-on");
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
  EXPECT_TRUE(Answers());
  EXPECT_EQ(device.boots(), 2u);
  EXPECT_EQ(device.soc().reset_cause(), boot::ResetCause::kPowerOn);
  Refused("power-on");
  EXPECT_NE(log_.find("power cut: the device is off"), std::string::npos);
  EXPECT_NE(log_.find("power on"), std::string::npos);
}

TEST_F(SimControlTest, ResetAndButton) {
  SimDevice& device = Start();
  Ok("reset");
  EXPECT_EQ(device.boots(), 2u);
  EXPECT_EQ(device.soc().reset_cause(), boot::ResetCause::kPin);
  Ok("button hold");
  EXPECT_EQ(Field("button"), "held");
  Ok("reset");
  EXPECT_EQ(device.mode(), DeviceMode::kBootloaderOta);
  EXPECT_EQ(reason(), boot::BootReason::kButton);
  EXPECT_TRUE(device.advertising());  // the OTA-mode bootloader advertises
  EXPECT_NE(log_.find("stays in bootloader OTA mode: the update button is held"),
            std::string::npos);
  Ok("button release");
  Ok("reset");
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
}

TEST_F(SimControlTest, AdvanceKeepsAHealthyAppRunning) {
  SimDevice& device = Start();
  const uint64_t start = device.soc().clock().now_us();
  Ok("advance 600");
  EXPECT_EQ(device.soc().clock().now_us(), start + 600'000'000u);
  EXPECT_EQ(device.boots(), 1u);  // its main loop kicks the watchdog
  EXPECT_TRUE(device.soc().watchdog().running());
}

TEST_F(SimControlTest, CrashIsAFaultResetAndACrashingBuildLoopsUntilNormal) {
  SimDevice& device = Start();
  EXPECT_NE(Ok("app crash").find("crashed now"), std::string::npos);
  EXPECT_EQ(device.boots(), 2u);
  EXPECT_EQ(device.soc().reset_cause(), boot::ResetCause::kLockup);
  EXPECT_EQ(device.running_app_fault(), AppFault::kCrash);  // the same build runs again
  Ok("advance 5");                                          // crashes 2 s after each start
  EXPECT_EQ(device.boots(), 4u);
  Ok("app normal");
  Ok("advance 60");
  EXPECT_EQ(device.boots(), 4u);
  EXPECT_EQ(Field("app"), "normal");
}

TEST_F(SimControlTest, HangingConfirmedBuildEndsInOtaModeAtItsSecondWatchdogReset) {
  SimDevice& device = Start();
  Ok("app hang");
  EXPECT_FALSE(device.advertising());
  EXPECT_EQ(Field("app"), "hang");
  EXPECT_FALSE(Answers());
  Ok("advance 29");
  EXPECT_EQ(device.boots(), 1u);
  Ok("advance 2");  // 30 s after the last kick
  EXPECT_EQ(device.boots(), 2u);
  EXPECT_EQ(device.soc().reset_cause(), boot::ResetCause::kWatchdog);
  // The first run set the health flag before it hung; the next run hangs from its start.
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
  Ok("advance 31");
  EXPECT_EQ(device.mode(), DeviceMode::kBootloaderOta);
  EXPECT_EQ(reason(), boot::BootReason::kHealthMissing);
  EXPECT_NE(log_.find("watchdog reset: not kicked for 30 s (app: hang)"), std::string::npos);
}

TEST_F(SimControlTest, HangingTestImageIsRevertedAtTheWatchdogReset) {
  SimDevice& device = Start();
  UploadForTest(v2_, /*reset=*/true);
  ASSERT_EQ(device.mode(), DeviceMode::kApplication);
  ASSERT_TRUE(device.last_decision()->testing);
  EXPECT_EQ(Field("version"), "2.0.0");
  EXPECT_EQ(Field("confirmed"), "no");
  EXPECT_NE(Ok("app hang").find("the image in primary 2.0.0, now"), std::string::npos);
  Ok("advance 31");
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
  EXPECT_EQ(reason(), boot::BootReason::kReverted);
  EXPECT_EQ(Field("version"), "1.0.0");
  EXPECT_EQ(Field("confirmed"), "yes");
  EXPECT_EQ(Field("app"), "normal");  // the hanging build was replaced
  EXPECT_NE(log_.find("revert swap: 100%"), std::string::npos);
  EXPECT_NE(log_.find("was replaced; this one behaves normally"), std::string::npos);
}

TEST_F(SimControlTest, NoAdvertisingLandsInOtaModeAtTheNextWatchdogReset) {
  SimDevice& device = Start();
  Ok("app no-advertising");
  EXPECT_FALSE(device.advertising());
  EXPECT_EQ(Field("advertising"), "no");
  // It still answers SMP over UDP and serial, but no longer kicks the watchdog.
  EXPECT_TRUE(Answers());
  Ok("advance 31");
  EXPECT_EQ(device.mode(), DeviceMode::kBootloaderOta);
  EXPECT_EQ(reason(), boot::BootReason::kHealthMissing);
  EXPECT_TRUE(device.advertising());
  EXPECT_NE(log_.find("did not set \"trigger path healthy\" before the watchdog reset"),
            std::string::npos);
  // The bad build is still in primary: a reset from OTA mode runs it again, and it misbehaves.
  Ok("reset");
  EXPECT_EQ(device.running_app_fault(), AppFault::kNoAdvertising);
  Ok("advance 31");
  EXPECT_EQ(device.mode(), DeviceMode::kBootloaderOta);
  // An update in OTA mode replaces it.
  UploadForTest(v2_, /*reset=*/true);
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
  EXPECT_EQ(Field("version"), "2.0.0");
  EXPECT_EQ(Field("app"), "normal");
  EXPECT_TRUE(device.advertising());
}

TEST_F(SimControlTest, NoConfirmGivenForThePendingImageIsReverted) {
  SimDevice& device = Start({.auto_confirm = true});
  UploadForTest(v2_);
  EXPECT_NE(Ok("app no-confirm").find("the pending image 2.0.0, from its next start"),
            std::string::npos);
  Ok("reset");
  EXPECT_EQ(reason(), boot::BootReason::kInstalled);
  EXPECT_EQ(Field("version"), "2.0.0");
  EXPECT_EQ(Field("confirmed"), "no");
  EXPECT_EQ(Field("app"), "no-confirm");
  Ok("reset");
  EXPECT_EQ(reason(), boot::BootReason::kReverted);
  EXPECT_EQ(Field("version"), "1.0.0");
  EXPECT_EQ(Field("app"), "normal");
  // Without the fault the same image confirms itself.
  UploadForTest(v2_);
  Ok("reset");
  EXPECT_EQ(Field("version"), "2.0.0");
  EXPECT_EQ(Field("confirmed"), "yes");
  EXPECT_EQ(device.boots(), 4u);
}

TEST_F(SimControlTest, CorruptPrimaryWithoutAnythingElseLeavesOtaMode) {
  SimDevice& device = Start();
  EXPECT_NE(Ok("corrupt primary").find("primary slot's image 1.0.0"), std::string::npos);
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);  // noticed at the next boot
  Ok("reset");
  EXPECT_EQ(device.mode(), DeviceMode::kBootloaderOta);
  EXPECT_EQ(reason(), boot::BootReason::kNoValidImage);
  // The corruption is in the state directory: a new process sees it too.
  device_.reset();
  device_ = std::make_unique<SimDevice>(StateDir(dir_ / "device"), nullptr);
  EXPECT_EQ(device_->mode(), DeviceMode::kBootloaderOta);
}

TEST_F(SimControlTest, CorruptBothSlotsRestoresTheGoldenImage) {
  SimDevice& device = Start({.golden = true});
  UploadForTest(v2_, /*reset=*/true);
  Confirm();
  ASSERT_EQ(Field("version"), "2.0.0");
  ASSERT_EQ(Field("confirmed"), "yes");
  Ok("corrupt primary");
  // After the install, secondary holds 1.0.0 one sector in.
  EXPECT_NE(Ok("corrupt secondary").find("secondary slot's image 1.0.0"), std::string::npos);
  Ok("reset");
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
  EXPECT_EQ(reason(), boot::BootReason::kGoldenRestored);
  EXPECT_EQ(Field("version"), "1.0.0");
  EXPECT_NE(log_.find("golden restore: 100%"), std::string::npos);
}

TEST_F(SimControlTest, CorruptPrimaryAloneRecoversFromSecondary) {
  SimDevice& device = Start();
  UploadForTest(v2_, /*reset=*/true);
  Confirm();
  Ok("corrupt primary");
  Ok("reset");
  EXPECT_EQ(device.mode(), DeviceMode::kApplication);
  EXPECT_EQ(reason(), boot::BootReason::kRecoveredFromSecondary);
  EXPECT_EQ(Field("version"), "1.0.0");
}

// The install swap cut at flash operation N (N spread over the whole swap): the device is off
// after it, and the power-on resumes the swap from its journal.
TEST_F(SimControlTest, PowerCutAtFlashOpNInTheMiddleOfAnInstallThenPowerOnRecovers) {
  // The install of a 40 KiB image swaps 10 sectors: 20 steps of an erase, 4 programs and a
  // journal record, about 120 flash operations.
  for (const uint64_t n : {1u, 2u, 9u, 23u, 64u, 110u}) {
    SCOPED_TRACE(n);
    device_.reset();
    fs::remove_all(dir_ / "device");
    log_.clear();
    Start();
    UploadForTest(v2_);
    EXPECT_EQ(Field("version"), "1.0.0");
    Ok("power-cut --at-flash-op " + std::to_string(n));
    EXPECT_EQ(Field("power_cut_in"), std::to_string(n));
    Ok("reset");  // the bootloader installs 2.0.0 and runs into the cut
    EXPECT_EQ(device_->mode(), DeviceMode::kOff);
    EXPECT_EQ(Field("power_cut_in"), "none");
    EXPECT_NE(log_.find("at the armed flash operation"), std::string::npos) << log_;
    Ok("power-on");
    EXPECT_EQ(device_->mode(), DeviceMode::kApplication);
    EXPECT_EQ(Field("version"), "2.0.0");
    EXPECT_EQ(Field("confirmed"), "no");
    EXPECT_NE(log_.find("install swap (test): 100%"), std::string::npos) << log_;
  }
}

TEST_F(SimControlTest, TornProgramCutDuringAnUploadResumesAfterPowerOn) {
  SimDevice& device = Start();
  Ok("power-cut --at-flash-op 12 --mode program-partial");
  EXPECT_THROW(UploadForTest(v2_), host::HostError);  // the device went off: no answer
  EXPECT_EQ(device.mode(), DeviceMode::kOff);
  Ok("power-on");
  EXPECT_EQ(Field("version"), "1.0.0");  // the running image is intact
  UploadForTest(v2_, /*reset=*/true);
  EXPECT_EQ(Field("version"), "2.0.0");
  EXPECT_NE(log_.find("resuming the upload"), std::string::npos) << log_;
}

// ---- The control socket ----

class ControlSocketTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    // Deep enough that the socket path does not fit sun_path (108 bytes).
    dir_ = fs::path(BLEOTA_SIM_TEST_DIR) / ("socket_" + std::string(info->name())) /
           std::string(80, 'd');
    fs::remove_all(dir_.parent_path());
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_.parent_path()); }

  // Serves `server` until `done`.
  static void Serve(ControlServer& server, const std::atomic<bool>& done) {
    const ControlServer::LineHandler echo = [](std::string_view line) {
      return "ok got " + std::string(line);
    };
    while (!done) {
      std::vector<pollfd> fds;
      for (const int fd : server.fds()) fds.push_back({fd, POLLIN, 0});
      if (poll(fds.data(), fds.size(), 10) <= 0) continue;
      for (const pollfd& p : fds) {
        if (p.revents != 0) server.OnReadable(p.fd, echo);
      }
    }
  }

  fs::path dir_;
};

TEST_F(ControlSocketTest, OneLineOneReplyOverALongPath) {
  ASSERT_GT(ControlSocketPath(dir_).string().size(), sizeof(sockaddr_un::sun_path));
  ControlServer server(ControlSocketPath(dir_));
  std::atomic<bool> done = false;
  std::thread serving([&] { Serve(server, done); });
  EXPECT_EQ(SendControlLine(dir_, "status", 5000), "ok got status");
  EXPECT_EQ(SendControlLine(dir_, "advance 1", 5000), "ok got advance 1");
  done = true;
  serving.join();
}

TEST_F(ControlSocketTest, AnOversizedLineIsAnsweredWithAnErrorAndTheConnectionClosed) {
  ControlServer server(ControlSocketPath(dir_));
  std::atomic<bool> done = false;
  std::thread serving([&] { Serve(server, done); });
  const UnixSocketAddress address(ControlSocketPath(dir_));
  const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
  ASSERT_EQ(connect(fd, address.get(), address.size()), 0);
  const std::string flood(kMaxControlLineBytes * 4, 'x');
  ASSERT_EQ(send(fd, flood.data(), flood.size(), MSG_NOSIGNAL), static_cast<ssize_t>(flood.size()));
  std::string reply;
  char buffer[256];
  for (ssize_t got; (got = recv(fd, buffer, sizeof(buffer), 0)) > 0;) reply.append(buffer, got);
  close(fd);  // recv returned 0: the device closed the connection
  EXPECT_EQ(reply, "error the line is longer than 256 bytes\n");
  done = true;
  serving.join();
  EXPECT_EQ(server.connections(), 0u);
}

TEST_F(ControlSocketTest, StaleSocketIsReplacedAndALiveOneRefused) {
  {
    // A device killed with SIGKILL leaves its socket file behind.
    const UnixSocketAddress address(ControlSocketPath(dir_));
    const int fd = socket(AF_UNIX, SOCK_STREAM, 0);
    ASSERT_EQ(bind(fd, address.get(), address.size()), 0);
    close(fd);
  }
  ASSERT_TRUE(fs::is_socket(ControlSocketPath(dir_)));
  try {
    SendControlLine(dir_, "status", 1000);
    ADD_FAILURE() << "a stale socket answered";
  } catch (const host::HostError& e) {
    EXPECT_EQ(e.code(), host::ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("no device runs in"), std::string::npos);
  }
  ControlServer server(ControlSocketPath(dir_));
  try {
    ControlServer second(ControlSocketPath(dir_));
    ADD_FAILURE() << "a second device took the same state directory";
  } catch (const host::HostError& e) {
    EXPECT_EQ(e.code(), host::ExitCode::kIo);
    EXPECT_NE(std::string(e.what()).find("a device already runs in"), std::string::npos);
  }
}

TEST_F(ControlSocketTest, NoDeviceIsAClearTransportError) {
  try {
    SendControlLine(dir_, "status", 1000);
    ADD_FAILURE() << "no error";
  } catch (const host::HostError& e) {
    EXPECT_EQ(e.code(), host::ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("no device runs in"), std::string::npos);
  }
  {
    ControlServer server(ControlSocketPath(dir_));
    EXPECT_TRUE(fs::is_socket(ControlSocketPath(dir_)));
  }
  EXPECT_FALSE(fs::exists(ControlSocketPath(dir_)));  // removed when the device stops
}

}  // namespace
}  // namespace bleota::sim
