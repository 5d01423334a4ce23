// `bleota dfu --transport ble-sim` end to end (issue 5): `bleota sim run --ble-sim PATH` runs the
// simulated device as a separate process with the BLE link model in its virtual time, and the
// `bleota dfu` client is the central over the ble-sim socket (docs/spec/ble-sim.md). Updates with
// v1 and v2 clients, a resumed upload after the client and the device stopped, a tampered image,
// and the errors a user meets first (unknown profile, no device).
#include <gtest/gtest.h>
#include <signal.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "child_process.hpp"
#include "image_list_checks.hpp"
#include "nlohmann/json.hpp"

namespace bleota::integration {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;

const fs::path kWorkDir = BLEOTA_INTEGRATION_WORK_DIR;
const std::string kBleota = BLEOTA_CLI;
const std::string kSlotSize = "0x4C000";  // the simulated nRF52840's slots

void WriteBytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

void MustRun(const std::vector<std::string>& args, const fs::path& dir, const std::string& name) {
  const CommandResult result = RunCommand(args, dir, name);
  if (result.exit_code != 0) {
    std::fprintf(stderr, "%s failed (%d): %s\n", name.c_str(), result.exit_code,
                 result.err.c_str());
    std::abort();
  }
}

std::string HashOf(const fs::path& image, const fs::path& dir) {
  const CommandResult info = RunCommand({kBleota, "image", "info", "--json", image}, dir, "info");
  return json::parse(info.out).at("sha256").get<std::string>();
}

class BleSimIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = kWorkDir / ("ble-" + std::string(info->name()));
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    socket_ = (dir_ / "ble.sock").string();
    MustRun({kBleota, "image", "keygen", "-k", dir_ / "sign.pem", "-t", "ecdsa-p256"}, dir_,
            "keygen");
    MustRun({kBleota, "image", "getpub", "-k", dir_ / "sign.pem", "-e", "pem", "-o",
             dir_ / "sign.pub.pem"},
            dir_, "getpub");
    MustRun({kBleota, "image", "keygen", "-k", dir_ / "enc.pem", "-t", "ecdsa-p256"}, dir_,
            "keygen-enc");
    v1_ = Sign("v1", "1.0.0", 30000, false);
    v2_ = Sign("v2", "2.0.0", 120000, true);
    v1_hash_ = HashOf(v1_, dir_);
    v2_hash_ = HashOf(v2_, dir_);
  }

  void TearDown() override { StopDevice(); }

  fs::path Sign(const std::string& name, const std::string& version, size_t size, bool encrypted) {
    std::mt19937 random(static_cast<uint32_t>(size));
    std::vector<uint8_t> payload(size);
    for (uint8_t& b : payload) b = static_cast<uint8_t>(random());
    WriteBytes(dir_ / (name + ".bin"), payload);
    std::vector<std::string> args = {kBleota,   "image", "sign",         "-k",   dir_ / "sign.pem",
                                     "-H",      "0x200", "--pad-header", "-S",   kSlotSize,
                                     "--align", "4",     "-v",           version};
    if (encrypted) args.insert(args.end(), {"-E", dir_ / "enc.pem"});
    args.insert(args.end(), {dir_ / (name + ".bin"), dir_ / (name + ".img")});
    MustRun(args, dir_, "sign-" + name);
    return dir_ / (name + ".img");
  }

  // `bleota sim run` with --ble-sim on the test's device (provisioned with v1 at the first start).
  void StartDevice(bool realtime = false) {
    ASSERT_FALSE(device_ && device_->running());
    std::vector<std::string> args = {kBleota,         "sim",       "run",  "--state-dir",
                                     dir_ / "device", "--ble-sim", socket_};
    if (realtime) args.push_back("--ble-realtime");
    if (!fs::exists(dir_ / "device")) {
      args.insert(args.end(), {"--provision-image", v1_, "--sign-key-pub", dir_ / "sign.pub.pem",
                               "--enc-key", dir_ / "enc.pem"});
    }
    ++starts_;
    log_ = dir_ / ("device-" + std::to_string(starts_) + ".log");
    device_.emplace(args, log_, dir_ / ("device-" + std::to_string(starts_) + ".err"));
    ASSERT_TRUE(
        WaitUntil([&] { return Log().find("listening: ble-sim " + socket_) != std::string::npos; },
                  seconds(10)))
        << "the device did not start: " << Log() << ReadText(dir_ / "device-1.err");
  }

  void StopDevice() {
    if (device_ && device_->running()) {
      device_->Signal(SIGTERM);
      EXPECT_EQ(device_->Wait(seconds(10)), 0) << "the device did not stop cleanly";
    }
  }

  std::string Log() const { return ReadText(log_); }

  std::vector<std::string> DfuArgs(const std::vector<std::string>& command, int version = 2,
                                   const std::string& profile = "") {
    std::vector<std::string> args = {kBleota,
                                     "dfu",
                                     "--json",
                                     "--timeout",
                                     "5000",
                                     "--smp-version",
                                     std::to_string(version),
                                     "--transport",
                                     "ble-sim",
                                     "--device",
                                     socket_};
    if (!profile.empty()) args.insert(args.end(), {"--ble-profile", profile});
    args.insert(args.end(), command.begin(), command.end());
    return args;
  }

  struct DfuResult {
    int exit_code = -1;
    json out;
    std::string err;
  };
  DfuResult Dfu(const std::vector<std::string>& command, int version = 2,
                const std::string& profile = "") {
    const CommandResult run =
        RunCommand(DfuArgs(command, version, profile), dir_, "dfu-" + std::to_string(++calls_));
    return DfuResult{run.exit_code, json::parse(run.out, nullptr, false), run.err};
  }
  json DfuOk(const std::vector<std::string>& command, int version = 2,
             const std::string& profile = "") {
    DfuResult result = Dfu(command, version, profile);
    EXPECT_EQ(result.exit_code, 0) << "bleota dfu failed: " << result.err;
    EXPECT_FALSE(result.out.is_discarded()) << "not JSON";
    return result.out;
  }

  fs::path dir_;
  std::string socket_;
  fs::path v1_, v2_;
  std::string v1_hash_, v2_hash_;
  std::optional<ChildProcess> device_;
  fs::path log_;
  int starts_ = 0;
  int calls_ = 0;
};

// A v2 client over the default profile: upload an encrypted image, test, reset (the device
// ends the connection; the bootloader installs), confirm.
TEST_F(BleSimIntegrationTest, UpdateTestResetConfirmV2) {
  StartDevice();
  EXPECT_EQ(DfuOk({"echo", "over ble"}).at("response"), "over ble");
  EXPECT_EQ(DfuOk({"params"}).at("buf_size"), 4096);
  const json upload = DfuOk({"image", "upload", v2_, "--test", "--reset"});
  EXPECT_TRUE(upload.at("upload").at("match").get<bool>());
  EXPECT_EQ(upload.at("upload").at("bytes_sent"), fs::file_size(v2_));
  EXPECT_EQ(upload.at("upload").at("timeouts"), 0) << upload.dump();
  const json& link = upload.at("link");
  EXPECT_EQ(link.at("transport"), "ble-sim");
  EXPECT_EQ(link.at("profile"), "2m-dle");
  EXPECT_EQ(link.at("att_mtu"), 247);
  EXPECT_EQ(link.at("image_bytes"), fs::file_size(v2_));
  // Flash (erase ahead + program, nRF52840 timing) bounds the upload, not the 163 kB/s link.
  const double goodput = link.at("goodput_kBps").get<double>();
  EXPECT_GT(goodput, 5.0) << link.dump();
  EXPECT_LT(goodput, 163.0) << link.dump();
  EXPECT_GT(link.at("virtual_seconds").get<double>(), 0.5) << link.dump();
  EXPECT_TRUE(upload.at("reset").get<bool>());
  EXPECT_TRUE(WaitUntil(
      [&] {
        return Log().find("installed -> application 2.0.0 in test mode") != std::string::npos;
      },
      seconds(10)))
      << Log();
  // The client left after the reset's reply; the device reset before the connection ended.
  EXPECT_TRUE(WaitUntil(
      [&] {
        return Log().find("ble-sim: central disconnected (device_reset)") != std::string::npos;
      },
      seconds(10)))
      << Log();
  ExpectRunning(DfuOk({"image", "list"}), "2.0.0", v2_hash_, false);
  DfuOk({"image", "confirm"});
  ExpectRunning(DfuOk({"image", "list"}), "2.0.0", v2_hash_, true);

  // Without --json: the usual summary and the link's line.
  const CommandResult text = RunCommand(
      {kBleota, "dfu", "--transport", "ble-sim", "--device", socket_, "image", "upload", v1_}, dir_,
      "text-upload");
  EXPECT_EQ(text.exit_code, 0) << text.err;
  EXPECT_NE(text.out.find("to ble-sim " + socket_ + " (2m-dle, ATT MTU 247)"), std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("link: ble-sim 2m-dle (2M PHY, LL payload 251, ATT MTU 247, CI 15.00 "
                          "ms): "),
            std::string::npos)
      << text.out;
  EXPECT_NE(text.out.find("kB/s ("), std::string::npos) << text.out;
}

// A v1 client (mcumgr-web, the mcumgr CLI) over a phone profile, and --device alone picks ble-sim
// for a socket.
TEST_F(BleSimIntegrationTest, PermanentUpdateV1OverIphoneProfile) {
  StartDevice();
  const json upload = DfuOk({"image", "upload", v2_, "--confirm", "--reset"}, 1, "iphone");
  EXPECT_TRUE(upload.at("upload").at("match").get<bool>());
  EXPECT_EQ(upload.at("link").at("profile"), "iphone");
  EXPECT_TRUE(WaitUntil(
      [&] { return Log().find("installed -> application 2.0.0 (confirmed)") != std::string::npos; },
      seconds(10)))
      << Log();
  const CommandResult list = RunCommand(
      {kBleota, "dfu", "--json", "--smp-version", "1", "--device", socket_, "image", "list"}, dir_,
      "implicit-list");
  ASSERT_EQ(list.exit_code, 0) << list.err;
  ExpectRunning(json::parse(list.out), "2.0.0", v2_hash_, true);
}

// The client is killed in the middle of an upload (the device paces the link to wall time, so
// there is a middle), then the device stops; restarted, it resumes the upload from what it had
// made durable and the client sends only the rest.
TEST_F(BleSimIntegrationTest, InterruptedUploadResumes) {
  const fs::path big = Sign("big", "4.0.0", 280000, true);
  const std::string big_hash = HashOf(big, dir_);
  const size_t big_size = fs::file_size(big);
  StartDevice(/*realtime=*/true);
  {
    ChildProcess client(DfuArgs({"image", "upload", big}), dir_ / "client-1.out",
                        dir_ / "client-1.err");
    ASSERT_TRUE(WaitUntil([&] { return Log().find("upload: 65536 of ") != std::string::npos; },
                          seconds(20)))
        << Log();
    client.Signal(SIGKILL);
    client.Wait(seconds(5));
  }
  EXPECT_TRUE(WaitUntil(
      [&] { return Log().find("ble-sim: central disconnected (client)") != std::string::npos; },
      seconds(10)))
      << Log();
  StopDevice();
  StartDevice();  // not paced: the rest goes at simulation speed
  const std::string resume_line = "resuming the upload recorded before the reset at offset ";
  const std::string log = Log();
  const size_t at = log.find(resume_line);
  ASSERT_NE(at, std::string::npos) << log;
  const size_t resumed = std::stoul(log.substr(at + resume_line.size()));
  EXPECT_GE(resumed, 65536u - 4096u);
  const json upload = DfuOk({"image", "upload", big, "--test", "--reset"});
  const json& stats = upload.at("upload");
  EXPECT_TRUE(stats.at("match").get<bool>());
  EXPECT_GE(stats.at("resumes").get<int>(), 1) << stats.dump();
  const size_t first_window =
      stats.at("window").get<size_t>() * stats.at("max_chunk").get<size_t>();
  EXPECT_LE(stats.at("bytes_sent").get<size_t>(), big_size - resumed + first_window)
      << stats.dump();
  EXPECT_LT(upload.at("link").at("image_bytes").get<size_t>(), big_size) << upload.dump();
  EXPECT_TRUE(WaitUntil(
      [&] {
        return Log().find("installed -> application 4.0.0 in test mode") != std::string::npos;
      },
      seconds(10)))
      << Log();
  ExpectRunning(DfuOk({"image", "list"}), "4.0.0", big_hash, false);
}

TEST_F(BleSimIntegrationTest, TamperedImageIsRefusedAndThePrimaryStays) {
  const fs::path v3 = Sign("v3", "3.0.0", 50000, false);
  std::string bytes = ReadText(v3);
  bytes[0x200 + 1000] ^= 0x01;  // a payload byte: the SHA256 TLV no longer matches
  const fs::path tampered = dir_ / "tampered.img";
  WriteBytes(tampered, std::vector<uint8_t>(bytes.begin(), bytes.end()));
  StartDevice();
  const DfuResult result = Dfu({"image", "upload", tampered});
  EXPECT_EQ(result.exit_code, 7) << result.err;
  const json& error = result.out.at("error").at("device_error");
  EXPECT_EQ(error.at("group"), 1);
  EXPECT_EQ(error.at("rc"), 24) << error.dump();
  EXPECT_EQ(error.at("name"), "invalid_hash");
  DfuOk({"reset"});
  ExpectRunning(DfuOk({"image", "list"}), "1.0.0", v1_hash_, true);
  EXPECT_EQ(Log().find("installed"), std::string::npos) << Log();
}

TEST_F(BleSimIntegrationTest, ClearErrorsForAnUnknownProfileAndNoDevice) {
  // Nothing runs yet.
  DfuResult none = Dfu({"echo", "x"});
  EXPECT_EQ(none.exit_code, 8);
  EXPECT_NE(none.err.find("no socket at " + socket_ +
                          ": start the simulated device with --ble-sim " + socket_),
            std::string::npos)
      << none.err;
  StartDevice();
  const DfuResult unknown = Dfu({"echo", "x"}, 2, "android-slow");
  EXPECT_EQ(unknown.exit_code, 2) << unknown.err;
  EXPECT_NE(unknown.err.find("unknown BLE profile 'android-slow'; known profiles: 2m-dle, "),
            std::string::npos)
      << unknown.err;
  EXPECT_NE(unknown.out.at("error").at("message").get<std::string>().find("iphone"),
            std::string::npos);
  // Options that belong to other transports.
  const CommandResult baud = RunCommand({kBleota, "dfu", "--transport", "ble-sim", "--device",
                                         socket_, "--baud", "9600", "echo", "x"},
                                        dir_, "baud");
  EXPECT_EQ(baud.exit_code, 2);
  EXPECT_NE(baud.err.find("--baud is for --transport serial"), std::string::npos) << baud.err;
  const CommandResult profile =
      RunCommand({kBleota, "dfu", "--transport", "udp", "--ble-profile", "iphone", "echo", "x"},
                 dir_, "profile-udp");
  EXPECT_EQ(profile.exit_code, 2);
  EXPECT_NE(profile.err.find("--ble-profile is for --transport ble-sim"), std::string::npos)
      << profile.err;
  // The device still serves.
  EXPECT_EQ(DfuOk({"echo", "still"}).at("response"), "still");
}

// A reset from the device's controls in the middle of an upload ends the BLE connection; the
// same client connects again and the upload continues from the device's offset.
TEST_F(BleSimIntegrationTest, DeviceResetMidUploadReconnectsAndResumes) {
  StartDevice(/*realtime=*/true);
  ChildProcess client(DfuArgs({"image", "upload", v2_, "--test"}), dir_ / "client.out",
                      dir_ / "client.err");
  ASSERT_TRUE(
      WaitUntil([&] { return Log().find("upload: 65536 of ") != std::string::npos; }, seconds(20)))
      << Log();
  const CommandResult reset =
      RunCommand({kBleota, "sim", "ctl", "--state-dir", dir_ / "device", "reset"}, dir_, "ctl");
  EXPECT_EQ(reset.exit_code, 0) << reset.err;
  EXPECT_EQ(client.Wait(seconds(40)), 0) << ReadText(dir_ / "client.err") << Log();
  const json upload = json::parse(ReadText(dir_ / "client.out"), nullptr, false);
  ASSERT_FALSE(upload.is_discarded()) << ReadText(dir_ / "client.out");
  EXPECT_TRUE(upload.at("upload").at("match").get<bool>()) << upload.dump();
  EXPECT_GE(upload.at("upload").at("timeouts").get<int>(), 1) << upload.dump();
  EXPECT_EQ(upload.at("link").at("connections"), 2) << upload.dump();
  EXPECT_LT(upload.at("upload").at("bytes_sent").get<size_t>(), 2 * fs::file_size(v2_))
      << upload.dump();
  EXPECT_NE(Log().find("ble-sim: central disconnected (device_reset)"), std::string::npos) << Log();
  EXPECT_EQ(upload.at("marked"), "test");
}

// A device that does not advertise (its app stopped, or it is off) refuses the connection.
TEST_F(BleSimIntegrationTest, DeviceThatDoesNotAdvertiseIsAClearError) {
  StartDevice();
  const auto ctl = [&](const std::vector<std::string>& command) {
    std::vector<std::string> args = {kBleota, "sim", "ctl", "--state-dir", dir_ / "device"};
    args.insert(args.end(), command.begin(), command.end());
    const CommandResult result = RunCommand(args, dir_, "ctl-" + command[0]);
    EXPECT_EQ(result.exit_code, 0) << result.err;
  };
  ctl({"app", "no-advertising"});
  DfuResult refused = Dfu({"echo", "x"});
  EXPECT_EQ(refused.exit_code, 8);
  EXPECT_NE(refused.err.find("is not advertising"), std::string::npos) << refused.err;
  ctl({"power-cut"});
  refused = Dfu({"echo", "x"});
  EXPECT_EQ(refused.exit_code, 8);
  EXPECT_NE(refused.err.find("is not advertising"), std::string::npos) << refused.err;
  ctl({"power-on"});
  ctl({"app", "normal"});
  EXPECT_EQ(DfuOk({"echo", "advertising again"}).at("response"), "advertising again");
}

}  // namespace
}  // namespace bleota::integration
