// SMP request encoding against hand-made bytes (v1 and v2 headers + CBOR), reply parsing and
// error decoding (v1 rc, v2 err, names and meanings).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bleota/host/error.hpp"
#include "bleota/host/smp_device_error.hpp"
#include "bleota/host/smp_message.hpp"
#include "bleota/host/smp_rc_names.hpp"

namespace bleota::host {
namespace {

using nlohmann::json;
using Bytes = std::vector<uint8_t>;

Bytes Concat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

TEST(SmpRequestTest, EchoV2) {
  const SmpCommand echo{smp::SmpOp::kWrite, 0, 0, {{"d", "hi"}}};
  // byte 0: version 1 (v2) in bits 4-3, op 2 (write): 0x0a. {"d": "hi"}: a1 61 64 62 68 69.
  const Bytes expected = {0x0a, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42,
                          0x00, 0xa1, 0x61, 0x64, 0x62, 0x68, 0x69};
  EXPECT_EQ(EncodeSmpRequest(echo, smp::SmpVersion::kV2, 0x42), expected);
}

TEST(SmpRequestTest, ParamsReadV1EmptyMap) {
  const SmpCommand params{smp::SmpOp::kRead, 0, 6, json::object()};
  const Bytes expected = {0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x07, 0x06, 0xa0};
  EXPECT_EQ(EncodeSmpRequest(params, smp::SmpVersion::kV1, 7), expected);
}

TEST(SmpRequestTest, FirstUploadChunkV1) {
  const Bytes sha(32, 0xab);
  const SmpCommand upload{smp::SmpOp::kWrite,
                          1,
                          1,
                          {{"off", 0},
                           {"data", json::binary(Bytes{1, 2})},
                           {"image", 0},
                           {"len", 300},
                           {"sha", json::binary(sha)}}};
  // Keys in sorted order: data, image, len, off, sha.
  const Bytes cbor = Concat({{0xa5},
                             {0x64, 'd', 'a', 't', 'a', 0x42, 0x01, 0x02},
                             {0x65, 'i', 'm', 'a', 'g', 'e', 0x00},
                             {0x63, 'l', 'e', 'n', 0x19, 0x01, 0x2c},
                             {0x63, 'o', 'f', 'f', 0x00},
                             {0x63, 's', 'h', 'a', 0x58, 0x20},
                             sha});
  ASSERT_EQ(cbor.size(), 66u);
  const Bytes expected = Concat({{0x02, 0x00, 0x00, 0x42, 0x00, 0x01, 0xff, 0x01}, cbor});
  EXPECT_EQ(EncodeSmpRequest(upload, smp::SmpVersion::kV1, 0xff), expected);
  EXPECT_EQ(SmpRequestSize(upload.payload), expected.size());
}

TEST(SmpRequestTest, LaterUploadChunkV2LongOffset) {
  const Bytes data(24, 0x5a);  // 24 bytes: the byte string head takes 2 bytes (58 18)
  const SmpCommand upload{smp::SmpOp::kWrite, 1, 1, {{"off", 70000}, {"data", json::binary(data)}}};
  const Bytes cbor = Concat({{0xa2, 0x64, 'd', 'a', 't', 'a', 0x58, 0x18},
                             data,
                             {0x63, 'o', 'f', 'f', 0x1a, 0x00, 0x01, 0x11, 0x70}});
  const Bytes expected =
      Concat({{0x0a, 0x00, 0x00, static_cast<uint8_t>(cbor.size()), 0x00, 0x01, 0x03, 0x01}, cbor});
  EXPECT_EQ(EncodeSmpRequest(upload, smp::SmpVersion::kV2, 3), expected);
}

TEST(SmpRequestTest, StateWriteTestV2) {
  const Bytes hash(32, 0x11);
  const SmpCommand state{
      smp::SmpOp::kWrite, 1, 0, {{"hash", json::binary(hash)}, {"confirm", false}}};
  const Bytes cbor = Concat({{0xa2, 0x67, 'c', 'o', 'n', 'f', 'i', 'r', 'm', 0xf4},
                             {0x64, 'h', 'a', 's', 'h', 0x58, 0x20},
                             hash});
  const Bytes expected = Concat({{0x0a, 0x00, 0x00, 0x31, 0x00, 0x01, 0x00, 0x00}, cbor});
  EXPECT_EQ(EncodeSmpRequest(state, smp::SmpVersion::kV2, 0), expected);
}

TEST(SmpRequestTest, RefusesResponseOpsAndOversizedPayloads) {
  const SmpCommand bad{smp::SmpOp::kReadRsp, 0, 0, json::object()};
  try {
    EncodeSmpRequest(bad, smp::SmpVersion::kV2, 0);
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kInternal);
  }
  const SmpCommand big{smp::SmpOp::kWrite, 1, 1, {{"data", json::binary(Bytes(70000))}}};
  try {
    EncodeSmpRequest(big, smp::SmpVersion::kV2, 0);
    FAIL();
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kUsage);
  }
}

TEST(SmpReplyTest, ParsesEchoReplyAndMatchesItsRequest) {
  const Bytes packet = {0x0b, 0x00, 0x00, 0x06, 0x00, 0x00, 0x42,
                        0x00, 0xa1, 0x61, 0x72, 0x62, 0x68, 0x69};
  const auto reply = ParseSmpReply(packet);
  ASSERT_TRUE(reply);
  EXPECT_TRUE(reply->payload_error.empty());
  EXPECT_EQ(reply->header.version, smp::SmpVersion::kV2);
  EXPECT_EQ(reply->payload.at("r"), "hi");
  const SmpCommand echo{smp::SmpOp::kWrite, 0, 0, {{"d", "hi"}}};
  EXPECT_TRUE(ReplyAnswers(*reply, echo, 0x42));
  EXPECT_FALSE(ReplyAnswers(*reply, echo, 0x43));
  EXPECT_FALSE(ReplyAnswers(*reply, SmpCommand{smp::SmpOp::kRead, 0, 0, {}}, 0x42));
  EXPECT_FALSE(ReplyAnswers(*reply, SmpCommand{smp::SmpOp::kWrite, 1, 0, {}}, 0x42));
  EXPECT_FALSE(ReplyAnswers(*reply, SmpCommand{smp::SmpOp::kWrite, 0, 1, {}}, 0x42));
}

TEST(SmpReplyTest, AcceptsIndefiniteMapsAndEmptyPayloads) {
  const Bytes indefinite = {0x09, 0x00, 0x00, 0x07, 0x00, 0x00, 0x01, 0x00,
                            0xbf, 0x61, 0x72, 0x62, 0x68, 0x69, 0xff};
  const auto reply = ParseSmpReply(indefinite);
  ASSERT_TRUE(reply);
  EXPECT_EQ(reply->payload.at("r"), "hi");
  const auto empty = ParseSmpReply(Bytes{0x0b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x05});
  ASSERT_TRUE(empty);
  EXPECT_TRUE(empty->payload.is_object());
  EXPECT_TRUE(empty->payload.empty());
}

TEST(SmpReplyTest, DropsPacketsThatAreNoReplies) {
  // A request op, a reserved bit, a length that does not match, a short packet, version 2.
  EXPECT_FALSE(ParseSmpReply(Bytes{0x0a, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0}));
  EXPECT_FALSE(ParseSmpReply(Bytes{0x2b, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0}));
  EXPECT_FALSE(ParseSmpReply(Bytes{0x0b, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0xa0}));
  EXPECT_FALSE(ParseSmpReply(Bytes{0x0b, 0x00, 0x00}));
  EXPECT_FALSE(ParseSmpReply(Bytes{0x13, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0xa0}));
}

TEST(SmpReplyTest, ReportsPayloadsThatAreNoMap) {
  const auto array = ParseSmpReply(Bytes{0x0b, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01, 0x00, 0x80});
  ASSERT_TRUE(array);
  EXPECT_NE(array->payload_error.find("not a map"), std::string::npos);
  const auto truncated =
      ParseSmpReply(Bytes{0x0b, 0x00, 0x00, 0x02, 0x00, 0x00, 0x01, 0x00, 0xa1, 0x61});
  ASSERT_TRUE(truncated);
  EXPECT_NE(truncated->payload_error.find("not valid CBOR"), std::string::npos);
}

TEST(SmpReplyTest, DecodesV1RcErrors) {
  // {"rc": 8}
  const auto reply = ParseSmpReply(
      Bytes{0x03, 0x00, 0x00, 0x05, 0x00, 0x01, 0x00, 0x01, 0xa1, 0x62, 'r', 'c', 0x08});
  ASSERT_TRUE(reply);
  const auto error = ReplyErrorCode(reply->payload, "upload");
  ASSERT_TRUE(error);
  EXPECT_FALSE(error->group_error);
  EXPECT_EQ(error->rc, 8);
  EXPECT_EQ(DescribeSmpError(*error),
            "rc 8 (not_supported): the device does not implement this command");
  EXPECT_FALSE(ReplyErrorCode(json{{"rc", 0}, {"off", 10}}, "upload"));
  EXPECT_FALSE(ReplyErrorCode(json{{"off", 10}}, "upload"));
}

TEST(SmpReplyTest, DecodesV2GroupErrorsWithReason) {
  // {"err": {"group": 1, "rc": 8}, "rsn": "x"}
  const Bytes cbor = {0xa2, 0x63, 'e', 'r', 'r',  0xa2, 0x65, 'g', 'r', 'o',  'u', 'p',
                      0x01, 0x62, 'r', 'c', 0x08, 0x63, 'r',  's', 'n', 0x61, 'x'};
  Bytes packet = {0x0b, 0x00, 0x00, static_cast<uint8_t>(cbor.size()), 0x00, 0x01, 0x09, 0x00};
  packet.insert(packet.end(), cbor.begin(), cbor.end());
  const auto reply = ParseSmpReply(packet);
  ASSERT_TRUE(reply);
  const auto error = ReplyErrorCode(reply->payload, "image test");
  ASSERT_TRUE(error);
  EXPECT_EQ(*error, (SmpErrorCode{true, 1, 8, "x"}));
  const std::string text = DescribeSmpError(*error);
  EXPECT_EQ(text,
            "image group rc 8 (hash_not_found): no image on the device has this hash, or the "
            "image is signed with a key the device does not trust (device says: x); take the "
            "hash from `bleota dfu image list`; sign with a key the device was provisioned "
            "with");
  const SmpDeviceError exception("image test", *error);
  EXPECT_EQ(exception.code(), ExitCode::kDevice);
  EXPECT_EQ(std::string(exception.what()), "image test failed: the device answered " + text);
  const json j = SmpErrorJson(*error);
  EXPECT_EQ(j.at("name"), "hash_not_found");
  EXPECT_EQ(j.at("group"), 1);
  EXPECT_EQ(j.at("rc"), 8);
  EXPECT_EQ(j.at("reason"), "x");
  // err with rc 0 is success.
  EXPECT_FALSE(ReplyErrorCode(json{{"err", {{"group", 1}, {"rc", 0}}}}, "x"));
}

TEST(SmpReplyTest, MalformedErrorFieldsAreDeviceErrors) {
  for (const json& payload : {json{{"rc", "eight"}}, json{{"rc", -1}}, json{{"err", 3}},
                              json{{"err", {{"rc", 3}}}}, json{{"rc", 70000}}}) {
    try {
      ReplyErrorCode(payload, "echo");
      FAIL() << payload.dump();
    } catch (const HostError& e) {
      EXPECT_EQ(e.code(), ExitCode::kDevice) << payload.dump();
      EXPECT_NE(std::string(e.what()).find("malformed reply to echo"), std::string::npos);
    }
  }
}

TEST(SmpRcNamesTest, NamesEveryGenericAndGroupCode) {
  EXPECT_EQ(DescribeGenericRc(0).name, "ok");
  EXPECT_EQ(DescribeGenericRc(10).name, "busy");
  EXPECT_EQ(DescribeGenericRc(13).name, "unsupported_too_new");
  EXPECT_EQ(DescribeGenericRc(13).advice, "use --smp-version 1");
  EXPECT_EQ(DescribeGenericRc(14).name, "rc_14");
  EXPECT_EQ(DescribeGroupRc(0, 2).name, "os_invalid_format");
  EXPECT_EQ(DescribeGroupRc(1, 20).name, "invalid_offset");
  EXPECT_EQ(DescribeGroupRc(1, 28).name, "image_already_pending");
  EXPECT_EQ(DescribeGroupRc(1, 30).name, "invalid_image_too_large");
  EXPECT_EQ(DescribeGroupRc(1, 33).name, "image_setting_test_to_active_denied");
  EXPECT_EQ(DescribeGroupRc(1, 99).name, "rc_99");
  EXPECT_EQ(DescribeGroupRc(9, 1).meaning, "group 9 error code 1");
  for (uint16_t rc = 0; rc < 14; ++rc) EXPECT_FALSE(DescribeGenericRc(rc).meaning.empty());
  for (uint16_t rc = 0; rc < 35; ++rc) EXPECT_FALSE(DescribeGroupRc(1, rc).meaning.empty());
}

}  // namespace
}  // namespace bleota::host
