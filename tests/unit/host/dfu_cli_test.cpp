// `bleota dfu ...` end to end: the CLI in-process (and once as a subprocess) against the device
// model served over a local UDP socket or a pty; output shapes (--json) and exit codes.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "dfu_fake_device.hpp"
#include "host_test_support.hpp"
#include "pty_serial_device.hpp"

namespace bleota::host {
namespace {

using nlohmann::json;
using test::CliRun;
using test::FakeSmpDevice;
using test::RunBleota;
using Bytes = std::vector<uint8_t>;

// Serves `device` on 127.0.0.1:<ephemeral port> until destroyed; read the device only after.
class UdpFakeDevice {
 public:
  UdpFakeDevice() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    address_ = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
    thread_ = std::thread([this] { Serve(); });
  }
  ~UdpFakeDevice() { Stop(); }
  void Stop() {
    if (!thread_.joinable()) return;
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  const std::string& address() const { return address_; }
  FakeSmpDevice device;

 private:
  void Serve() {
    Bytes buffer(65536);
    while (!stop_) {
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, 20) <= 0) continue;
      sockaddr_storage from{};
      socklen_t from_len = sizeof(from);
      const ssize_t n = recvfrom(fd_, buffer.data(), buffer.size(), 0,
                                 reinterpret_cast<sockaddr*>(&from), &from_len);
      if (n <= 0) continue;
      const auto reply = device.Handle(Bytes(buffer.begin(), buffer.begin() + n));
      if (!reply) continue;
      sendto(fd_, reply->data(), reply->size(), 0, reinterpret_cast<sockaddr*>(&from), from_len);
    }
  }

  int fd_ = -1;
  std::string address_;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

std::vector<std::string> Dfu(const std::string& address, std::vector<std::string> args) {
  std::vector<std::string> full = {"dfu", "--address", address, "--timeout", "2000"};
  full.insert(full.end(), args.begin(), args.end());
  return full;
}

json ParseJson(const CliRun& run) {
  try {
    return json::parse(run.out);
  } catch (const json::exception& e) {
    ADD_FAILURE() << "not JSON: " << run.out << "\n" << run.err;
    return json();
  }
}

TEST(DfuCliTest, EchoParamsAndInfoShapes) {
  UdpFakeDevice udp;
  udp.device.buf_size = 777;
  CliRun run = RunBleota(Dfu(udp.address(), {"echo", "hello", "--json"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(ParseJson(run), (json{{"response", "hello"}}));
  run = RunBleota(Dfu(udp.address(), {"echo", "plain"}));
  EXPECT_EQ(run.out, "plain\n");
  run = RunBleota(Dfu(udp.address(), {"--json", "params"}));
  EXPECT_EQ(ParseJson(run), (json{{"buf_size", 777}, {"buf_count", 4}, {"supported", true}}));
  run = RunBleota(Dfu(udp.address(), {"params"}));
  EXPECT_EQ(run.out, "buf_size  777\nbuf_count 4\n");
  // The model has no info command: a device error (exit 7) with its name, also as JSON.
  run = RunBleota(Dfu(udp.address(), {"info", "--json"}));
  EXPECT_EQ(run.code, 7);
  const json error = ParseJson(run).at("error");
  EXPECT_EQ(error.at("exit_code"), 7);
  EXPECT_EQ(error.at("device_error").at("name"), "not_supported");
  EXPECT_NE(run.err.find("bleota: error: info failed: the device answered rc 8 (not_supported)"),
            std::string::npos)
      << run.err;
}

TEST(DfuCliTest, ImageListTestConfirmAndReset) {
  UdpFakeDevice udp;
  CliRun run = RunBleota(Dfu(udp.address(), {"--json", "image", "list"}));
  EXPECT_EQ(run.code, 0) << run.err;
  const json list = ParseJson(run);
  ASSERT_EQ(list.at("images").size(), 1u);
  EXPECT_EQ(list.at("images")[0].at("hash"), std::string(64, '1'));
  EXPECT_EQ(list.at("split_status"), 0);
  run = RunBleota(Dfu(udp.address(), {"image", "list"}));
  EXPECT_NE(run.out.find("1.2.3"), std::string::npos) << run.out;
  run = RunBleota(Dfu(udp.address(), {"image", "test", std::string(64, 'a')}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(run.out.find("marked for test"), std::string::npos);
  run = RunBleota(Dfu(udp.address(), {"image", "confirm"}));
  EXPECT_EQ(run.code, 0) << run.err;
  run = RunBleota(Dfu(udp.address(), {"reset", "--json"}));
  EXPECT_EQ(ParseJson(run), (json{{"reset", true}}));
  udp.Stop();
  ASSERT_EQ(udp.device.state_writes.size(), 2u);
  EXPECT_EQ(udp.device.state_writes[0].at("hash").get_binary(), Bytes(32, 0xaa));
  EXPECT_EQ(udp.device.state_writes[0].at("confirm"), false);
  EXPECT_FALSE(udp.device.state_writes[1].contains("hash"));
  EXPECT_EQ(udp.device.state_writes[1].at("confirm"), true);
  EXPECT_EQ(udp.device.resets, 1);
}

TEST(DfuCliTest, EraseAndSlots) {
  UdpFakeDevice udp;
  CliRun run = RunBleota(Dfu(udp.address(), {"image", "erase"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "erased the upload slot\n");
  run = RunBleota(Dfu(udp.address(), {"--json", "image", "erase", "--slot", "1"}));
  EXPECT_EQ(ParseJson(run), (json{{"erased", true}, {"slot", 1}}));
  run = RunBleota(Dfu(udp.address(), {"image", "slots"}));
  EXPECT_EQ(run.out,
            "image slot size        upload image id\n"
            "0     0    262144      -\n"
            "0     1    262144      0\n"
            "image 0: max image size 261000 bytes\n");
  run = RunBleota(Dfu(udp.address(), {"image", "slots", "--json"}));
  const json slots = ParseJson(run).at("images").at(0);
  EXPECT_EQ(slots.at("max_image_size"), 261000);
  EXPECT_EQ(slots.at("slots").at(1), (json{{"slot", 1}, {"size", 262144}, {"upload_image_id", 0}}));
  udp.Stop();
  ASSERT_EQ(udp.device.erases.size(), 2u);
  EXPECT_TRUE(udp.device.erases[0].empty());
  EXPECT_EQ(udp.device.erases[1], (json{{"slot", 1}}));
}

TEST(DfuCliTest, UploadsAnImageThenMarksItAndResets) {
  UdpFakeDevice udp;
  udp.device.buf_size = 1024;
  udp.device.buf_count = 2;
  const json& vector = test::ManifestImage("ecdsa_p256_h200");
  const std::string file = (test::VectorDir() / vector.at("file").get<std::string>()).string();
  const CliRun run = RunBleota(Dfu(
      udp.address(), {"--json", "image", "upload", file, "--test", "--reset", "--window", "8"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(run.err.empty()) << run.err;  // no progress line without a terminal
  const json out = ParseJson(run);
  EXPECT_EQ(out.at("file"), file);
  EXPECT_EQ(out.at("image").at("hash"), vector.at("sha256"));
  EXPECT_EQ(out.at("image").at("version"), vector.at("header").at("version"));
  EXPECT_EQ(out.at("upload").at("size"), vector.at("file_size"));
  EXPECT_EQ(out.at("upload").at("window"), 2);
  EXPECT_EQ(out.at("upload").at("match"), true);
  EXPECT_EQ(out.at("marked"), "test");
  EXPECT_EQ(out.at("reset"), true);
  EXPECT_TRUE(out.at("state").contains("images"));
  udp.Stop();
  EXPECT_EQ(udp.device.stored(), test::ReadBytes(file));
  ASSERT_EQ(udp.device.state_writes.size(), 1u);
  EXPECT_EQ(test::ToHex(Bytes(udp.device.state_writes[0].at("hash").get_binary())),
            vector.at("sha256"));
  EXPECT_EQ(udp.device.resets, 1);
}

TEST(DfuCliTest, HumanUploadOutput) {
  UdpFakeDevice udp;
  const json& vector = test::ManifestImage("ecdsa_p256_h200");
  const std::string file = (test::VectorDir() / vector.at("file").get<std::string>()).string();
  const CliRun run =
      RunBleota(Dfu(udp.address(), {"image", "upload", file, "--confirm", "--mtu", "247"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_NE(
      run.out.find("uploading " + file + ": " + std::to_string(vector.at("file_size").get<int>()) +
                   " bytes, version " + vector.at("header").at("version").get<std::string>() +
                   ", hash " + vector.at("sha256").get<std::string>()),
      std::string::npos)
      << run.out;
  EXPECT_NE(run.out.find("device hash check: match"), std::string::npos);
  EXPECT_NE(run.out.find("confirmed"), std::string::npos);
  udp.Stop();
  EXPECT_EQ(udp.device.state_writes.at(0).at("confirm"), true);
  EXPECT_EQ(test::ToHex(Bytes(udp.device.stored())), test::ToHex(test::ReadBytes(file)));
}

TEST(DfuCliTest, RefusesANonImageUnlessForced) {
  UdpFakeDevice udp;
  test::TempDir dir;
  const std::string file = dir.file("raw.bin");
  {
    std::FILE* f = std::fopen(file.c_str(), "wb");
    const std::string text(3000, 'x');
    std::fwrite(text.data(), 1, text.size(), f);
    std::fclose(f);
  }
  CliRun run = RunBleota(Dfu(udp.address(), {"image", "upload", file}));
  EXPECT_EQ(run.code, 5);
  EXPECT_NE(run.err.find("is not an MCUboot image: header_magic"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("--force"), std::string::npos);
  run = RunBleota(Dfu(udp.address(), {"image", "upload", file, "--force", "--test"}));
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("--test needs the image's SHA256 TLV"), std::string::npos) << run.err;
  run = RunBleota(Dfu(udp.address(), {"--json", "image", "upload", file, "--force"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_TRUE(ParseJson(run).at("image").is_null());
  run = RunBleota(Dfu(udp.address(), {"image", "upload", dir.file("missing.bin")}));
  EXPECT_EQ(run.code, 3);
  udp.Stop();
  EXPECT_EQ(udp.device.stored().size(), 3000u);
}

TEST(DfuCliTest, UsageAndTransportErrors) {
  CliRun run = RunBleota({"dfu", "--device", "/dev/null", "--transport", "udp", "echo", "x"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("--device is for --transport serial"), std::string::npos) << run.err;
  run = RunBleota({"dfu", "--transport", "serial", "echo", "x"});
  EXPECT_EQ(run.code, 2);
  run = RunBleota({"dfu", "--smp-version", "3", "echo", "x"});
  EXPECT_EQ(run.code, 2);
  run = RunBleota({"dfu", "image", "test", "abc"});
  EXPECT_EQ(run.code, 2);
  EXPECT_NE(run.err.find("64 hex digits"), std::string::npos) << run.err;
  run = RunBleota({"dfu", "image", "upload", "x.bin", "--test", "--confirm"});
  EXPECT_EQ(run.code, 2);
  run = RunBleota({"dfu", "--device", "/nonexistent/ttyX", "echo", "x"});
  EXPECT_EQ(run.code, 8);
  // Nothing listens: exit 8 after the tries, JSON error document on stdout.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  run = RunBleota(
      {"dfu", "--address", address, "--timeout", "50", "--retries", "1", "--json", "echo", "x"});
  EXPECT_EQ(run.code, 8);
  EXPECT_EQ(ParseJson(run).at("error").at("exit_code"), 8);
  EXPECT_NE(run.err.find("after 2 tries of 50 ms"), std::string::npos) << run.err;
}

TEST(DfuCliTest, SubprocessExitCodes) {
  UdpFakeDevice udp;
  CliRun run = test::RunBleotaProcess(Dfu(udp.address(), {"echo", "sub"}));
  EXPECT_EQ(run.code, 0) << run.err;
  EXPECT_EQ(run.out, "sub\n");
  run = test::RunBleotaProcess(Dfu(udp.address(), {"info"}));
  EXPECT_EQ(run.code, 7);
}

TEST(DfuCliTest, SerialPty) {
  FakeSmpDevice device;
  test::PtySerialDevice pty([&](const Bytes& request) { return device.Handle(request); });
  const std::string path = pty.path();
  const json& vector = test::ManifestImage("ecdsa_p256_h200");
  const std::string file = (test::VectorDir() / vector.at("file").get<std::string>()).string();
  const CliRun echo = RunBleota({"dfu", "--device", path, "--baud", "921600", "echo", "tty"});
  const CliRun upload = RunBleota({"dfu", "--device", path, "image", "upload", file});
  EXPECT_EQ(echo.code, 0) << echo.err;
  EXPECT_EQ(echo.out, "tty\n");
  EXPECT_EQ(upload.code, 0) << upload.err;
  EXPECT_EQ(device.stored(), test::ReadBytes(file));
}

}  // namespace
}  // namespace bleota::host
