// The real transports: UDP against a local socket served by a thread (with the device's real
// SmpServer + OsGroup), serial over a pty pair (posix_openpt) with the SMP console framing and
// console text between frames.
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_client.hpp"
#include "bleota/host/smp_serial_transport.hpp"
#include "bleota/host/smp_udp_transport.hpp"
#include "bleota/smp/os_group.hpp"
#include "bleota/smp/serial_framing.hpp"
#include "bleota/smp/smp_server.hpp"
#include "pty_serial_device.hpp"

namespace bleota::host {
namespace {

using Bytes = std::vector<uint8_t>;

// The device side of the tests: the real server with an OS group.
struct DeviceServer {
  DeviceServer() {
    smp::OsGroupConfig config;
    config.buf_size = 2048;
    config.buf_count = 2;
    config.info.kernel_name = "bleota";
    os.emplace(*smp::OsGroup::Create(config, reset));
    groups[0] = &*os;
    server.emplace(std::span<smp::SmpGroup* const>(groups, 1));
  }
  Bytes Handle(const Bytes& request) {
    Bytes response(4096);
    const Result<size_t> size =
        server->Handle(ConstByteSpan(request), ByteSpan(response.data(), response.size()));
    response.resize(size.ok() ? *size : 0);
    return response;
  }
  smp::ResetRequest reset;
  std::optional<smp::OsGroup> os;
  smp::SmpGroup* groups[1] = {};
  std::optional<smp::SmpServer> server;
};

SmpClientOptions Options() {
  SmpClientOptions options;
  options.timeout = std::chrono::milliseconds(2000);
  options.retries = 1;
  options.first_sequence = 200;
  return options;
}

TEST(UdpEndpointTest, ParsesHostsPortsAndBrackets) {
  EXPECT_EQ(ParseUdpEndpoint("10.0.0.2").port, 1337);
  EXPECT_EQ(ParseUdpEndpoint("10.0.0.2:9").host, "10.0.0.2");
  EXPECT_EQ(ParseUdpEndpoint("10.0.0.2:9").port, 9);
  EXPECT_EQ(ParseUdpEndpoint("[::1]:2000").host, "::1");
  EXPECT_EQ(ParseUdpEndpoint("[::1]:2000").port, 2000);
  EXPECT_EQ(ParseUdpEndpoint("[fe80::1]").port, 1337);
  for (const std::string bad : {"", ":5", "h:0", "h:70000", "h:x", "::1", "[::1", "[::1]5", "h:"}) {
    try {
      ParseUdpEndpoint(bad);
      FAIL() << bad;
    } catch (const HostError& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage) << bad;
    }
  }
}

class UdpDevice {
 public:
  UdpDevice() {
    fd_ = socket(AF_INET, SOCK_DGRAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    EXPECT_EQ(bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    socklen_t len = sizeof(addr);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { Serve(); });
  }
  ~UdpDevice() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  uint16_t port() const { return port_; }
  int requests() const { return requests_; }

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
      ++requests_;
      const Bytes response = device_.Handle(Bytes(buffer.begin(), buffer.begin() + n));
      // Junk first (dropped by the client), then the reply.
      const uint8_t junk[3] = {1, 2, 3};
      sendto(fd_, junk, sizeof(junk), 0, reinterpret_cast<sockaddr*>(&from), from_len);
      if (!response.empty()) {
        sendto(fd_, response.data(), response.size(), 0, reinterpret_cast<sockaddr*>(&from),
               from_len);
      }
    }
  }

  DeviceServer device_;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<int> requests_{0};
  std::thread thread_;
};

TEST(SmpUdpTransportTest, TalksToALocalDevice) {
  UdpDevice device;
  SmpUdpTransport transport(UdpEndpoint{"127.0.0.1", device.port()});
  EXPECT_EQ(transport.name(), "udp 127.0.0.1:" + std::to_string(device.port()));
  EXPECT_EQ(transport.max_packet_size(), kSmpUdpMaxPacket);
  SmpClient client(transport, Options());
  EXPECT_EQ(OsEcho(client, "over udp"), "over udp");
  EXPECT_EQ(OsParams(client), (DeviceParams{2048, 2}));
  const std::string long_text(1000, 'u');
  EXPECT_EQ(OsEcho(client, long_text), long_text);
  EXPECT_EQ(device.requests(), 3);
  EXPECT_EQ(client.stats().dropped_packets, 3u);  // the junk datagrams
}

TEST(SmpUdpTransportTest, ARefusedPortIsDiagnosed) {
  // A port that was just free: nothing listens there.
  int fd = socket(AF_INET, SOCK_DGRAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr));
  socklen_t len = sizeof(addr);
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  SmpUdpTransport transport(UdpEndpoint{"127.0.0.1", ntohs(addr.sin_port)});
  SmpClientOptions options = Options();
  options.timeout = std::chrono::milliseconds(100);
  SmpClient client(transport, options);
  try {
    OsEcho(client, "x");
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("nothing listens on 127.0.0.1:"), std::string::npos)
        << e.what();
  }
}

TEST(SmpUdpTransportTest, UnresolvableHostIsATransportError) {
  try {
    SmpUdpTransport transport(UdpEndpoint{"no-such-host.invalid", 1337});
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("cannot resolve 'no-such-host.invalid'"),
              std::string::npos);
  }
}

// The device end of a pty: the real server behind the shared pty double, with console text
// before each reply and, when asked, a frame with a bad CRC first.
class PtyDevice {
 public:
  PtyDevice()
      : pty_([this](
                 const Bytes& request) -> std::optional<Bytes> { return device_.Handle(request); },
             [this](const Bytes& reply) { return BeforeReply(reply); }) {}
  const std::string& path() const { return pty_.path(); }
  int packets() const { return pty_.packets(); }
  std::atomic<bool> garbage_first{false};

 private:
  Bytes BeforeReply(const Bytes& reply) const {
    const std::string console = "[00:00:01] <inf> app: console text\n";
    Bytes before(console.begin(), console.end());
    if (garbage_first) {
      // A frame with a bad CRC: the client drops it and waits on.
      Bytes bad = test::EncodeSerialFrame(reply);
      bad[bad.size() / 2] = bad[bad.size() / 2] == 'A' ? 'B' : 'A';
      before.insert(before.end(), bad.begin(), bad.end());
    }
    return before;
  }

  DeviceServer device_;
  test::PtySerialDevice pty_;
};

TEST(SmpSerialTransportTest, TalksFramedSmpOverAPty) {
  PtyDevice device;
  SmpSerialTransport transport(device.path(), 115200);
  EXPECT_EQ(transport.name(), "serial " + device.path() + " 115200");
  SmpClient client(transport, Options());
  EXPECT_EQ(OsEcho(client, "over serial"), "over serial");
  // A request and a reply of several lines each (124 base64 characters per line).
  const std::string long_text(600, 's');
  EXPECT_EQ(OsEcho(client, long_text), long_text);
  EXPECT_EQ(OsParams(client), (DeviceParams{2048, 2}));
  EXPECT_EQ(device.packets(), 3);
  EXPECT_EQ(transport.dropped_input(), 0u);
}

TEST(SmpSerialTransportTest, DropsCorruptFramesAndKeepsWaiting) {
  PtyDevice device;
  device.garbage_first = true;
  SmpSerialTransport transport(device.path(), 921600);
  SmpClient client(transport, Options());
  EXPECT_EQ(OsEcho(client, "crc"), "crc");
  EXPECT_EQ(transport.dropped_input(), 1u);
  EXPECT_NE(transport.diagnosis().find("crc_mismatch"), std::string::npos) << transport.diagnosis();
}

// A port that goes away and comes back behind the same path (a USB adapter re-enumerated, as
// /dev/serial/by-id links do): the transport reopens it and sends the packet again.
TEST(SmpSerialTransportTest, ReopensThePortAfterAHangUp) {
  const std::string link =
      (std::filesystem::temp_directory_path() / ("bleota_pty_" + std::to_string(getpid())))
          .string();
  std::filesystem::remove(link);
  auto device = std::make_unique<PtyDevice>();
  std::filesystem::create_symlink(device->path(), link);
  SmpSerialTransport transport(link, 115200);
  SmpClient client(transport, Options());
  EXPECT_EQ(OsEcho(client, "first"), "first");
  device.reset();  // hang-up: the slave side now fails with EIO
  device = std::make_unique<PtyDevice>();
  std::filesystem::remove(link);
  std::filesystem::create_symlink(device->path(), link);
  EXPECT_EQ(OsEcho(client, "second"), "second");
  EXPECT_EQ(device->packets(), 1);
  std::filesystem::remove(link);
}

TEST(SmpSerialTransportTest, RefusesUnknownBaudRatesAndMissingPorts) {
  try {
    SmpSerialTransport transport("/dev/null", 12345);
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
  }
  try {
    SmpSerialTransport transport("/nonexistent/tty", 115200);
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("cannot open /nonexistent/tty"), std::string::npos);
  }
  try {
    SmpSerialTransport transport("/dev/null", 115200);  // not a tty
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("not a serial port"), std::string::npos);
  }
}

}  // namespace
}  // namespace bleota::host
