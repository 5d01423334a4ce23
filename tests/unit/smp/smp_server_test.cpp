// SmpServer: request checks, response headers, error replies in v1 and v2 (docs/spec/smp.md,
// "Server"). Requests and replies are hand-made byte vectors.
#include "bleota/smp/smp_server.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bleota/smp/smp_rc.hpp"

namespace bleota::smp {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint16_t kTestGroup = 0x40;

// A group whose command ids pick the outcome.
class TestGroup final : public SmpGroup {
 public:
  enum Command : uint8_t {
    kWriteMap = 0,      // {"v": 1}
    kGroupError = 1,    // Group(kTestGroup, 9)
    kGenericError = 2,  // Generic(kBadState)
    kWriteLong = 3,     // {"t": 100-char text}
    kPartialError = 4,  // writes a map, then Group(kTestGroup, 5)
    kForeignError = 5,  // Group(0x1234, 2): a group the server does not know
    kLargestError = 6,  // Group(65535, 65535)
  };

  uint16_t group_id() const override { return kTestGroup; }

  SmpOutcome Handle(const SmpRequest& request, CborWriter& response) override {
    ++calls;
    last_header = request.header;
    last_payload.assign(request.payload.begin(), request.payload.end());
    switch (request.header.command) {
      case kWriteMap:
        response.BeginMap(1);
        response.WriteText("v");
        response.WriteUint(1);
        return SmpOutcome::Ok();
      case kGroupError:
        return SmpOutcome::Group(kTestGroup, 9);
      case kGenericError:
        return SmpOutcome::Generic(SmpRc::kBadState);
      case kWriteLong:
        response.BeginMap(1);
        response.WriteText("t");
        response.WriteText(std::string(100, 'x'));
        return SmpOutcome::Ok();
      case kPartialError:
        response.BeginMap(1);
        response.WriteText("v");
        response.WriteUint(2);
        return SmpOutcome::Group(kTestGroup, 5);
      case kForeignError:
        return SmpOutcome::Group(0x1234, 2);
      case kLargestError:
        return SmpOutcome::Group(0xFFFF, 0xFFFF);
      default:
        return SmpOutcome::Generic(SmpRc::kNotSupported);
    }
  }

  SmpRc V1Rc(uint16_t group_rc) const override {
    return group_rc == 9 ? SmpRc::kBusy : SmpRc::kUnknown;
  }

  int calls = 0;
  SmpHeader last_header;
  Bytes last_payload;
};

class SmpServerTest : public ::testing::Test {
 protected:
  Bytes Handle(const Bytes& request, size_t response_size = 256) {
    Bytes response(response_size, 0xEE);
    const Result<size_t> size = server_.Handle(request, response);
    EXPECT_TRUE(size.ok()) << size.status().name();
    if (!size.ok()) return {};
    response.resize(*size);
    return response;
  }

  TestGroup group_;
  SmpGroup* groups_[1] = {&group_};
  SmpServer server_{groups_};
};

// {"rc": N} for N < 24.
Bytes RcPayload(uint8_t rc) { return {0xA1, 0x62, 'r', 'c', rc}; }

Bytes Concat(Bytes a, const Bytes& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST_F(SmpServerTest, V2ReadAnsweredInV2WithHandlerMap) {
  // v2 read, group 0x40, sequence 0x2A, command 0, payload {}.
  const Bytes request = {0x08, 0x00, 0x00, 0x01, 0x00, 0x40, 0x2A, 0x00, 0xA0};
  const Bytes expected = {0x09, 0x00, 0x00, 0x04, 0x00, 0x40, 0x2A, 0x00, 0xA1, 0x61, 'v', 0x01};
  EXPECT_EQ(Handle(request), expected);
  EXPECT_EQ(group_.calls, 1);
  EXPECT_EQ(group_.last_payload, Bytes({0xA0}));
  EXPECT_EQ(group_.last_header.version, SmpVersion::kV2);
  EXPECT_EQ(group_.last_header.op, SmpOp::kRead);
}

TEST_F(SmpServerTest, V1WriteAnsweredInV1WriteResponse) {
  const Bytes request = {0x02, 0x00, 0x00, 0x01, 0x00, 0x40, 0xFF, 0x00, 0xA0};
  const Bytes expected = {0x03, 0x00, 0x00, 0x04, 0x00, 0x40, 0xFF, 0x00, 0xA1, 0x61, 'v', 0x01};
  EXPECT_EQ(Handle(request), expected);
}

TEST_F(SmpServerTest, ResponseFlagsAreZero) {
  const Bytes request = {0x0A, 0x5A, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0};
  const Bytes response = Handle(request);
  ASSERT_GE(response.size(), 8u);
  EXPECT_EQ(response[0], 0x0B);
  EXPECT_EQ(response[1], 0x00);
}

TEST_F(SmpServerTest, DefiniteAndIndefiniteMapsReachTheGroupUnchanged) {
  // {"d": "abc"} definite, then the same map indefinite.
  const Bytes definite = {0xA1, 0x61, 'd', 0x63, 'a', 'b', 'c'};
  const Bytes indefinite = {0xBF, 0x61, 'd', 0x63, 'a', 'b', 'c', 0xFF};
  for (const Bytes& payload : {definite, indefinite}) {
    Bytes request = {0x0A, 0x00, 0x00, static_cast<uint8_t>(payload.size()),
                     0x00, 0x40, 0x03, 0x00};
    request = Concat(request, payload);
    const Bytes response = Handle(request);
    ASSERT_EQ(response.size(), 12u);
    EXPECT_EQ(response[0], 0x0B);
    EXPECT_EQ(group_.last_payload, payload);
  }
  EXPECT_EQ(group_.calls, 2);
}

TEST_F(SmpServerTest, EmptyPayloadIsAnEmptyMap) {
  // mcumgr-web sends reset and image state requests without a payload.
  const Bytes request = {0x02, 0x00, 0x00, 0x00, 0x00, 0x40, 0x05, 0x00};
  const Bytes response = Handle(request);
  ASSERT_EQ(response.size(), 12u);
  EXPECT_EQ(group_.last_payload, Bytes({0xA0}));
}

TEST_F(SmpServerTest, GroupErrorV2IsErrMap) {
  const Bytes request = {0x0A, 0x00, 0x00, 0x01, 0x00, 0x40, 0x11, 0x01, 0xA0};
  // {"err": {"group": 64, "rc": 9}}
  const Bytes expected = {0x0B, 0x00, 0x00, 0x12, 0x00, 0x40, 0x11, 0x01, 0xA1,
                          0x63, 'e',  'r',  'r',  0xA2, 0x65, 'g',  'r',  'o',
                          'u',  'p',  0x18, 0x40, 0x62, 'r',  'c',  0x09};
  EXPECT_EQ(Handle(request), expected);
}

TEST_F(SmpServerTest, GroupErrorV1IsTranslatedRc) {
  const Bytes request = {0x02, 0x00, 0x00, 0x01, 0x00, 0x40, 0x11, 0x01, 0xA0};
  // The group maps its code 9 to BUSY (10).
  const Bytes expected = Concat({0x03, 0x00, 0x00, 0x05, 0x00, 0x40, 0x11, 0x01}, RcPayload(10));
  EXPECT_EQ(Handle(request), expected);
}

TEST_F(SmpServerTest, GroupErrorOfUnknownGroupIsUnknownInV1) {
  const Bytes v1 = {0x02, 0x00, 0x00, 0x01, 0x00, 0x40, 0x00, 0x05, 0xA0};
  EXPECT_EQ(Handle(v1), Concat({0x03, 0x00, 0x00, 0x05, 0x00, 0x40, 0x00, 0x05}, RcPayload(1)));
  const Bytes v2 = {0x0A, 0x00, 0x00, 0x01, 0x00, 0x40, 0x00, 0x05, 0xA0};
  // {"err": {"group": 0x1234, "rc": 2}}
  const Bytes expected = {0x0B, 0x00, 0x00, 0x13, 0x00, 0x40, 0x00, 0x05, 0xA1,
                          0x63, 'e',  'r',  'r',  0xA2, 0x65, 'g',  'r',  'o',
                          'u',  'p',  0x19, 0x12, 0x34, 0x62, 'r',  'c',  0x02};
  EXPECT_EQ(Handle(v2), expected);
}

TEST_F(SmpServerTest, GenericErrorIsRcInBothVersions) {
  const Bytes v1 = {0x00, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x02, 0xA0};
  EXPECT_EQ(Handle(v1), Concat({0x01, 0x00, 0x00, 0x05, 0x00, 0x40, 0x01, 0x02}, RcPayload(6)));
  const Bytes v2 = {0x08, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x02, 0xA0};
  EXPECT_EQ(Handle(v2), Concat({0x09, 0x00, 0x00, 0x05, 0x00, 0x40, 0x01, 0x02}, RcPayload(6)));
}

TEST_F(SmpServerTest, WhatAFailingHandlerWroteIsDiscarded) {
  const Bytes request = {0x02, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x04, 0xA0};
  // Code 5 translates to UNKNOWN (1) for v1; the {"v": 2} the handler wrote is gone.
  EXPECT_EQ(Handle(request),
            Concat({0x03, 0x00, 0x00, 0x05, 0x00, 0x40, 0x01, 0x04}, RcPayload(1)));
}

TEST_F(SmpServerTest, UnknownGroupIsNotSupported) {
  for (uint8_t version_op : {0x00, 0x02, 0x08, 0x0A}) {
    const Bytes request = {version_op, 0x00, 0x00, 0x01, 0x12, 0x34, 0x09, 0x07, 0xA0};
    const Bytes expected =
        Concat({static_cast<uint8_t>(version_op + 1), 0x00, 0x00, 0x05, 0x12, 0x34, 0x09, 0x07},
               RcPayload(8));
    EXPECT_EQ(Handle(request), expected);
  }
  EXPECT_EQ(group_.calls, 0);
}

TEST_F(SmpServerTest, UnknownCommandIsNotSupported) {
  const Bytes request = {0x0A, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x63, 0xA0};
  EXPECT_EQ(Handle(request),
            Concat({0x0B, 0x00, 0x00, 0x05, 0x00, 0x40, 0x01, 0x63}, RcPayload(8)));
}

TEST_F(SmpServerTest, ResponsesAndUndecodableHeadersAreNotAnswered) {
  const std::vector<Bytes> requests = {
      {},                                                      // nothing
      {0x08, 0x00, 0x00, 0x00, 0x00, 0x40, 0x01},              // 7 bytes
      {0x09, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0},  // read response
      {0x0B, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0},  // write response
      {0x01, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0},  // v1 read response
      {0x28, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0},  // reserved bit 5
      {0x88, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0},  // reserved bit 7
      {0x0C, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0},  // op 4
      {0x13, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0},  // version 2, write response
  };
  for (const Bytes& request : requests) {
    Bytes response(64, 0xEE);
    const Result<size_t> size = server_.Handle(request, response);
    ASSERT_TRUE(size.ok());
    EXPECT_EQ(*size, 0u);
  }
  EXPECT_EQ(group_.calls, 0);
}

TEST_F(SmpServerTest, FutureVersionIsAnsweredTooNewInV2) {
  // Versions 2 and 3 (header bits 4-3 = 10, 11), as Zephyr: MGMT_ERR_UNSUPPORTED_TOO_NEW (13).
  for (uint8_t first : {0x10, 0x18, 0x12, 0x1A}) {
    const Bytes request = {first, 0x00, 0x00, 0x01, 0x00, 0x40, 0x21, 0x00, 0xA0};
    const uint8_t op = static_cast<uint8_t>((first & 0x7) + 1);
    const Bytes expected = Concat(
        {static_cast<uint8_t>(0x08 | op), 0x00, 0x00, 0x05, 0x00, 0x40, 0x21, 0x00}, RcPayload(13));
    EXPECT_EQ(Handle(request), expected);
  }
  EXPECT_EQ(group_.calls, 0);
}

TEST_F(SmpServerTest, LengthMismatchIsCorrupt) {
  // Header length 2, one payload byte; header length 0, one byte; header length 1, two bytes.
  const std::vector<Bytes> requests = {
      {0x0A, 0x00, 0x00, 0x02, 0x00, 0x40, 0x01, 0x00, 0xA0},
      {0x0A, 0x00, 0x00, 0x00, 0x00, 0x40, 0x01, 0x00, 0xA0},
      {0x0A, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0, 0xA0},
      {0x0A, 0x00, 0xFF, 0xFF, 0x00, 0x40, 0x01, 0x00},
  };
  for (const Bytes& request : requests) {
    Bytes expected = {0x0B, 0x00, 0x00, 0x05, 0x00, 0x40, 0x01, 0x00};
    EXPECT_EQ(Handle(request), Concat(expected, RcPayload(9)));
  }
  EXPECT_EQ(group_.calls, 0);
}

TEST_F(SmpServerTest, PayloadThatIsNotOneMapIsInvalid) {
  const std::vector<Bytes> payloads = {
      {0x01},                                  // an integer
      {0x80},                                  // an empty array
      {0x60},                                  // an empty text
      {0xA0, 0x00},                            // a map and a trailing byte
      {0xA0, 0xA0},                            // two maps
      {0xA1, 0x61},                            // truncated key
      {0xA1, 0x61, 'd'},                       // key without value
      {0xBF, 0x61, 'd', 0x01},                 // indefinite map without break
      {0xBF, 0x61, 'd', 0xFF},                 // break where the value must be
      {0xA1, 0x61, 'd', 0xFA, 0, 0, 0, 0},     // a float value
      {0xA1, 0x61, 'd', 0xC0, 0x01},           // a tag
      {0xA1, 0x61, 'd', 0x5F, 0x41, 0, 0xFF},  // an indefinite byte string
      {0xFF},                                  // a lone break
      {0xA1, 0x61, 'd', 0x1C},                 // reserved additional information
  };
  for (const Bytes& payload : payloads) {
    Bytes request = {0x02, 0x00, 0x00, static_cast<uint8_t>(payload.size()),
                     0x00, 0x40, 0x01, 0x00};
    request = Concat(request, payload);
    EXPECT_EQ(Handle(request),
              Concat({0x03, 0x00, 0x00, 0x05, 0x00, 0x40, 0x01, 0x00}, RcPayload(3)))
        << "payload size " << payload.size();
  }
  EXPECT_EQ(group_.calls, 0);
}

TEST_F(SmpServerTest, DeeplyNestedPayloadIsInvalid) {
  // {"d": [[[[[[[[[]]]]]]]]]}: nine arrays inside the map, past the reader's depth limit.
  Bytes payload = {0xA1, 0x61, 'd'};
  payload.insert(payload.end(), 8, 0x81);
  payload.push_back(0x80);
  Bytes request = {0x0A, 0x00, 0x00, static_cast<uint8_t>(payload.size()), 0x00, 0x40, 0x01, 0x00};
  EXPECT_EQ(Handle(Concat(request, payload)),
            Concat({0x0B, 0x00, 0x00, 0x05, 0x00, 0x40, 0x01, 0x00}, RcPayload(3)));
}

TEST_F(SmpServerTest, ResponseThatDoesNotFitIsTooLarge) {
  const Bytes request = {0x0A, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x03, 0xA0};
  // {"t": 100 x} is 105 bytes: a 100-byte buffer cannot hold header + payload.
  EXPECT_EQ(Handle(request, 100),
            Concat({0x0B, 0x00, 0x00, 0x05, 0x00, 0x40, 0x01, 0x03}, RcPayload(7)));
  // 113 bytes hold it exactly.
  const Bytes response = Handle(request, 113);
  ASSERT_EQ(response.size(), 113u);
  EXPECT_EQ(response[3], 105);
}

TEST_F(SmpServerTest, LargestErrorFitsTheMinimumBuffer) {
  const Bytes request = {0x0A, 0x00, 0x00, 0x01, 0xFF, 0xFF, 0x01, 0x06, 0xA0};
  // The largest group id and code: 8 + 21 bytes, exactly kSmpMinResponseSize.
  class WideGroup final : public SmpGroup {
   public:
    uint16_t group_id() const override { return 0xFFFF; }
    SmpOutcome Handle(const SmpRequest&, CborWriter&) override {
      return SmpOutcome::Group(0xFFFF, 0xFFFF);
    }
    SmpRc V1Rc(uint16_t) const override { return SmpRc::kUnknown; }
  } wide;
  SmpGroup* groups[] = {&wide};
  SmpServer wide_server(groups);
  Bytes response(kSmpMinResponseSize);
  const Result<size_t> size = wide_server.Handle(request, response);
  ASSERT_TRUE(size.ok());
  const Bytes expected = {0x0B, 0x00, 0x00, 0x15, 0xFF, 0xFF, 0x01, 0x06, 0xA1, 0x63,
                          'e',  'r',  'r',  0xA2, 0x65, 'g',  'r',  'o',  'u',  'p',
                          0x19, 0xFF, 0xFF, 0x62, 'r',  'c',  0x19, 0xFF, 0xFF};
  EXPECT_EQ(*size, kSmpMinResponseSize);
  EXPECT_EQ(response, expected);
}

TEST_F(SmpServerTest, TooSmallResponseBufferIsRefused) {
  const Bytes request = {0x0A, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0};
  Bytes response(kSmpMinResponseSize - 1);
  const Result<size_t> size = server_.Handle(request, response);
  ASSERT_FALSE(size.ok());
  EXPECT_EQ(size.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(group_.calls, 0);
}

TEST_F(SmpServerTest, GroupsAreFoundById) {
  TestGroup other;
  class IdGroup final : public SmpGroup {
   public:
    uint16_t group_id() const override { return 1; }
    SmpOutcome Handle(const SmpRequest&, CborWriter& response) override {
      response.BeginMap(0);
      return SmpOutcome::Ok();
    }
    SmpRc V1Rc(uint16_t) const override { return SmpRc::kUnknown; }
  } image_like;
  SmpGroup* groups[] = {&image_like, &group_};
  SmpServer server(groups);
  Bytes response(64);
  const Bytes to_one = {0x08, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0xA0};
  const Result<size_t> one = server.Handle(to_one, response);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(Bytes(response.begin(), response.begin() + *one),
            Bytes({0x09, 0x00, 0x00, 0x01, 0x00, 0x01, 0x01, 0x00, 0xA0}));
  const Bytes to_test = {0x08, 0x00, 0x00, 0x01, 0x00, 0x40, 0x01, 0x00, 0xA0};
  ASSERT_TRUE(server.Handle(to_test, response).ok());
  EXPECT_EQ(group_.calls, 1);
}

TEST(SmpRcNameTest, NamesEveryCode) {
  EXPECT_STREQ(SmpRcName(SmpRc::kOk), "ok");
  EXPECT_STREQ(SmpRcName(SmpRc::kInvalid), "invalid");
  EXPECT_STREQ(SmpRcName(SmpRc::kTooLarge), "too_large");
  EXPECT_STREQ(SmpRcName(SmpRc::kNotSupported), "not_supported");
  EXPECT_STREQ(SmpRcName(SmpRc::kUnsupportedTooNew), "unsupported_too_new");
  EXPECT_STREQ(SmpRcName(static_cast<SmpRc>(256)), "unrecognized");
  for (uint16_t rc = 0; rc <= 13; ++rc) {
    EXPECT_STRNE(SmpRcName(static_cast<SmpRc>(rc)), "unrecognized") << rc;
  }
}

}  // namespace
}  // namespace bleota::smp
