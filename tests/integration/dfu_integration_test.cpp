// End-to-end DFU (issue 5): the `bleota` CLI makes keys and signed/encrypted images,
// `bleota-sim-device` runs the real bootloader and DFU server as a separate process, and
// `bleota dfu` updates it over UDP and over a serial pty with v1 and v2 SMP headers.
// Interrupted clients, power cuts at a chosen flash operation (`bleota sim ctl`), and refused
// images are checked from the client's JSON, the device's image list and the device's boot log;
// `bleota sim ctl` is also tested against a running `bleota sim run`.
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
const std::string kSimDevice = BLEOTA_SIM_DEVICE;
// Slot size of the simulated nRF52840 (sim/src/device_config.cpp).
const std::string kSlotSize = "0x4C000";

void WriteBytes(const fs::path& path, const std::vector<uint8_t>& bytes) {
  std::ofstream out(path, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

std::vector<uint8_t> ReadBytes(const fs::path& path) {
  const std::string text = ReadText(path);
  return std::vector<uint8_t>(text.begin(), text.end());
}

std::vector<uint8_t> Payload(size_t size, uint32_t seed) {
  std::mt19937 random(seed);
  std::vector<uint8_t> bytes(size);
  for (uint8_t& b : bytes) b = static_cast<uint8_t>(random());
  return bytes;
}

// The keys and images every test uses, made once with the `bleota image` CLI.
struct Assets {
  fs::path dir;
  fs::path sign_key, sign_pub, enc_key, stranger_key;
  fs::path v1;                  // 1.0.0, plain: the factory image
  fs::path v2;                  // 2.0.0, encrypted
  fs::path v3;                  // 3.0.0, plain
  fs::path big;                 // 4.0.0, encrypted, close to the slot size (for interruptions)
  fs::path unknown_key;         // 5.0.0 signed with a key the device does not hold
  fs::path tampered;            // v3 with one payload byte changed after signing
  fs::path tampered_encrypted;  // v2 with one (encrypted) payload byte changed after signing
  std::string v1_hash, v2_hash, v3_hash, big_hash;
  size_t big_size = 0;
};

void MustRun(const std::vector<std::string>& args, const fs::path& dir, const std::string& name) {
  const CommandResult result = RunCommand(args, dir, name);
  if (result.exit_code != 0) {
    std::fprintf(stderr, "%s failed (%d): %s\n", name.c_str(), result.exit_code,
                 result.err.c_str());
    std::abort();
  }
}

std::string ImageHashOf(const fs::path& image, const fs::path& dir) {
  const CommandResult info = RunCommand({kBleota, "image", "info", "--json", image}, dir, "info");
  return json::parse(info.out).at("sha256").get<std::string>();
}

fs::path SignImage(const Assets& a, const std::string& name, const std::string& version,
                   size_t payload_size, uint32_t seed, bool encrypted, const fs::path& key) {
  const fs::path payload = a.dir / (name + ".bin");
  const fs::path image = a.dir / (name + ".img");
  WriteBytes(payload, Payload(payload_size, seed));
  std::vector<std::string> args = {kBleota,   "image", "sign",         "-k",   key,
                                   "-H",      "0x200", "--pad-header", "-S",   kSlotSize,
                                   "--align", "4",     "-v",           version};
  if (encrypted) {
    args.push_back("-E");
    args.push_back(a.enc_key);
  }
  args.push_back(payload);
  args.push_back(image);
  MustRun(args, a.dir, "sign-" + name);
  return image;
}

// Each test process makes its own (CTest runs the tests as parallel processes).
Assets MakeAssets(const fs::path& dir) {
  Assets a;
  a.dir = dir;
  fs::remove_all(a.dir);
  fs::create_directories(a.dir);
  a.sign_key = a.dir / "sign.pem";
  a.sign_pub = a.dir / "sign.pub.pem";
  a.enc_key = a.dir / "enc.pem";
  a.stranger_key = a.dir / "stranger.pem";
  MustRun({kBleota, "image", "keygen", "-k", a.sign_key, "-t", "ecdsa-p256"}, a.dir, "keygen");
  MustRun({kBleota, "image", "getpub", "-k", a.sign_key, "-e", "pem", "-o", a.sign_pub}, a.dir,
          "getpub");
  MustRun({kBleota, "image", "keygen", "-k", a.enc_key, "-t", "ecdsa-p256"}, a.dir, "keygen-enc");
  MustRun({kBleota, "image", "keygen", "-k", a.stranger_key, "-t", "ecdsa-p256"}, a.dir,
          "keygen-stranger");
  a.v1 = SignImage(a, "v1", "1.0.0", 40000, 1, false, a.sign_key);
  a.v2 = SignImage(a, "v2", "2.0.0", 150000, 2, true, a.sign_key);
  a.v3 = SignImage(a, "v3", "3.0.0", 60000, 3, false, a.sign_key);
  a.big = SignImage(a, "big", "4.0.0", 290000, 4, true, a.sign_key);
  a.unknown_key = SignImage(a, "unknown-key", "5.0.0", 60000, 5, false, a.stranger_key);
  std::vector<uint8_t> tampered = ReadBytes(a.v3);
  tampered[0x200 + 1000] ^= 0x01;  // a payload byte: the SHA256 TLV no longer matches
  a.tampered = a.dir / "tampered.img";
  WriteBytes(a.tampered, tampered);
  std::vector<uint8_t> tampered_encrypted = ReadBytes(a.v2);
  tampered_encrypted[0x200 + 5000] ^= 0x80;
  a.tampered_encrypted = a.dir / "tampered-encrypted.img";
  WriteBytes(a.tampered_encrypted, tampered_encrypted);
  a.v1_hash = ImageHashOf(a.v1, a.dir);
  a.v2_hash = ImageHashOf(a.v2, a.dir);
  a.v3_hash = ImageHashOf(a.v3, a.dir);
  a.big_hash = ImageHashOf(a.big, a.dir);
  a.big_size = fs::file_size(a.big);
  return a;
}

enum class Link { kUdp, kSerial };

// Bytes a pipelined upload may send from offset 0 before the device's first reply tells it
// where to resume: one window of chunks.
size_t FirstWindow(const json& upload_stats) {
  return upload_stats.at("window").get<size_t>() * upload_stats.at("max_chunk").get<size_t>();
}

class DfuIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = kWorkDir / info->name();
    fs::remove_all(dir_);
    fs::create_directories(dir_);
    state_dir_ = dir_ / "device";
    assets_ = MakeAssets(dir_ / "assets");
  }

  const Assets& assets() const { return assets_; }

  // Starts bleota-sim-device (or the same program as `bleota sim run`) on the test's state
  // directory (provisioned with `factory`, v1 by default, on the first start) and waits until it
  // listens.
  void StartDevice(std::optional<fs::path> factory = std::nullopt, bool bleota_sim_run = false) {
    ASSERT_FALSE(device_ && device_->running());
    fs::remove(dir_ / "port");
    fs::remove(dir_ / "pty");
    std::vector<std::string> args = {kSimDevice};
    if (bleota_sim_run) args = {kBleota, "sim", "run"};
    args.insert(args.end(), {"--state-dir", state_dir_, "--udp", "127.0.0.1:0", "--port-file",
                             dir_ / "port", "--serial-pty", "--pty-file", dir_ / "pty"});
    if (!fs::exists(state_dir_)) {
      args.insert(args.end(), {"--provision-image", factory.value_or(assets().v1), "--sign-key-pub",
                               assets().sign_pub, "--enc-key", assets().enc_key});
    }
    ++device_starts_;
    device_log_ = dir_ / ("device-" + std::to_string(device_starts_) + ".log");
    device_.emplace(args, device_log_,
                    dir_ / ("device-" + std::to_string(device_starts_) + ".err"));
    ASSERT_TRUE(WaitUntil(
        [&] { return DeviceLog().find("listening: serial") != std::string::npos; }, seconds(10)))
        << "the device did not start: " << ReadText(dir_ / "device-1.err");
    port_ = ReadText(dir_ / "port");
    pty_ = ReadText(dir_ / "pty");
    while (!port_.empty() && port_.back() == '\n') port_.pop_back();
    while (!pty_.empty() && pty_.back() == '\n') pty_.pop_back();
  }

  // A power cut: the process dies at once, the state directory keeps what it last saved.
  void KillDevice() {
    device_->Signal(SIGKILL);
    device_->Wait(seconds(5));
  }

  void TearDown() override {
    if (device_ && device_->running()) {
      device_->Signal(SIGTERM);
      EXPECT_EQ(device_->Wait(seconds(5)), 0) << "the device did not stop cleanly";
    }
  }

  // `bleota sim ctl --state-dir DIR COMMAND...`.
  CommandResult Ctl(const std::vector<std::string>& command) {
    std::vector<std::string> args = {kBleota, "sim", "ctl", "--state-dir", state_dir_};
    args.insert(args.end(), command.begin(), command.end());
    return RunCommand(args, dir_, "ctl-" + std::to_string(++calls_));
  }
  // Its output, which must be a success.
  std::string CtlOk(const std::vector<std::string>& command) {
    const CommandResult result = Ctl(command);
    EXPECT_EQ(result.exit_code, 0) << "bleota sim ctl " << command.at(0) << ": " << result.err;
    return result.out;
  }

  std::string DeviceLog() const { return ReadText(device_log_); }
  bool WaitForLog(const std::string& text, milliseconds timeout = seconds(10)) {
    return WaitUntil([&] { return DeviceLog().find(text) != std::string::npos; }, timeout);
  }

  std::vector<std::string> DfuArgs(const std::vector<std::string>& command, Link link,
                                   int smp_version) {
    std::vector<std::string> args = {kBleota,
                                     "dfu",
                                     "--json",
                                     "--timeout",
                                     "2000",
                                     "--smp-version",
                                     std::to_string(smp_version)};
    if (link == Link::kUdp) {
      args.insert(args.end(), {"--transport", "udp", "--address", "127.0.0.1:" + port_});
    } else {
      args.insert(args.end(), {"--transport", "serial", "--device", pty_});
    }
    args.insert(args.end(), command.begin(), command.end());
    return args;
  }

  // Runs `bleota dfu --json ...`; returns its exit code and parsed output.
  struct DfuResult {
    int exit_code = -1;
    json out;
    std::string err;
  };
  DfuResult Dfu(const std::vector<std::string>& command, Link link = Link::kUdp,
                int smp_version = 2) {
    const CommandResult run =
        RunCommand(DfuArgs(command, link, smp_version), dir_, "dfu-" + std::to_string(++calls_));
    DfuResult result;
    result.exit_code = run.exit_code;
    result.out = json::parse(run.out, nullptr, false);
    result.err = run.err;
    return result;
  }
  json DfuOk(const std::vector<std::string>& command, Link link = Link::kUdp, int smp_version = 2) {
    DfuResult result = Dfu(command, link, smp_version);
    EXPECT_EQ(result.exit_code, 0) << "bleota dfu failed: " << result.err;
    EXPECT_FALSE(result.out.is_discarded()) << "not JSON";
    return result.out;
  }

  fs::path dir_;
  Assets assets_;
  fs::path state_dir_;
  fs::path device_log_;
  std::optional<ChildProcess> device_;
  int device_starts_ = 0;
  int calls_ = 0;
  std::string port_;
  std::string pty_;
};

TEST_F(DfuIntegrationTest, OsCommandsOverUdpAndSerialWithV1AndV2Headers) {
  StartDevice();
  for (Link link : {Link::kUdp, Link::kSerial}) {
    for (int version : {1, 2}) {
      SCOPED_TRACE((link == Link::kUdp ? "udp v" : "serial v") + std::to_string(version));
      EXPECT_EQ(DfuOk({"echo", "hello bleota"}, link, version).at("response"), "hello bleota");
      const json params = DfuOk({"params"}, link, version);
      EXPECT_EQ(params.at("buf_size"), 4096);
      EXPECT_EQ(params.at("buf_count"), 4);
      EXPECT_EQ(DfuOk({"info"}, link, version).at("output"), "bleota");
    }
  }
}

TEST_F(DfuIntegrationTest, ImageListShowsTheFactoryImage) {
  StartDevice();
  const json list = DfuOk({"image", "list"});
  ExpectRunning(list, "1.0.0", assets().v1_hash, true);
  EXPECT_TRUE(SlotEntry(list, 1).is_null()) << list.dump();
  EXPECT_NE(DeviceLog().find("boot 1 (power_on): primary_valid -> application 1.0.0 (confirmed)"),
            std::string::npos);
}

// The whole update over UDP with a v2 client: upload an encrypted image, test, reset (the
// bootloader installs it), confirm, and it stays after a reset and a power cycle.
TEST_F(DfuIntegrationTest, UpdateOverUdpTestResetConfirm) {
  StartDevice();
  const json upload = DfuOk({"image", "upload", assets().v2, "--test"});
  EXPECT_EQ(upload.at("upload").at("bytes_sent"), fs::file_size(assets().v2));
  EXPECT_TRUE(upload.at("upload").at("match").get<bool>());
  json list = DfuOk({"image", "list"});
  ExpectRunning(list, "1.0.0", assets().v1_hash, true);
  ASSERT_FALSE(SlotEntry(list, 1).is_null());
  EXPECT_EQ(SlotEntry(list, 1).at("hash"), assets().v2_hash);
  EXPECT_TRUE(SlotEntry(list, 1).at("pending").get<bool>());

  DfuOk({"reset"});
  list = DfuOk({"image", "list"});
  EXPECT_NE(DeviceLog().find("installed -> application 2.0.0 in test mode"), std::string::npos);
  ExpectRunning(list, "2.0.0", assets().v2_hash, false);

  DfuOk({"image", "confirm"});
  ExpectRunning(DfuOk({"image", "list"}), "2.0.0", assets().v2_hash, true);
  DfuOk({"reset"});
  ExpectRunning(DfuOk({"image", "list"}), "2.0.0", assets().v2_hash, true);
  EXPECT_NE(DeviceLog().find("primary_valid -> application 2.0.0 (confirmed)"), std::string::npos);

  // Power cycle: a new process on the same state directory is the same device.
  KillDevice();
  StartDevice();
  ExpectRunning(DfuOk({"image", "list"}), "2.0.0", assets().v2_hash, true);
}

TEST_F(DfuIntegrationTest, UnconfirmedUpdateIsRevertedAtTheNextReset) {
  StartDevice();
  DfuOk({"image", "upload", assets().v3, "--test", "--reset"});
  ExpectRunning(DfuOk({"image", "list"}), "3.0.0", assets().v3_hash, false);
  DfuOk({"reset"});  // the app never confirmed
  EXPECT_TRUE(WaitForLog("reverted -> application 1.0.0"));
  ExpectRunning(DfuOk({"image", "list"}), "1.0.0", assets().v1_hash, true);
}

// Over the serial pty with a v1 client (mcumgr-web and the mcumgr CLI speak v1).
TEST_F(DfuIntegrationTest, UpdateOverSerialWithV1Client) {
  StartDevice();
  const json upload =
      DfuOk({"image", "upload", assets().v2, "--test", "--reset"}, Link::kSerial, 1);
  EXPECT_TRUE(upload.at("upload").at("match").get<bool>());
  ExpectRunning(DfuOk({"image", "list"}, Link::kSerial, 1), "2.0.0", assets().v2_hash, false);
  DfuOk({"image", "confirm", assets().v2_hash}, Link::kSerial, 1);
  DfuOk({"reset"}, Link::kSerial, 1);
  ExpectRunning(DfuOk({"image", "list"}, Link::kSerial, 1), "2.0.0", assets().v2_hash, true);
}

TEST_F(DfuIntegrationTest, PermanentUpdateOverUdpWithV1Client) {
  StartDevice();
  DfuOk({"image", "upload", assets().v3, "--confirm", "--reset"}, Link::kUdp, 1);
  ExpectRunning(DfuOk({"image", "list"}, Link::kUdp, 1), "3.0.0", assets().v3_hash, true);
  EXPECT_NE(DeviceLog().find("installed -> application 3.0.0 (confirmed)"), std::string::npos);
}

// The client dies in the middle of an upload; run again, it continues where the device is.
TEST_F(DfuIntegrationTest, InterruptedClientUploadResumes) {
  StartDevice();
  {
    ChildProcess client(DfuArgs({"image", "upload", assets().big, "--window", "1"}, Link::kUdp, 2),
                        dir_ / "client-1.out", dir_ / "client-1.err");
    ASSERT_TRUE(WaitForLog("upload: 65536 of ")) << DeviceLog();
    client.Signal(SIGKILL);
    client.Wait(seconds(5));
  }
  ASSERT_EQ(DeviceLog().find("session closed"), std::string::npos) << "the upload finished";
  const json upload = DfuOk({"image", "upload", assets().big, "--test", "--reset"});
  const json& stats = upload.at("upload");
  EXPECT_TRUE(stats.at("match").get<bool>());
  EXPECT_GE(stats.at("resumes").get<int>(), 1) << stats.dump();
  // The device was at 64 KiB or later; the pipelined first window may go out before the
  // device's offset comes back.
  EXPECT_LE(stats.at("bytes_sent").get<size_t>(), assets().big_size - 65536 + FirstWindow(stats))
      << stats.dump();
  // The resumed image is whole: the bootloader verified and installed it.
  ExpectRunning(DfuOk({"image", "list"}), "4.0.0", assets().big_hash, false);
}

// The device loses power at a chosen flash operation in the middle of an upload (armed with
// `bleota sim ctl power-cut --at-flash-op N`, so the cut lands at the same place on every run);
// after the power-on the running image is intact and the upload continues from what the device
// had made durable.
TEST_F(DfuIntegrationTest, PowerCutAtAFlashOperationMidUploadResumesAfterPowerOn) {
  StartDevice();
  // Flash operation 150 of the upload (an erase or a program; about 660 bytes of image each)
  // lands in the sector after 96 KiB: the upload resumes at 98304 on every run.
  EXPECT_NE(CtlOk({"power-cut", "--at-flash-op", "150"}).find("armed at flash operation 150"),
            std::string::npos);
  std::vector<std::string> upload =
      DfuArgs({"image", "upload", assets().big, "--window", "1"}, Link::kUdp, 2);
  upload.insert(upload.begin() + 2, {"--retries", "0"});
  const CommandResult cut = RunCommand(upload, dir_, "upload-cut");
  EXPECT_EQ(cut.exit_code, 8) << "the device must stop answering: " << cut.err;
  ASSERT_TRUE(WaitForLog("power cut during an SMP request at the armed flash operation"))
      << DeviceLog();
  EXPECT_NE(CtlOk({"status"}).find("mode=off"), std::string::npos);
  EXPECT_NE(CtlOk({"power-on"}).find("mode=application version=1.0.0 confirmed=yes"),
            std::string::npos);
  const std::string resume_line = "resuming the upload recorded before the reset at offset ";
  const std::string log = DeviceLog();
  EXPECT_NE(log.find("boot 2 (power_on): primary_valid -> application 1.0.0"), std::string::npos)
      << log;
  const size_t at = log.find(resume_line);
  ASSERT_NE(at, std::string::npos) << log;
  const size_t resumed = std::stoul(log.substr(at + resume_line.size()));
  EXPECT_GT(resumed, 64u * 1024u) << log;
  EXPECT_LT(resumed, 128u * 1024u) << log;
  EXPECT_EQ(resumed % 4096, 0u);  // whole sectors are durable
  ExpectRunning(DfuOk({"image", "list"}), "1.0.0", assets().v1_hash, true);
  const json resumed_upload = DfuOk({"image", "upload", assets().big, "--test", "--reset"});
  const json& stats = resumed_upload.at("upload");
  EXPECT_TRUE(stats.at("match").get<bool>());
  EXPECT_GE(stats.at("resumes").get<int>(), 1) << stats.dump();
  EXPECT_LE(stats.at("bytes_sent").get<size_t>(), assets().big_size - resumed + FirstWindow(stats))
      << stats.dump();
  ExpectRunning(DfuOk({"image", "list"}), "4.0.0", assets().big_hash, false);
}

// `bleota sim ctl` against `bleota sim run`: status, refusals, the no-advertising story (OTA
// mode at the watchdog reset, an update through it), a power cut and the power-on that reverts
// the unconfirmed image, a reset, and a clear error once the device has stopped.
TEST_F(DfuIntegrationTest, SimCtlControlsARunningBleotaSimRun) {
  StartDevice(std::nullopt, /*bleota_sim_run=*/true);
  EXPECT_EQ(CtlOk({"status"}).rfind("mode=application version=1.0.0 confirmed=yes boots=1 ", 0),
            0u);
  const CommandResult typo = Ctl({"launch"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("unknown command 'launch'"), std::string::npos) << typo.err;
  const CommandResult on = Ctl({"power-on"});
  EXPECT_EQ(on.exit_code, 7);
  EXPECT_NE(on.err.find("the device is already on"), std::string::npos) << on.err;

  EXPECT_NE(CtlOk({"app", "no-advertising"}).find("the image in primary 1.0.0, now"),
            std::string::npos);
  EXPECT_NE(CtlOk({"status"}).find("advertising=no"), std::string::npos);
  EXPECT_NE(CtlOk({"advance", "31"}).find("mode=ota "), std::string::npos);
  EXPECT_TRUE(WaitForLog("stays in bootloader OTA mode: the application did not set"))
      << DeviceLog();
  DfuOk({"image", "upload", assets().v3, "--test", "--reset"});
  EXPECT_EQ(CtlOk({"status"}).rfind("mode=application version=3.0.0 confirmed=no ", 0), 0u);

  EXPECT_EQ(CtlOk({"power-cut"}), "power cut: the device is off\n");
  std::vector<std::string> echo = DfuArgs({"echo", "hi"}, Link::kUdp, 2);
  echo.insert(echo.begin() + 2, {"--retries", "0"});
  EXPECT_EQ(RunCommand(echo, dir_, "echo-off").exit_code, 8);  // nobody answers
  // The unconfirmed image had its test boot: the power-on reverts it.
  EXPECT_NE(CtlOk({"power-on"}).find("version=1.0.0 confirmed=yes boots=4 "), std::string::npos);
  EXPECT_TRUE(WaitForLog("revert swap: 100%")) << DeviceLog();
  EXPECT_NE(CtlOk({"reset"}).find("version=1.0.0 confirmed=yes boots=5 "), std::string::npos);

  device_->Signal(SIGTERM);
  EXPECT_EQ(device_->Wait(seconds(5)), 0);
  EXPECT_FALSE(fs::exists(state_dir_ / "control.sock"));
  const CommandResult gone = Ctl({"status"});
  EXPECT_EQ(gone.exit_code, 8);
  EXPECT_NE(gone.err.find("no device runs in"), std::string::npos) << gone.err;
}

// Refused images: the right rc, nothing pending, and the running firmware untouched.
TEST_F(DfuIntegrationTest, ImageSignedWithAnUnknownKeyIsRefused) {
  StartDevice();
  const DfuResult result = Dfu({"image", "upload", assets().unknown_key});
  EXPECT_NE(result.exit_code, 0);
  const json& error = result.out.at("error").at("device_error");
  EXPECT_EQ(error.at("group"), 1);
  EXPECT_EQ(error.at("rc"), 8) << error.dump();  // hash_not_found: no key with that hash
  const json list = DfuOk({"image", "list"});
  ExpectRunning(list, "1.0.0", assets().v1_hash, true);
  const json secondary = SlotEntry(list, 1);
  EXPECT_TRUE(secondary.is_null() || !secondary.at("pending").get<bool>()) << list.dump();
  DfuOk({"reset"});
  ExpectRunning(DfuOk({"image", "list"}), "1.0.0", assets().v1_hash, true);
  EXPECT_EQ(DeviceLog().find("installed"), std::string::npos);
}

TEST_F(DfuIntegrationTest, TamperedImageIsRefused) {
  StartDevice();
  const DfuResult result = Dfu({"image", "upload", assets().tampered});
  EXPECT_NE(result.exit_code, 0);
  const json& error = result.out.at("error").at("device_error");
  EXPECT_EQ(error.at("group"), 1);
  // Zephyr's IMG_MGMT_ERR_INVALID_HASH: the SHA256 TLV does not match the image.
  EXPECT_EQ(error.at("rc"), 24) << error.dump();
  EXPECT_EQ(error.at("name"), "invalid_hash") << error.dump();
  // It can be neither tested nor booted.
  EXPECT_NE(Dfu({"image", "test", assets().v3_hash}).exit_code, 0);
  DfuOk({"reset"});
  ExpectRunning(DfuOk({"image", "list"}), "1.0.0", assets().v1_hash, true);
  EXPECT_EQ(DeviceLog().find("installed"), std::string::npos);
}

// The application cannot check an encrypted image's hash (it has no decryption key); the
// bootloader can, and refuses it at the boot that would install it.
TEST_F(DfuIntegrationTest, TamperedEncryptedImageIsRefusedByTheBootloader) {
  StartDevice();
  const DfuResult upload =
      Dfu({"image", "upload", assets().tampered_encrypted, "--test", "--reset"});
  EXPECT_TRUE(WaitForLog("boot 2 (software)")) << DeviceLog();
  EXPECT_NE(DeviceLog().find("the pending image was refused: hash"), std::string::npos)
      << "upload exit " << upload.exit_code << ": " << upload.err << DeviceLog();
  EXPECT_NE(DeviceLog().find("boot 2 (software): primary_valid -> application 1.0.0 (confirmed)"),
            std::string::npos)
      << DeviceLog();
  ExpectRunning(DfuOk({"image", "list"}), "1.0.0", assets().v1_hash, true);
}

// Nothing valid to boot: the bootloader stays in OTA mode and serves SMP with its own keys (it
// checks an encrypted upload in full); the update installs at the next reset.
TEST_F(DfuIntegrationTest, OtaBootloaderModeTakesAnUpdateWhenNoImageIsValid) {
  StartDevice(assets().unknown_key);
  EXPECT_NE(DeviceLog().find("no_valid_image -> stays in bootloader OTA mode"), std::string::npos)
      << DeviceLog();
  EXPECT_EQ(DfuOk({"echo", "ota"}).at("response"), "ota");
  const DfuResult refused = Dfu({"image", "upload", assets().tampered_encrypted});
  EXPECT_NE(refused.exit_code, 0);
  EXPECT_EQ(refused.out.at("error").at("device_error").at("rc"), 24) << refused.out.dump();
  DfuOk({"image", "upload", assets().v2, "--confirm", "--reset"});
  EXPECT_TRUE(WaitForLog("installed -> application 2.0.0 (confirmed)")) << DeviceLog();
  ExpectRunning(DfuOk({"image", "list"}), "2.0.0", assets().v2_hash, true);
}

}  // namespace
}  // namespace bleota::integration
