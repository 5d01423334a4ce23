// The OS group through SmpServer: hand-made request and reply bytes (docs/spec/smp.md, "OS
// group"), Zephyr's os_mgmt codes and their v1 translation.
#include "bleota/smp/os_group.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bleota/smp/smp_server.hpp"

namespace bleota::smp {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint8_t kV1Read = 0x00, kV1Write = 0x02, kV2Read = 0x08, kV2Write = 0x0A;

Bytes Request(uint8_t version_op, uint8_t command, const Bytes& payload, uint8_t sequence = 7) {
  Bytes packet = {version_op,
                  0x00,
                  static_cast<uint8_t>(payload.size() >> 8),
                  static_cast<uint8_t>(payload.size()),
                  0x00,
                  0x00,
                  sequence,
                  command};
  packet.insert(packet.end(), payload.begin(), payload.end());
  return packet;
}

Bytes Reply(uint8_t version_op, uint8_t command, const Bytes& payload, uint8_t sequence = 7) {
  return Request(static_cast<uint8_t>(version_op + 1), command, payload, sequence);
}

Bytes Text(const std::string& s) {  // a CBOR text string shorter than 24 bytes
  Bytes out = {static_cast<uint8_t>(0x60 + s.size())};
  out.insert(out.end(), s.begin(), s.end());
  return out;
}

Bytes Map(std::initializer_list<Bytes> items) {  // a definite map of items.size()/2 pairs
  Bytes out = {static_cast<uint8_t>(0xA0 + items.size() / 2)};
  for (const Bytes& item : items) out.insert(out.end(), item.begin(), item.end());
  return out;
}

const Bytes kRcInvalid = {0xA1, 0x62, 'r', 'c', 0x03};
const Bytes kRcNotSupported = {0xA1, 0x62, 'r', 'c', 0x08};

Bytes GroupErr(uint8_t rc) {  // {"err": {"group": 0, "rc": rc}}
  return Map({Text("err"), Map({Text("group"), {0x00}, Text("rc"), {rc}})});
}

OsGroupConfig TestConfig() {
  OsGroupConfig config;
  config.buf_size = 512;
  config.buf_count = 4;
  config.info.kernel_name = "bleota";
  config.info.node_name = "dk-1";
  config.info.kernel_release = "1.2.3";
  config.info.kernel_version = "1.2.3+4";
  config.info.build_date_time = "2026-11-25T18:00:00";
  config.info.machine = "arm";
  config.info.processor = "cortex-m4";
  config.info.hardware_platform = "nrf52840dk";
  config.info.operating_system = "";  // "unknown"
  return config;
}

class OsGroupTest : public ::testing::Test {
 protected:
  OsGroupTest() : group_(OsGroup::Create(TestConfig(), reset_)) {}

  Bytes Handle(const Bytes& request, size_t response_size = 256) {
    EXPECT_TRUE(group_.ok());
    SmpGroup* groups[] = {&*group_};
    SmpServer server(groups);
    Bytes response(response_size);
    const Result<size_t> size = server.Handle(request, response);
    EXPECT_TRUE(size.ok());
    response.resize(size.ok() ? *size : 0);
    return response;
  }

  ResetRequest reset_;
  Result<OsGroup> group_;
};

TEST_F(OsGroupTest, EchoWriteRepliesExactlyR) {
  // {"d": "hi"} -> {"r": "hi"}
  EXPECT_EQ(Handle(Request(kV2Write, 0, {0xA1, 0x61, 'd', 0x62, 'h', 'i'})),
            Reply(kV2Write, 0, {0xA1, 0x61, 'r', 0x62, 'h', 'i'}));
}

TEST_F(OsGroupTest, EchoReadV1AndIndefiniteMap) {
  EXPECT_EQ(Handle(Request(kV1Read, 0, {0xBF, 0x61, 'd', 0x62, 'h', 'i', 0xFF})),
            Reply(kV1Read, 0, {0xA1, 0x61, 'r', 0x62, 'h', 'i'}));
}

TEST_F(OsGroupTest, EchoIgnoresOtherKeysAndEchoesEmptyText) {
  const Bytes payload = Map({Text("x"), {0x01}, Text("d"), Text(""), Text("y"), {0xF5}});
  EXPECT_EQ(Handle(Request(kV2Write, 0, payload)), Reply(kV2Write, 0, Map({Text("r"), Text("")})));
}

TEST_F(OsGroupTest, EchoLongTextUsesLongHeads) {
  const std::string text(300, 'z');
  Bytes payload = {0xA1, 0x61, 'd', 0x79, 0x01, 0x2C};
  payload.insert(payload.end(), text.begin(), text.end());
  Bytes expected = {0xA1, 0x61, 'r', 0x79, 0x01, 0x2C};
  expected.insert(expected.end(), text.begin(), text.end());
  EXPECT_EQ(Handle(Request(kV2Write, 0, payload), 512), Reply(kV2Write, 0, expected));
  // The same reply does not fit 256 bytes: TOO_LARGE (7).
  EXPECT_EQ(Handle(Request(kV2Write, 0, payload), 256),
            Reply(kV2Write, 0, {0xA1, 0x62, 'r', 'c', 0x07}));
}

TEST_F(OsGroupTest, EchoWithoutTextDIsInvalid) {
  const std::vector<Bytes> payloads = {
      {0xA0},                                             // no d
      Map({Text("d"), {0x01}}),                           // d is an integer
      Map({Text("d"), {0x42, 'h', 'i'}}),                 // d is a byte string
      Map({Text("d"), Text("a"), Text("d"), Text("b")}),  // d twice
      Map({Text("D"), Text("a")}),                        // keys are case-sensitive
  };
  for (const Bytes& payload : payloads) {
    EXPECT_EQ(Handle(Request(kV2Write, 0, payload)), Reply(kV2Write, 0, kRcInvalid));
  }
}

TEST_F(OsGroupTest, ResetRepliesEmptyMapThenIsPending) {
  EXPECT_FALSE(reset_.pending());
  EXPECT_EQ(Handle(Request(kV2Write, 5, {0xA0})), Reply(kV2Write, 5, {0xA0}));
  EXPECT_TRUE(reset_.pending());
  EXPECT_FALSE(reset_.force());
  reset_.Clear();
  EXPECT_FALSE(reset_.pending());
}

TEST_F(OsGroupTest, ResetForceAndNoPayload) {
  EXPECT_EQ(Handle(Request(kV2Write, 5, Map({Text("force"), {0xF5}}))), Reply(kV2Write, 5, {0xA0}));
  EXPECT_TRUE(reset_.pending());
  EXPECT_TRUE(reset_.force());
  reset_.Clear();
  // mcumgr-web: a v1 reset without payload.
  EXPECT_EQ(Handle(Request(kV1Write, 5, {})), Reply(kV1Write, 5, {0xA0}));
  EXPECT_TRUE(reset_.pending());
  EXPECT_FALSE(reset_.force());
}

TEST_F(OsGroupTest, ResetWithBadForceOrAsReadIsRefusedAndNotPending) {
  EXPECT_EQ(Handle(Request(kV2Write, 5, Map({Text("force"), {0x01}}))),
            Reply(kV2Write, 5, kRcInvalid));
  EXPECT_EQ(Handle(Request(kV2Read, 5, {0xA0})), Reply(kV2Read, 5, kRcNotSupported));
  EXPECT_FALSE(reset_.pending());
}

TEST_F(OsGroupTest, McumgrParamsExactly) {
  // {"buf_size": 512, "buf_count": 4}
  const Bytes expected = {0xA2, 0x68, 'b', 'u', 'f', '_', 's', 'i', 'z', 'e', 0x19, 0x02,
                          0x00, 0x69, 'b', 'u', 'f', '_', 'c', 'o', 'u', 'n', 't',  0x04};
  EXPECT_EQ(Handle(Request(kV2Read, 6, {0xA0}, 0)), Reply(kV2Read, 6, expected, 0));
  EXPECT_EQ(Handle(Request(kV1Read, 6, {})), Reply(kV1Read, 6, expected));
  EXPECT_EQ(Handle(Request(kV2Write, 6, {0xA0})), Reply(kV2Write, 6, kRcNotSupported));
}

Bytes Output(const std::string& text) {
  Bytes out = {0xA1, 0x66, 'o', 'u', 't', 'p', 'u', 't'};
  if (text.size() < 24) {
    out.push_back(static_cast<uint8_t>(0x60 + text.size()));
  } else {
    out.push_back(0x78);
    out.push_back(static_cast<uint8_t>(text.size()));
  }
  out.insert(out.end(), text.begin(), text.end());
  return out;
}

TEST_F(OsGroupTest, InfoDefaultIsKernelName) {
  EXPECT_EQ(Handle(Request(kV2Read, 7, {0xA0})), Reply(kV2Read, 7, Output("bleota")));
  EXPECT_EQ(Handle(Request(kV2Read, 7, Map({Text("format"), Text("")}))),
            Reply(kV2Read, 7, Output("bleota")));
}

TEST_F(OsGroupTest, InfoAllInUnameOrder) {
  const std::string all =
      "bleota dk-1 1.2.3 1.2.3+4 2026-11-25T18:00:00 arm cortex-m4 nrf52840dk unknown";
  EXPECT_EQ(Handle(Request(kV2Read, 7, Map({Text("format"), Text("a")}))),
            Reply(kV2Read, 7, Output(all)));
  EXPECT_EQ(Handle(Request(kV2Read, 7, Map({Text("format"), Text("snvbrmpio")}))),
            Reply(kV2Read, 7, Output(all)));
  // Letters in any order and repeated: the output keeps the fixed order, each field once.
  EXPECT_EQ(Handle(Request(kV1Read, 7, Map({Text("format"), Text("mism")}))),
            Reply(kV1Read, 7, Output("bleota arm nrf52840dk")));
  EXPECT_EQ(Handle(Request(kV2Read, 7, Map({Text("format"), Text("o")}))),
            Reply(kV2Read, 7, Output("unknown")));
}

TEST_F(OsGroupTest, InfoUnknownLetterIsInvalidFormat) {
  for (const char* format : {"x", "sx", "A", " "}) {
    EXPECT_EQ(Handle(Request(kV2Read, 7, Map({Text("format"), Text(format)}))),
              Reply(kV2Read, 7, GroupErr(2)))
        << format;
    // v1: INVALID_FORMAT translates to INVALID (3).
    EXPECT_EQ(Handle(Request(kV1Read, 7, Map({Text("format"), Text(format)}))),
              Reply(kV1Read, 7, kRcInvalid));
  }
  EXPECT_EQ(Handle(Request(kV2Read, 7, Map({Text("format"), {0x01}}))),
            Reply(kV2Read, 7, kRcInvalid));
  EXPECT_EQ(Handle(Request(kV2Write, 7, {0xA0})), Reply(kV2Write, 7, kRcNotSupported));
}

TEST_F(OsGroupTest, BootloaderInfo) {
  EXPECT_EQ(Handle(Request(kV2Read, 8, {0xA0})),
            Reply(kV2Read, 8, Map({Text("bootloader"), Text("bleota")})));
  // MCUboot's "mode" query has no answer: v2 err QUERY_YIELDS_NO_ANSWER (3), v1 NO_ENTRY (5).
  const Bytes mode = Map({Text("query"), Text("mode")});
  EXPECT_EQ(Handle(Request(kV2Read, 8, mode)), Reply(kV2Read, 8, GroupErr(3)));
  EXPECT_EQ(Handle(Request(kV1Read, 8, mode)), Reply(kV1Read, 8, {0xA1, 0x62, 'r', 'c', 0x05}));
  EXPECT_EQ(Handle(Request(kV2Read, 8, Map({Text("query"), {0x01}}))),
            Reply(kV2Read, 8, kRcInvalid));
  EXPECT_EQ(Handle(Request(kV2Write, 8, {0xA0})), Reply(kV2Write, 8, kRcNotSupported));
}

TEST_F(OsGroupTest, UnimplementedCommandsAreNotSupported) {
  for (uint8_t command : {1, 2, 3, 4, 9, 255}) {
    EXPECT_EQ(Handle(Request(kV2Read, command, {0xA0})), Reply(kV2Read, command, kRcNotSupported));
    EXPECT_EQ(Handle(Request(kV1Write, command, {0xA0})),
              Reply(kV1Write, command, kRcNotSupported));
  }
}

TEST_F(OsGroupTest, V1TranslationAsZephyr) {
  ASSERT_TRUE(group_.ok());
  EXPECT_EQ(group_->V1Rc(static_cast<uint16_t>(OsGroupRc::kUnknown)), SmpRc::kUnknown);
  EXPECT_EQ(group_->V1Rc(static_cast<uint16_t>(OsGroupRc::kInvalidFormat)), SmpRc::kInvalid);
  EXPECT_EQ(group_->V1Rc(static_cast<uint16_t>(OsGroupRc::kQueryYieldsNoAnswer)), SmpRc::kNoEntry);
  EXPECT_EQ(group_->V1Rc(static_cast<uint16_t>(OsGroupRc::kRtcNotSet)), SmpRc::kNoEntry);
  EXPECT_EQ(group_->V1Rc(static_cast<uint16_t>(OsGroupRc::kRtcCommandFailed)), SmpRc::kUnknown);
  EXPECT_EQ(group_->V1Rc(static_cast<uint16_t>(OsGroupRc::kQueryResponseValueNotValid)),
            SmpRc::kUnknown);
  EXPECT_EQ(group_->V1Rc(1000), SmpRc::kUnknown);
  EXPECT_EQ(group_->group_id(), 0);
}

TEST(OsGroupCreateTest, RefusesBadConfig) {
  ResetRequest reset;
  OsGroupConfig config = TestConfig();
  EXPECT_TRUE(OsGroup::Create(config, reset).ok());
  for (uint32_t size : {0u, static_cast<uint32_t>(kSmpMinResponseSize - 1),
                        static_cast<uint32_t>(kSmpMaxPacketSize + 1)}) {
    config = TestConfig();
    config.buf_size = size;
    EXPECT_EQ(OsGroup::Create(config, reset).status().code(), StatusCode::kInvalidArgument);
  }
  config = TestConfig();
  config.buf_count = 0;
  EXPECT_EQ(OsGroup::Create(config, reset).status().code(), StatusCode::kInvalidArgument);

  // Nine fields and eight spaces: exactly kOsInfoMaxOutput is accepted, one more is not.
  const std::string field(kOsInfoMaxOutput / 9 - 1, 'f');  // 27
  config = TestConfig();
  std::string last(kOsInfoMaxOutput - 8 * field.size() - 8, 'l');
  config.info = {field, field, field, field, field, field, field, field, last};
  EXPECT_TRUE(OsGroup::Create(config, reset).ok());
  last.push_back('l');
  config.info.operating_system = last;
  EXPECT_EQ(OsGroup::Create(config, reset).status().code(), StatusCode::kInvalidArgument);
}

TEST(OsGroupCreateTest, LongestInfoOutputIsWritten) {
  ResetRequest reset;
  OsGroupConfig config = TestConfig();
  const std::string field(27, 'f');
  const std::string last(kOsInfoMaxOutput - 8 * 27 - 8, 'l');
  config.info = {field, field, field, field, field, field, field, field, last};
  Result<OsGroup> group = OsGroup::Create(config, reset);
  ASSERT_TRUE(group.ok());
  SmpGroup* groups[] = {&*group};
  SmpServer server(groups);
  std::string all;
  for (int i = 0; i < 8; ++i) all += field + " ";
  all += last;
  ASSERT_EQ(all.size(), kOsInfoMaxOutput);
  Bytes expected = {0xA1, 0x66, 'o', 'u', 't', 'p', 'u', 't', 0x79, 0x01, 0x00};
  expected.insert(expected.end(), all.begin(), all.end());
  Bytes response(512);
  const Bytes request = Request(kV2Read, 7, Map({Text("format"), Text("a")}));
  const Result<size_t> size = server.Handle(request, response);
  ASSERT_TRUE(size.ok());
  response.resize(*size);
  EXPECT_EQ(response, Reply(kV2Read, 7, expected));
}

}  // namespace
}  // namespace bleota::smp
