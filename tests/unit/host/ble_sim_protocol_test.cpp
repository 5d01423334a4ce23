// The ble-sim protocol (docs/spec/ble-sim.md): the byte vectors of the spec for every message,
// round trips, and malformed records refused with the field named.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "bleota/host/ble_sim_protocol.hpp"
#include "bleota/host/error.hpp"

namespace bleota::host {
namespace {

using Bytes = std::vector<uint8_t>;

Bytes Cat(std::initializer_list<Bytes> parts) {
  Bytes out;
  for (const Bytes& p : parts) out.insert(out.end(), p.begin(), p.end());
  return out;
}

Bytes Text(const std::string& s) { return Bytes(s.begin(), s.end()); }

// The spec's vectors (docs/spec/ble-sim.md, "Test vectors"), byte for byte.
struct Vector {
  const char* name;
  BleSimMessage message;
  Bytes bytes;
};

std::vector<Vector> Vectors() {
  BleSimConnect iphone;
  iphone.profile = "iphone";
  iphone.overrides.att_mtu = 185;
  iphone.overrides.seed = 7;
  BleSimConnect all;
  all.profile = "1m-dle";
  all.overrides = {BleSimPhy::k2M, 27, 23, 7500, 4, 1000, 0x1122334455667788ull};
  BleSimConnected connected;
  connected.att_mtu = 247;
  connected.phy = BleSimPhy::k2M;
  connected.encrypted = true;
  connected.max_ll_payload = 251;
  connected.max_packets_per_event = 0;
  connected.connection_interval_us = 15000;
  connected.packet_error_rate_ppm = 0;
  connected.seed = 1;
  connected.virtual_time_us = 0x10;
  connected.profile = "2m-dle";
  return {
      {"CONNECT 2m-dle", BleSimConnect{1, "2m-dle", {}},
       Cat({{0x01, 0x00, 0x23, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
             0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
             0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06},
            Text("2m-dle")})},
      {"CONNECT iphone, MTU 185, seed 7", iphone,
       Cat({{0x01, 0x00, 0x23, 0x00, 0x01, 0x00, 0x44, 0x00, 0x00, 0x00, 0x00,
             0x00, 0xB9, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
             0x00, 0x00, 0x07, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06},
            Text("iphone")})},
      {"CONNECT every override", all,
       Cat({{0x01, 0x00, 0x23, 0x00, 0x01, 0x00, 0x7F, 0x00, 0x02, 0x00, 0x1B,
             0x00, 0x17, 0x00, 0x04, 0x00, 0x4C, 0x1D, 0x00, 0x00, 0xE8, 0x03,
             0x00, 0x00, 0x88, 0x77, 0x66, 0x55, 0x44, 0x33, 0x22, 0x11, 0x06},
            Text("1m-dle")})},
      {"WRITE two values",
       BleSimWrite{{{0x01, 0x02, 0x03}, {0x04}}},
       {0x02, 0x00, 0x0A, 0x00, 0x02, 0x00, 0x03, 0x00, 0x01, 0x02, 0x03, 0x01, 0x00, 0x04}},
      {"RUN", BleSimRun{}, {0x03, 0x00, 0x00, 0x00}},
      {"DISCONNECT", BleSimDisconnect{}, {0x04, 0x00, 0x00, 0x00}},
      {"CONNECTED 2m-dle", connected,
       Cat({{0x81, 0x00, 0x2B, 0x00, 0x01, 0x00, 0xF7, 0x00, 0x02, 0x01, 0xFB, 0x00, 0x00, 0x00,
             0x00, 0x00, 0x98, 0x3A, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00,
             0x00, 0x00, 0x00, 0x00, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x06},
            Text("2m-dle")})},
      {"NOTIFY",
       BleSimNotify{20000, {0xAA, 0xBB}},
       {0x82, 0x00, 0x0C, 0x00, 0x20, 0x4E, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0xAA,
        0xBB}},
      {"IDLE",
       BleSimIdle{0x0102030405060708ull},
       {0x83, 0x00, 0x08, 0x00, 0x08, 0x07, 0x06, 0x05, 0x04, 0x03, 0x02, 0x01}},
      {"DISCONNECTED device_reset",
       BleSimDisconnected{1500000, BleSimDisconnectReason::kDeviceReset},
       {0x84, 0x00, 0x09, 0x00, 0x60, 0xE3, 0x16, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02}},
      {"ERROR refused",
       BleSimError{BleSimErrorKind::kRefused, "bad"},
       {0xFF, 0x00, 0x04, 0x00, 0x02, 0x62, 0x61, 0x64}},
  };
}

TEST(BleSimProtocolTest, SpecVectorsEncodeAndDecode) {
  for (const Vector& v : Vectors()) {
    SCOPED_TRACE(v.name);
    EXPECT_EQ(EncodeBleSimMessage(v.message), v.bytes);
    const BleSimDecodeResult decoded = DecodeBleSimMessage(v.bytes);
    ASSERT_TRUE(decoded.message) << decoded.error;
    EXPECT_TRUE(*decoded.message == v.message);
  }
}

TEST(BleSimProtocolTest, LargestMessagesRoundTrip) {
  BleSimWrite write;
  for (size_t i = 0; i < 31; ++i) write.values.push_back(Bytes(512, static_cast<uint8_t>(i)));
  const Bytes record = EncodeBleSimMessage(write);
  EXPECT_EQ(record.size(), 4u + 2u + 31u * 514u);
  const BleSimDecodeResult decoded = DecodeBleSimMessage(record);
  ASSERT_TRUE(decoded.message) << decoded.error;
  EXPECT_TRUE(*decoded.message == BleSimMessage(write));

  // 512 values of MTU 23 (20 bytes) fit; 513 do not.
  BleSimWrite small;
  small.values.assign(512, Bytes(20, 0x5A));
  EXPECT_TRUE(DecodeBleSimMessage(EncodeBleSimMessage(small)).message);
  small.values.push_back(Bytes(20, 0x5A));
  EXPECT_THROW(EncodeBleSimMessage(small), HostError);

  const BleSimError error{BleSimErrorKind::kInternal, std::string(1024, 'x')};
  EXPECT_TRUE(DecodeBleSimMessage(EncodeBleSimMessage(error)).message);
  EXPECT_TRUE(DecodeBleSimMessage(EncodeBleSimMessage(BleSimNotify{1, Bytes(512, 1)})).message);
}

TEST(BleSimProtocolTest, EncoderRefusesFieldsOutOfBounds) {
  EXPECT_THROW(EncodeBleSimMessage(BleSimConnect{1, "bad name", {}}), HostError);
  EXPECT_THROW(EncodeBleSimMessage(BleSimConnect{1, "", {}}), HostError);
  EXPECT_THROW(EncodeBleSimMessage(BleSimConnect{1, std::string(33, 'a'), {}}), HostError);
  BleSimConnect mtu{1, "2m-dle", {}};
  mtu.overrides.att_mtu = 518;
  EXPECT_THROW(EncodeBleSimMessage(mtu), HostError);
  BleSimConnect interval{1, "2m-dle", {}};
  interval.overrides.connection_interval_us = 7501;
  EXPECT_THROW(EncodeBleSimMessage(interval), HostError);
  EXPECT_THROW(EncodeBleSimMessage(BleSimWrite{}), HostError);
  EXPECT_THROW(EncodeBleSimMessage(BleSimWrite{{Bytes(513, 0)}}), HostError);
  EXPECT_THROW(EncodeBleSimMessage(BleSimWrite{{Bytes{}}}), HostError);
  EXPECT_THROW(EncodeBleSimMessage(BleSimNotify{0, {}}), HostError);
  EXPECT_THROW(EncodeBleSimMessage(BleSimError{BleSimErrorKind::kProtocol, "a\nb"}), HostError);
  EXPECT_THROW(EncodeBleSimMessage(BleSimError{BleSimErrorKind::kProtocol, ""}), HostError);
  // A WRITE over the record limit: 32 full values.
  EXPECT_THROW(EncodeBleSimMessage(BleSimWrite{std::vector<Bytes>(32, Bytes(512, 0))}), HostError);
}

// Each malformed record is refused, and the reason names what is wrong.
struct Malformed {
  const char* name;
  Bytes bytes;
  const char* reason;
};

Bytes Connect2mDle() { return Vectors()[0].bytes; }

Bytes With(Bytes bytes, size_t at, uint8_t value) {
  bytes.at(at) = value;
  return bytes;
}

TEST(BleSimProtocolTest, MalformedRecordsAreRefused) {
  Bytes long_name = Connect2mDle();
  long_name[32] = 33;
  long_name.resize(33);
  long_name.insert(long_name.end(), 33, 'a');
  long_name[2] = static_cast<uint8_t>(long_name.size() - 4);
  const Bytes oversized(kBleSimMaxMessageSize + 1, 0);
  Bytes long_error = {0xFF, 0x00, 0x02, 0x04, 0x01};
  long_error.insert(long_error.end(), 1025, 'x');
  const std::vector<Malformed> cases = {
      {"empty", {}, "shorter than the 4-byte header"},
      {"3 bytes", {0x03, 0x00, 0x00}, "shorter than the 4-byte header"},
      {"over the limit", oversized, "exceeds the 16384-byte limit"},
      {"flags", {0x03, 0x01, 0x00, 0x00}, "flags are not 0"},
      {"length too long", {0x03, 0x00, 0x01, 0x00}, "body length 1 but the record holds 0"},
      {"length too short", {0x03, 0x00, 0x00, 0x00, 0x00}, "body length 0 but the record holds 1"},
      {"unknown type 0x05", {0x05, 0x00, 0x00, 0x00}, "unknown message type 0x05"},
      {"unknown type 0x80", {0x80, 0x00, 0x00, 0x00}, "unknown message type 0x80"},
      {"RUN with a body", {0x03, 0x00, 0x01, 0x00, 0x00}, "RUN: body of 1 bytes, expected 0"},
      {"DISCONNECT with a body", {0x04, 0x00, 0x01, 0x00, 0x00}, "DISCONNECT: body of 1 bytes"},
      {"CONNECT version 2", With(Connect2mDle(), 4, 2), "protocol version 2 is not supported"},
      {"CONNECT short", {0x01, 0x00, 0x03, 0x00, 0x01, 0x00, 0x00}, "at least 30 expected"},
      {"CONNECT unknown override bit", With(Connect2mDle(), 6, 0x80), "unknown override bits"},
      {"CONNECT reserved", With(Connect2mDle(), 9, 1), "reserved byte is not 0"},
      {"CONNECT field set without its bit", With(Connect2mDle(), 12, 23),
       "a field that is not overridden is not 0"},
      {"CONNECT MTU 22", With(With(Connect2mDle(), 6, 0x04), 12, 22),
       "att_mtu 22 is outside 23..517"},
      {"CONNECT LL payload 26", With(With(Connect2mDle(), 6, 0x02), 10, 26),
       "max_ll_payload 26 is outside 27..251"},
      {"CONNECT phy 3", With(With(Connect2mDle(), 6, 0x01), 8, 3), "phy 3 is not 1 or 2"},
      {"CONNECT interval 7501", With(With(With(Connect2mDle(), 6, 0x08), 16, 0x4D), 17, 0x1D),
       "connection_interval_us 7501 is not a multiple of 1250"},
      {"CONNECT loss 1000000",
       With(With(With(With(Connect2mDle(), 6, 0x20), 20, 0x40), 21, 0x42), 22, 0x0F),
       "packet_error_rate_ppm 1000000 is over 999999"},
      {"CONNECT name length", With(Connect2mDle(), 32, 5), "profile name length 5 but 6"},
      {"CONNECT name 33 bytes", long_name, "the profile name is not 1..32"},
      {"CONNECT name character", With(Connect2mDle(), 35, ' '), "the profile name is not"},
      {"WRITE no count", {0x02, 0x00, 0x01, 0x00, 0x01}, "shorter than the count field"},
      {"WRITE count 0", {0x02, 0x00, 0x02, 0x00, 0x00, 0x00}, "count 0 is outside 1..512"},
      {"WRITE count 513", {0x02, 0x00, 0x02, 0x00, 0x01, 0x02}, "count 513 is outside 1..512"},
      {"WRITE empty value",
       {0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 0x00},
       "value 0 of 0 bytes is outside 1..512"},
      {"WRITE value 513", {0x02, 0x00, 0x04, 0x00, 0x01, 0x00, 0x01, 0x02}, "value 0 of 513 bytes"},
      {"WRITE value cut off",
       {0x02, 0x00, 0x05, 0x00, 0x01, 0x00, 0x02, 0x00, 0x01},
       "value 0 is cut off"},
      {"WRITE second value missing",
       {0x02, 0x00, 0x05, 0x00, 0x02, 0x00, 0x01, 0x00, 0x01},
       "value 1 is cut off"},
      {"WRITE trailing bytes",
       {0x02, 0x00, 0x06, 0x00, 0x01, 0x00, 0x01, 0x00, 0x01, 0x09},
       "1 bytes after the last value"},
      {"NOTIFY empty value",
       {0x82, 0x00, 0x0A, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00},
       "at least 11 expected"},
      {"NOTIFY zero length",
       {0x82, 0x00, 0x0B, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x00, 0x01},
       "value of 0 bytes is outside 1..512"},
      {"NOTIFY length mismatch",
       {0x82, 0x00, 0x0B, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0x01},
       "value length 2 but 1 bytes follow"},
      {"IDLE short", {0x83, 0x00, 0x07, 0x00, 0, 0, 0, 0, 0, 0, 0}, "IDLE: body of 7 bytes"},
      {"DISCONNECTED reason 0",
       {0x84, 0x00, 0x09, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x00},
       "reason 0 is not one of 1..5"},
      {"DISCONNECTED reason 6",
       {0x84, 0x00, 0x09, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x06},
       "reason 6 is not one of 1..5"},
      {"ERROR empty", {0xFF, 0x00, 0x00, 0x00}, "ERROR: empty body"},
      {"ERROR kind 0", {0xFF, 0x00, 0x02, 0x00, 0x00, 0x41}, "kind 0 is not one of 1..4"},
      {"ERROR no text", {0xFF, 0x00, 0x01, 0x00, 0x01}, "text of 0 bytes"},
      {"ERROR control character",
       {0xFF, 0x00, 0x03, 0x00, 0x01, 0x41, 0x0A},
       "text is not printable ASCII"},
      {"ERROR text 1025", long_error, "text of 1025 bytes"},
      {"CONNECTED encrypted 2", With(Vectors()[6].bytes, 9, 2), "encrypted is not 0 or 1"},
      {"CONNECTED reserved", With(Vectors()[6].bytes, 14, 1), "reserved field is not 0"},
      {"CONNECTED MTU 600", With(With(Vectors()[6].bytes, 6, 0x58), 7, 0x02),
       "att_mtu 600 is outside 23..517"},
  };
  for (const Malformed& m : cases) {
    SCOPED_TRACE(m.name);
    const BleSimDecodeResult decoded = DecodeBleSimMessage(m.bytes);
    EXPECT_FALSE(decoded.message);
    EXPECT_NE(decoded.error.find(m.reason), std::string::npos) << decoded.error;
  }
}

TEST(BleSimProtocolTest, EveryTruncationOfTheVectorsIsRefused) {
  // A record cut short (with its length field fixed up, or not) never decodes.
  for (const Vector& v : Vectors()) {
    for (size_t size = 0; size < v.bytes.size(); ++size) {
      Bytes cut(v.bytes.begin(), v.bytes.begin() + static_cast<std::ptrdiff_t>(size));
      EXPECT_FALSE(DecodeBleSimMessage(cut).message) << v.name << " cut at " << size;
      // An ERROR's text is the rest of its body: a shorter text is another valid ERROR.
      if (size > kBleSimHeaderSize && BleSimTypeOf(v.message) != BleSimType::kError) {
        cut[2] = static_cast<uint8_t>(size - 4);
        cut[3] = 0;
        const BleSimDecodeResult fixed = DecodeBleSimMessage(cut);
        EXPECT_FALSE(fixed.message) << v.name << " cut at " << size << " with its length fixed";
      }
    }
  }
}

TEST(BleSimProtocolTest, NamesAndHelpers) {
  EXPECT_TRUE(IsValidBleSimProfileName("android-fast"));
  EXPECT_TRUE(IsValidBleSimProfileName("nrf_dongle.v2"));
  EXPECT_FALSE(IsValidBleSimProfileName("a/b"));
  EXPECT_EQ(BleSimErrorText("tab\there"), "tab?here");
  EXPECT_EQ(BleSimErrorText(""), "error");
  EXPECT_EQ(BleSimErrorText(std::string(2000, 'y')).size(), 1024u);
  EXPECT_STREQ(BleSimDisconnectReasonName(BleSimDisconnectReason::kNotAdvertising),
               "not_advertising");
  EXPECT_TRUE(IsCentralMessage(BleSimType::kRun));
  EXPECT_FALSE(IsCentralMessage(BleSimType::kNotify));
  EXPECT_STREQ(BleSimTypeName(BleSimType::kDisconnected), "DISCONNECTED");
}

}  // namespace
}  // namespace bleota::host
