// SmpClient over scripted links (stale, duplicate and lost replies, timeouts, device errors) and
// the OS/image group requests, in-process against the device's real SmpServer and OsGroup too.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bleota/host/dfu_image_requests.hpp"
#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_client.hpp"
#include "bleota/host/smp_device_error.hpp"
#include "bleota/smp/os_group.hpp"
#include "bleota/smp/reset_request.hpp"
#include "bleota/smp/smp_server.hpp"
#include "dfu_fake_device.hpp"

namespace bleota::host {
namespace {

using nlohmann::json;
using test::FakeSmpDevice;
using test::MakeReply;
using test::ScriptedTransport;
using Bytes = std::vector<uint8_t>;
using Queue = std::deque<Bytes>;

SmpClientOptions Options(smp::SmpVersion version = smp::SmpVersion::kV2) {
  SmpClientOptions options;
  options.version = version;
  options.timeout = std::chrono::milliseconds(50);
  options.retries = 2;
  options.first_sequence = 10;
  return options;
}

smp::SmpHeader HeaderOf(const Bytes& packet) {
  return *smp::DecodeSmpHeader(ConstByteSpan(packet));
}

TEST(SmpClientTest, IgnoresStaleAndForeignRepliesAndMatchesBySequence) {
  ScriptedTransport link([](const Bytes& request, Queue& queue) {
    smp::SmpHeader stale = HeaderOf(request);
    stale.sequence = static_cast<uint8_t>(stale.sequence - 1);
    queue.push_back(MakeReply(stale, {{"r", "old"}}));
    smp::SmpHeader other_command = HeaderOf(request);
    other_command.command = 6;
    queue.push_back(MakeReply(other_command, {{"r", "other"}}));
    queue.push_back({0x01, 0x02, 0x03});  // not SMP at all
    queue.push_back(request);             // the request itself (a loopback): not a reply
    const json payload = json::from_cbor(request.begin() + smp::kSmpHeaderSize, request.end());
    queue.push_back(MakeReply(HeaderOf(request), {{"r", payload.at("d")}}));
    queue.push_back(MakeReply(HeaderOf(request), {{"r", "duplicate"}}));
  });
  SmpClient client(link, Options());
  EXPECT_EQ(OsEcho(client, "hi"), "hi");
  EXPECT_EQ(client.stats().stale_replies, 2u);
  EXPECT_EQ(client.stats().dropped_packets, 2u);
  EXPECT_EQ(link.sent.size(), 1u);
  EXPECT_EQ(HeaderOf(link.sent[0]).sequence, 10);
  // The duplicate left in the queue is stale for the next request (sequence 11), and the four
  // packets before its reply are stale or dropped again.
  EXPECT_EQ(OsEcho(client, "again"), "again");
  EXPECT_EQ(HeaderOf(link.sent[1]).sequence, 11);
  EXPECT_EQ(client.stats().stale_replies, 5u);
  EXPECT_EQ(client.stats().dropped_packets, 4u);
}

TEST(SmpClientTest, ResendsTheSamePacketAfterATimeout) {
  int calls = 0;
  ScriptedTransport link([&calls](const Bytes& request, Queue& queue) {
    if (++calls < 3) return;  // the first two requests are lost
    queue.push_back(MakeReply(HeaderOf(request), {{"r", "x"}}));
  });
  SmpClient client(link, Options());
  EXPECT_EQ(OsEcho(client, "x"), "x");
  ASSERT_EQ(link.sent.size(), 3u);
  EXPECT_EQ(link.sent[0], link.sent[2]);
  EXPECT_EQ(link.resyncs, 2);
  EXPECT_EQ(client.stats().resends, 2u);
}

TEST(SmpClientTest, NoReplyIsATransportErrorThatSaysWhatToDo) {
  ScriptedTransport link([](const Bytes&, Queue&) {});
  SmpClient client(link, Options());
  try {
    OsEcho(client, "x");
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    const std::string message = e.what();
    EXPECT_NE(message.find("no reply to echo from scripted after 3 tries of 50 ms"),
              std::string::npos)
        << message;
    EXPECT_NE(message.find("--smp-version 1"), std::string::npos);
  }
  EXPECT_EQ(link.sent.size(), 3u);
}

TEST(SmpClientTest, DeviceErrorsThrowWithTheirNames) {
  ScriptedTransport link([](const Bytes& request, Queue& queue) {
    queue.push_back(MakeReply(HeaderOf(request), {{"err", {{"group", 1}, {"rc", 8}}}}));
  });
  SmpClient client(link, Options());
  try {
    ImageStateWrite(client, Bytes(32, 1), false);
    FAIL();
  } catch (const SmpDeviceError& e) {
    EXPECT_EQ(e.code(), ExitCode::kDevice);
    EXPECT_EQ(e.error(), (SmpErrorCode{true, 1, 8, ""}));
    EXPECT_NE(std::string(e.what()).find("image test failed: the device answered image group rc "
                                         "8 (hash_not_found)"),
              std::string::npos)
        << e.what();
  }
}

TEST(SmpClientTest, MalformedRepliesAreDeviceErrors) {
  ScriptedTransport link([](const Bytes& request, Queue& queue) {
    queue.push_back(MakeReply(HeaderOf(request), {{"buf_size", "big"}, {"buf_count", 1}}));
  });
  SmpClient client(link, Options());
  try {
    OsParams(client);
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kDevice);
    EXPECT_EQ(std::string(e.what()),
              "malformed reply to params: field 'buf_size' is a string, expected an unsigned "
              "integer");
  }
}

TEST(SmpClientTest, ParamsNotSupportedIsNoError) {
  FakeSmpDevice device;
  device.params_supported = false;
  ScriptedTransport link(test::DeviceLink(device));
  SmpClient client(link, Options());
  EXPECT_FALSE(OsParams(client));
  device.params_supported = true;
  EXPECT_EQ(OsParams(client), (DeviceParams{1024, 4}));
}

TEST(SmpClientTest, V1RequestsGetV1Headers) {
  FakeSmpDevice device;
  ScriptedTransport link(test::DeviceLink(device));
  SmpClient client(link, Options(smp::SmpVersion::kV1));
  EXPECT_EQ(OsEcho(client, "v1"), "v1");
  EXPECT_EQ(HeaderOf(link.sent[0]).version, smp::SmpVersion::kV1);
}

TEST(SmpClientTest, ImageStateAndSlotsParse) {
  json slot0 = {{"slot", 0}, {"size", 262144}};
  json slot1 = {{"slot", 1}, {"size", 262144}, {"upload_image_id", 0}};
  json slot_image = {{"image", 0}, {"max_image_size", 261000}};
  slot_image["slots"] = json::array({slot0, slot1});
  json slot_reply = json::object();
  slot_reply["images"] = json::array({slot_image});
  json entry = {{"slot", 0},      {"version", "1.0.0"}, {"hash", json::binary(Bytes(32, 0xaa))},
                {"active", true}, {"confirmed", true},  {"bootable", true}};
  json state_reply = json::object();
  state_reply["images"] = json::array({entry});
  ScriptedTransport link([&](const Bytes& request, Queue& queue) {
    const smp::SmpHeader h = HeaderOf(request);
    queue.push_back(MakeReply(h, h.command == 6 ? slot_reply : state_reply));
  });
  SmpClient client(link, Options());
  const ImageStateList state = ImageStateRead(client);
  ASSERT_EQ(state.images.size(), 1u);
  EXPECT_TRUE(state.images[0].active);
  EXPECT_FALSE(state.images[0].pending);
  EXPECT_FALSE(state.split_status);
  const json j = ImageStateJson(state);
  EXPECT_EQ(j.at("images")[0].at("hash"), std::string(64, 'a'));
  EXPECT_EQ(j.at("images")[0].at("version"), "1.0.0");
  EXPECT_TRUE(j.at("split_status").is_null());
  EXPECT_NE(FormatImageState(state).find("active,confirmed,bootable"), std::string::npos);
  const std::vector<ImageSlots> slots = ImageSlotInfo(client);
  ASSERT_EQ(slots.size(), 1u);
  ASSERT_EQ(slots[0].slots.size(), 2u);
  EXPECT_EQ(slots[0].slots[1].upload_image_id, 0u);
  EXPECT_EQ(slots[0].max_image_size, 261000u);
  EXPECT_EQ(ImageSlotsJson(slots).at("images")[0].at("slots")[0].at("upload_image_id"), nullptr);
}

TEST(DfuImageHashTest, ParsesHexAndRefusesOtherText) {
  EXPECT_EQ(ParseImageHash(std::string(64, 'A'), "HASH"), Bytes(32, 0xaa));
  EXPECT_EQ(ParseImageHash("0x" + std::string(64, '0'), "HASH"), Bytes(32, 0));
  for (const std::string& bad : {std::string(63, 'a'), std::string(64, 'g'), std::string()}) {
    try {
      ParseImageHash(bad, "HASH");
      FAIL() << bad;
    } catch (const HostError& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage);
    }
  }
}

// The device's own server answers the client in-process: the request bytes the client builds
// are what the device parses, and the reply bytes it builds what the client parses.
class RealServerTransport final : public SmpTransport {
 public:
  explicit RealServerTransport(smp::SmpServer& server) : server_(server) {}
  std::string name() const override { return "in-process server"; }
  size_t max_packet_size() const override { return 2048; }
  void Send(std::span<const uint8_t> packet) override {
    Bytes response(2048);
    const Result<size_t> size =
        server_.Handle(ConstByteSpan(packet), ByteSpan(response.data(), response.size()));
    ASSERT_TRUE(size.ok());
    if (*size > 0) replies_.emplace_back(response.begin(), response.begin() + *size);
  }
  std::optional<Bytes> Receive(std::chrono::milliseconds) override {
    if (replies_.empty()) return std::nullopt;
    Bytes packet = std::move(replies_.front());
    replies_.pop_front();
    return packet;
  }

 private:
  smp::SmpServer& server_;
  std::deque<Bytes> replies_;
};

TEST(SmpClientRealServerTest, OsGroupOverBothVersions) {
  smp::ResetRequest reset;
  smp::OsGroupConfig config;
  config.buf_size = 1024;
  config.buf_count = 3;
  config.info.kernel_name = "bleota";
  config.info.machine = "sim";
  auto os = smp::OsGroup::Create(config, reset);
  ASSERT_TRUE(os.ok());
  smp::SmpGroup* groups[] = {&*os};
  smp::SmpServer server(groups);
  for (const smp::SmpVersion version : {smp::SmpVersion::kV1, smp::SmpVersion::kV2}) {
    RealServerTransport link(server);
    SmpClient client(link, Options(version));
    EXPECT_EQ(OsEcho(client, "hello device"), "hello device");
    EXPECT_EQ(OsParams(client), (DeviceParams{1024, 3}));
    EXPECT_EQ(OsInfo(client, ""), "bleota");
    EXPECT_EQ(OsInfo(client, "m"), "sim");
    try {
      OsInfo(client, "q");  // not a format letter
      FAIL();
    } catch (const SmpDeviceError& e) {
      EXPECT_NE(e.error().rc, 0);
      if (version == smp::SmpVersion::kV2) {
        EXPECT_EQ(e.error(), (SmpErrorCode{true, 0, 2, ""}));
      } else {
        EXPECT_FALSE(e.error().group_error);
      }
    }
    try {
      ImageStateRead(client);  // no image group on this server
      FAIL();
    } catch (const SmpDeviceError& e) {
      EXPECT_EQ(e.error(), (SmpErrorCode{false, 0, 8, ""}));
    }
    EXPECT_FALSE(reset.pending());
    OsReset(client, true);
    EXPECT_TRUE(reset.pending());
    EXPECT_TRUE(reset.force());
    reset.Clear();
  }
}

}  // namespace
}  // namespace bleota::host
