// Upload chunk sizing and the pipelined upload state machine, driven by a scripted link to a
// device model that drops, reorders and duplicates, resumes at another offset or restarts.
#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

#include "bleota/crypto/crypto.hpp"
#include "bleota/host/dfu_progress.hpp"
#include "bleota/host/dfu_upload.hpp"
#include "bleota/host/dfu_upload_chunker.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_device_error.hpp"
#include "dfu_fake_device.hpp"

namespace bleota::host {
namespace {

using nlohmann::json;
using test::FakeSmpDevice;
using test::ScriptedTransport;
using Bytes = std::vector<uint8_t>;
using Queue = std::deque<Bytes>;

Bytes Pattern(size_t size, uint32_t seed = 1) {
  std::mt19937 rng(seed);
  Bytes data(size);
  for (uint8_t& b : data) b = static_cast<uint8_t>(rng());
  return data;
}

std::array<uint8_t, 32> Sha(const Bytes& data) {
  std::array<uint8_t, 32> digest{};
  EXPECT_TRUE(crypto::Sha256Digest(ConstByteSpan(data.data(), data.size()), digest).ok());
  return digest;
}

TEST(UploadChunkerTest, RequestsFillButNeverExceedTheLimit) {
  const Bytes data = Pattern(300000);
  for (const size_t limit : {80u, 90u, 100u, 128u, 255u, 256u, 300u, 512u, 1024u, 2475u, 4096u}) {
    const UploadChunker chunker(data, Sha(data), 0, limit, 0);
    for (const uint32_t offset : {0u, 1u, 23u, 24u, 255u, 256u, 65535u, 65536u, 200000u}) {
      const size_t n = chunker.DataSizeAt(offset);
      ASSERT_GE(n, 1u);
      const size_t size = SmpRequestSize(chunker.RequestAt(offset, n).payload);
      EXPECT_LE(size, limit) << "limit " << limit << " offset " << offset;
      // One more byte would not fit: the chunk is the largest.
      EXPECT_GT(SmpRequestSize(chunker.RequestAt(offset, n + 1).payload), limit)
          << "limit " << limit << " offset " << offset;
    }
  }
}

TEST(UploadChunkerTest, FirstRequestCarriesImageLenAndSha) {
  const Bytes data = Pattern(1000);
  const UploadChunker chunker(data, Sha(data), 2, 512, 0);
  const SmpCommand first = chunker.RequestAt(0, chunker.DataSizeAt(0));
  EXPECT_EQ(first.group, 1);
  EXPECT_EQ(first.command, 1);
  EXPECT_EQ(first.op, smp::SmpOp::kWrite);
  EXPECT_EQ(first.payload.at("image"), 2);
  EXPECT_EQ(first.payload.at("len"), 1000);
  EXPECT_EQ(first.payload.at("off"), 0);
  const auto sha = Sha(data);
  EXPECT_EQ(first.payload.at("sha").get_binary(), Bytes(sha.begin(), sha.end()));
  const SmpCommand later = chunker.RequestAt(400, 10);
  EXPECT_EQ(later.payload.size(), 2u);  // off and data only
  EXPECT_EQ(later.payload.at("data").get_binary(), Bytes(data.begin() + 400, data.begin() + 410));
  // The last chunk is what is left.
  EXPECT_EQ(chunker.DataSizeAt(995), 5u);
}

TEST(UploadChunkerTest, PacketsFillWholeLinkPieces) {
  const Bytes data = Pattern(100000);
  // ATT MTU 247: pieces of 244 bytes; buf_size 2475 -> 10 pieces = 2440 bytes.
  const UploadChunker chunker(data, Sha(data), 0, 2475, 244);
  EXPECT_EQ(chunker.target_packet_size(), 2440u);
  for (const uint32_t offset : {1000u, 50000u, 70000u}) {
    const size_t n = chunker.DataSizeAt(offset);
    EXPECT_EQ(SmpRequestSize(chunker.RequestAt(offset, n).payload), 2440u) << offset;
  }
  // MTU 23 (20-byte pieces) and a 128-byte buffer: 120-byte packets.
  const UploadChunker small(data, Sha(data), 0, 128, 20);
  const size_t n = small.DataSizeAt(500);
  EXPECT_EQ(SmpRequestSize(small.RequestAt(500, n).payload), 120u);
}

TEST(UploadChunkerTest, RefusesALimitWithNoRoomForData) {
  const Bytes data = Pattern(100);
  try {
    UploadChunker chunker(data, Sha(data), 0, 60, 0);  // the first request needs 62+ bytes
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
    EXPECT_NE(std::string(e.what()).find("cannot carry upload data"), std::string::npos);
  }
}

SmpClientOptions ClientOptions(unsigned retries = 3) {
  SmpClientOptions options;
  options.timeout = std::chrono::milliseconds(1000);
  options.retries = retries;
  options.first_sequence = 250;  // wraps during the uploads
  return options;
}

struct Harness {
  explicit Harness(ScriptedTransport::OnSend on_send, size_t max_packet = 2048)
      : link(std::move(on_send), max_packet), client(link, ClientOptions()) {}
  ScriptedTransport link;
  SmpClient client;
};

size_t UploadRequests(const ScriptedTransport& link) {
  size_t n = 0;
  for (const Bytes& packet : link.sent) {
    const auto h = smp::DecodeSmpHeader(ConstByteSpan(packet));
    if (h->group == 1 && h->command == 1) ++n;
  }
  return n;
}

TEST(DfuUploadTest, CleanPipelinedUpload) {
  FakeSmpDevice device;
  device.buf_size = 512;
  device.buf_count = 3;
  Harness h(test::DeviceLink(device));
  const Bytes data = Pattern(20000);
  std::vector<UploadProgress> progress;
  UploadOptions options;
  options.window = 8;
  options.on_progress = [&](const UploadProgress& p) { progress.push_back(p); };
  const UploadResult result = UploadImage(h.client, data, options);
  EXPECT_EQ(device.stored(), data);
  EXPECT_EQ(result.match, true);
  EXPECT_TRUE(result.params_from_device);
  EXPECT_EQ(result.window, 3u);  // min(buf_count, window)
  EXPECT_EQ(result.packet_limit, 512u);
  EXPECT_EQ(result.bytes_sent, data.size());
  EXPECT_EQ(result.timeouts + result.resumes + result.stale_replies, 0u);
  EXPECT_EQ(result.requests, UploadRequests(h.link));
  for (const Bytes& packet : h.link.sent) EXPECT_LE(packet.size(), 512u);
  ASSERT_FALSE(progress.empty());
  EXPECT_EQ(progress.back().acknowledged, data.size());
  for (size_t i = 1; i < progress.size(); ++i) {
    EXPECT_GT(progress[i].acknowledged, progress[i - 1].acknowledged);
  }
  // The first request carried len and sha, the others not.
  EXPECT_EQ(device.upload_requests.front().at("len"), data.size());
  EXPECT_FALSE(device.upload_requests.back().contains("sha"));
  const json j = result.ToJson();
  EXPECT_EQ(j.at("size"), data.size());
  EXPECT_EQ(j.at("match"), true);
  EXPECT_EQ(j.at("window"), 3);
}

TEST(DfuUploadTest, KeepsTheWindowFull) {
  FakeSmpDevice device;
  device.buf_count = 4;
  size_t max_outstanding = 0;
  std::deque<Bytes> held;  // the link delivers replies only when 4 requests are outstanding
  ScriptedTransport link([&](const Bytes& packet, Queue& queue) {
    if (auto reply = device.Handle(packet)) held.push_back(*reply);
    max_outstanding = std::max(max_outstanding, held.size());
    if (held.size() == 4 || device.complete()) {
      for (Bytes& r : held) queue.push_back(std::move(r));
      held.clear();
    }
  });
  device.params_supported = true;
  SmpClient client(link, ClientOptions());
  UploadOptions options;
  options.params = DeviceParams{256, 4};
  const Bytes data = Pattern(5000);
  const UploadResult result = UploadImage(client, data, options);
  EXPECT_EQ(device.stored(), data);
  EXPECT_EQ(max_outstanding, 4u);
  EXPECT_EQ(result.timeouts, 0u);
  EXPECT_FALSE(result.params_from_device);
}

TEST(DfuUploadTest, LostRequestIsResentFromTheOffsetTheDeviceAsksFor) {
  FakeSmpDevice device;
  device.buf_size = 300;
  int count = 0;
  Harness h([&](const Bytes& packet, Queue& queue) {
    if (++count == 4) return;  // the fourth packet (params + 3 uploads) never arrives
    if (auto reply = device.Handle(packet)) queue.push_back(*reply);
  });
  const Bytes data = Pattern(6000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  EXPECT_EQ(device.stored(), data);
  EXPECT_EQ(result.match, true);
  EXPECT_EQ(result.resumes, 1u);
  EXPECT_EQ(result.timeouts, 0u);
  EXPECT_GE(result.stale_replies, 1u);  // replies to requests dropped at the resume
  EXPECT_GT(result.bytes_sent, data.size());
}

// A disconnect mid-upload (BLE): the device got requests 3 and 4 but their replies were lost, and
// requests 5 and 6 were lost. After the timeout the client resends from request 3, so the device
// is two requests ahead: the resends from the offset it names (5 and 6, sent after the answered
// one) are kept in flight, not sent again. One resume, not one per window.
TEST(DfuUploadTest, DeviceAheadOfTheResendKeepsTheRequestsInFlight) {
  FakeSmpDevice device;
  device.buf_size = 300;
  int uploads = 0;
  Harness h([&](const Bytes& packet, Queue& queue) {
    const auto header = smp::DecodeSmpHeader(ConstByteSpan(packet));
    const bool upload = header->group == 1 && header->command == 1;
    if (upload) ++uploads;
    if (upload && (uploads == 5 || uploads == 6)) return;  // lost on the way
    std::optional<Bytes> reply = device.Handle(packet);
    if (upload && (uploads == 3 || uploads == 4)) return;  // its reply lost
    if (reply) queue.push_back(*reply);
  });
  const Bytes data = Pattern(6000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  EXPECT_EQ(device.stored(), data);
  EXPECT_EQ(result.match, true);
  EXPECT_EQ(result.timeouts, 1u);
  EXPECT_EQ(result.resumes, 1u);
  // Sent twice: requests 3 and 4 (the device had them), 5 and 6 (lost), nothing more.
  EXPECT_LE(result.bytes_sent, data.size() + 4 * result.max_chunk);
}

TEST(DfuUploadTest, LostRepliesAreCoveredByLaterOnes) {
  FakeSmpDevice device;
  device.buf_size = 300;
  int count = 0;
  Harness h([&](const Bytes& packet, Queue& queue) {
    auto reply = device.Handle(packet);
    if (++count % 3 == 0 && !device.complete()) return;  // every third reply is lost
    if (reply) queue.push_back(*reply);
  });
  const Bytes data = Pattern(8000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  EXPECT_EQ(device.stored(), data);
  EXPECT_EQ(result.timeouts, 0u);  // a later reply acknowledges the data in order
  EXPECT_EQ(result.bytes_sent, data.size());
}

TEST(DfuUploadTest, DuplicatedAndReorderedRepliesAreHarmless) {
  FakeSmpDevice device;
  device.buf_size = 200;
  Bytes previous;
  Harness h([&](const Bytes& packet, Queue& queue) {
    auto reply = device.Handle(packet);
    if (!reply) return;
    // Every reply twice; pairs of replies swapped.
    if (previous.empty() && !device.complete()) {
      previous = *reply;
      return;
    }
    queue.push_back(*reply);
    queue.push_back(*reply);
    if (!previous.empty()) {
      queue.push_back(previous);
      queue.push_back(previous);
      previous.clear();
    }
  });
  const Bytes data = Pattern(7000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  EXPECT_EQ(device.stored(), data);
  EXPECT_EQ(result.match, true);
  EXPECT_GE(result.stale_replies, result.requests / 2);
  EXPECT_EQ(result.timeouts, 0u);
}

TEST(DfuUploadTest, ResumesWhereAnEarlierSessionStopped) {
  FakeSmpDevice device;
  device.buf_size = 400;
  device.resume_at = 3000;
  device.report_match = false;  // the model does not hold the first 3000 bytes
  Harness h(test::DeviceLink(device));
  const Bytes data = Pattern(10000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  ASSERT_EQ(device.stored().size(), data.size());
  EXPECT_TRUE(std::equal(data.begin() + 3000, data.end(), device.stored().begin() + 3000));
  EXPECT_EQ(result.resumes, 1u);
  EXPECT_LT(result.bytes_sent, data.size());
  EXPECT_FALSE(result.match);
  // The data before 3000 was sent only in the first request (and its window).
  for (size_t i = 1; i < device.upload_requests.size(); ++i) {
    const json& request = device.upload_requests[i];
    if (request.at("off").get<uint32_t>() < 3000) {
      EXPECT_LT(i, 4u);  // only requests already in flight at the resume
    }
  }
}

TEST(DfuUploadTest, TimeoutsResendFromTheLastAcknowledgedOffset) {
  FakeSmpDevice device;
  device.buf_size = 300;
  int count = 0;
  Harness h([&](const Bytes& packet, Queue& queue) {
    ++count;
    // Packets 6..9 go nowhere: the window drains and the oldest request times out.
    if (count >= 6 && count <= 9) return;
    if (auto reply = device.Handle(packet)) queue.push_back(*reply);
  });
  const Bytes data = Pattern(5000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  EXPECT_EQ(device.stored(), data);
  EXPECT_GE(result.timeouts, 1u);
  EXPECT_GE(h.link.resyncs, 1);
  EXPECT_EQ(result.match, true);
}

TEST(DfuUploadTest, GivesUpAfterTheRetriesWithoutProgress) {
  FakeSmpDevice device;
  int count = 0;
  Harness h([&](const Bytes& packet, Queue& queue) {
    if (++count > 3) return;  // the device goes silent after params and two chunks
    if (auto reply = device.Handle(packet)) queue.push_back(*reply);
  });
  UploadOptions options;
  options.window = 2;
  try {
    UploadImage(h.client, Pattern(50000), options);
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kTransport);
    EXPECT_NE(std::string(e.what()).find("no reply to upload at offset"), std::string::npos)
        << e.what();
    EXPECT_NE(std::string(e.what()).find("after 4 tries"), std::string::npos) << e.what();
  }
  EXPECT_EQ(h.link.timeouts, 4);
}

TEST(DfuUploadTest, RestartsFromZeroWhenTheDeviceForgotTheUpload) {
  FakeSmpDevice device;
  device.buf_size = 300;
  int count = 0;
  Harness h([&](const Bytes& packet, Queue& queue) {
    if (++count == 10) device.Restart();  // a reboot in the middle
    if (auto reply = device.Handle(packet)) queue.push_back(*reply);
  });
  const Bytes data = Pattern(6000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  EXPECT_EQ(device.stored(), data);
  EXPECT_GE(result.resumes, 1u);
  EXPECT_EQ(result.match, true);
  size_t first_requests = 0;
  for (const json& r : device.upload_requests) first_requests += r.contains("sha") ? 1 : 0;
  EXPECT_EQ(first_requests, 2u);  // offset 0 again, with len and sha
}

TEST(DfuUploadTest, DeviceErrorAtTheAcknowledgedOffsetStopsTheUpload) {
  FakeSmpDevice device;
  device.buf_size = 300;
  Harness h(test::DeviceLink(device));
  const Bytes data = Pattern(6000);
  const UploadChunker chunker(data, Sha(data), 0, 300, 0);
  const uint32_t second = static_cast<uint32_t>(chunker.DataSizeAt(0));
  device.fail_at = std::make_pair(second, uint16_t{12});  // flash_write_failed
  try {
    UploadImage(h.client, data, UploadOptions{});
    FAIL();
  } catch (const SmpDeviceError& e) {
    EXPECT_EQ(e.error(), (SmpErrorCode{true, 1, 12, ""}));
    EXPECT_EQ(std::string(e.what()),
              "upload at offset " + std::to_string(second) +
                  " failed: the device answered image group rc 12 (flash_write_failed): writing "
                  "the device's flash failed; retry the upload");
  }
}

TEST(DfuUploadTest, MatchFalseIsAVerificationFailure) {
  FakeSmpDevice device;
  device.corrupt_match = true;
  Harness h(test::DeviceLink(device));
  try {
    UploadImage(h.client, Pattern(3000), UploadOptions{});
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kVerifyFailed);
    EXPECT_NE(std::string(e.what()).find("match: false"), std::string::npos);
  }
}

TEST(DfuUploadTest, OffsetsBeyondTheImageAndStuckDevicesAreDeviceErrors) {
  {
    Harness h([](const Bytes& packet, Queue& queue) {
      const auto header = *smp::DecodeSmpHeader(ConstByteSpan(packet));
      queue.push_back(test::MakeReply(header, {{"rc", 0}, {"off", 999999}}));
    });
    UploadOptions options;
    options.params = DeviceParams{512, 1};
    try {
      UploadImage(h.client, Pattern(3000), options);
      FAIL();
    } catch (const HostError& e) {
      EXPECT_EQ(e.code(), ExitCode::kDevice);
      EXPECT_NE(std::string(e.what()).find("asks for offset 999999"), std::string::npos);
    }
  }
  {
    Harness h([](const Bytes& packet, Queue& queue) {
      const auto header = *smp::DecodeSmpHeader(ConstByteSpan(packet));
      queue.push_back(test::MakeReply(header, {{"rc", 0}, {"off", 0}}));  // never takes data
    });
    UploadOptions options;
    options.params = DeviceParams{512, 1};
    try {
      UploadImage(h.client, Pattern(3000), options);
      FAIL();
    } catch (const HostError& e) {
      EXPECT_EQ(e.code(), ExitCode::kDevice);
      EXPECT_NE(std::string(e.what()).find("keeps asking for offset 0"), std::string::npos);
    }
  }
}

TEST(DfuUploadTest, FallsBackWhenParamsAreNotSupported) {
  FakeSmpDevice device;
  device.params_supported = false;
  Harness h(test::DeviceLink(device));
  const Bytes data = Pattern(2000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  EXPECT_EQ(device.stored(), data);
  EXPECT_FALSE(result.params_from_device);
  EXPECT_EQ(result.params, kFallbackDeviceParams);
  EXPECT_EQ(result.window, 1u);
  for (const Bytes& packet : h.link.sent) EXPECT_LE(packet.size(), 512u);
}

TEST(DfuUploadTest, TransportPacketLimitAndPieceSizeApply) {
  FakeSmpDevice device;
  device.buf_size = 4096;
  Harness h(test::DeviceLink(device), /*max_packet=*/700);
  h.link.set_piece_size(244);
  const Bytes data = Pattern(9000);
  const UploadResult result = UploadImage(h.client, data, UploadOptions{});
  EXPECT_EQ(device.stored(), data);
  EXPECT_EQ(result.packet_limit, 700u);
  // Full requests fill two 244-byte pieces.
  for (size_t i = 1; i + 1 < h.link.sent.size(); ++i) {
    const auto header = smp::DecodeSmpHeader(ConstByteSpan(h.link.sent[i]));
    if (header->command == 1 && i + 2 < h.link.sent.size()) {
      EXPECT_EQ(h.link.sent[i].size(), 488u) << i;
    }
  }
}

TEST(DfuUploadTest, RefusesEmptyDataAndBadWindows) {
  FakeSmpDevice device;
  Harness h(test::DeviceLink(device));
  for (const size_t window : {size_t{0}, size_t{65}}) {
    UploadOptions options;
    options.window = window;
    try {
      UploadImage(h.client, Pattern(10), options);
      FAIL();
    } catch (const HostError& e) {
      EXPECT_EQ(e.code(), ExitCode::kUsage);
    }
  }
  try {
    UploadImage(h.client, Bytes{}, UploadOptions{});
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
  }
}

// Random loss, duplication and reordering of requests and replies: the upload always ends with
// the device holding exactly the data.
TEST(DfuUploadTest, RandomFaultsNeverCorruptTheUpload) {
  for (uint32_t seed = 1; seed <= 40; ++seed) {
    std::mt19937 rng(seed);
    FakeSmpDevice device;
    device.buf_size = 256 + (seed * 37) % 700;
    device.buf_count = 1 + seed % 6;
    std::deque<Bytes> late;
    ScriptedTransport link([&](const Bytes& packet, Queue& queue) {
      const unsigned roll = rng() % 100;
      if (roll < 8) return;  // request lost
      auto reply = device.Handle(packet);
      if (roll < 10 && reply) device.Handle(packet);  // request duplicated by the link
      if (!reply) return;
      if (roll < 16) return;  // reply lost
      if (roll < 24) {
        late.push_back(*reply);  // reply delayed behind later ones
        return;
      }
      queue.push_back(*reply);
      if (roll < 30) queue.push_back(*reply);  // duplicated
      if (!late.empty() && roll % 2 == 0) {
        queue.push_back(late.front());
        late.pop_front();
      }
    });
    SmpClient client(link, ClientOptions(/*retries=*/20));
    const Bytes data = Pattern(4000 + seed * 311, seed);
    UploadOptions options;
    options.params = DeviceParams{device.buf_size, device.buf_count};
    const UploadResult result = UploadImage(client, data, options);
    EXPECT_EQ(device.stored(), data) << "seed " << seed;
    EXPECT_NE(result.match, false) << "seed " << seed;
  }
}

TEST(DfuProgressTest, RendersBytesPercentRateAndEta) {
  EXPECT_EQ(RenderUploadProgress(UploadProgress{131072, 262144, 2.048}),
            "[##########..........]  50%  131072/262144 B  64.0 kB/s  ETA 0:02");
  EXPECT_EQ(RenderUploadProgress(UploadProgress{1000, 1000, 0.5}),
            "[####################] 100%  1000/1000 B  2.0 kB/s");
  EXPECT_EQ(RenderUploadProgress(UploadProgress{0, 1000, 0}),
            "[....................]   0%  0/1000 B  0.0 kB/s");
  std::ostringstream hidden;
  UploadProgressBar off(hidden, false);
  off.Update(UploadProgress{1, 2, 1});
  off.Finish();
  EXPECT_TRUE(hidden.str().empty());
  std::ostringstream shown;
  UploadProgressBar on(shown, true);
  on.Update(UploadProgress{1, 2, 1});
  on.Update(UploadProgress{2, 2, 1});
  on.Finish();
  const std::string text = shown.str();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\r'), 2);
  EXPECT_EQ(text.back(), '\n');
}

}  // namespace
}  // namespace bleota::host
