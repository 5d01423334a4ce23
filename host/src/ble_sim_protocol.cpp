#include "bleota/host/ble_sim_protocol.hpp"

#include <cstdio>
#include <type_traits>

#include "bleota/host/error.hpp"

namespace bleota::host {
namespace {

// CONNECT override bits (docs/spec/ble-sim.md).
constexpr uint16_t kOverridePhy = 1u << 0;
constexpr uint16_t kOverrideLlPayload = 1u << 1;
constexpr uint16_t kOverrideMtu = 1u << 2;
constexpr uint16_t kOverrideInterval = 1u << 3;
constexpr uint16_t kOverridePacketsPerEvent = 1u << 4;
constexpr uint16_t kOverrideLoss = 1u << 5;
constexpr uint16_t kOverrideSeed = 1u << 6;
constexpr uint16_t kOverrideKnown = 0x7F;

constexpr size_t kConnectFixed = 29;    // through the name length
constexpr size_t kConnectedFixed = 37;  // through the name length
constexpr size_t kNotifyFixed = 10;

// Link-layer bounds of the Core specification (the link model may be stricter).
constexpr uint16_t kMinLlPayload = 27, kMaxLlPayload = 251;
constexpr uint16_t kMinAttMtu = 23, kMaxAttMtu = 517;
constexpr uint32_t kMinIntervalUs = 7500, kMaxIntervalUs = 4000000, kIntervalStepUs = 1250;
constexpr uint16_t kMaxPacketsPerEvent = 1000;
constexpr uint32_t kMaxLossPpm = 999999;

class Writer {
 public:
  void U8(uint8_t v) { bytes_.push_back(v); }
  void U16(uint16_t v) {
    U8(static_cast<uint8_t>(v));
    U8(static_cast<uint8_t>(v >> 8));
  }
  void U32(uint32_t v) {
    U16(static_cast<uint16_t>(v));
    U16(static_cast<uint16_t>(v >> 16));
  }
  void U64(uint64_t v) {
    U32(static_cast<uint32_t>(v));
    U32(static_cast<uint32_t>(v >> 32));
  }
  void Bytes(std::span<const uint8_t> b) { bytes_.insert(bytes_.end(), b.begin(), b.end()); }
  void Text(std::string_view t) { bytes_.insert(bytes_.end(), t.begin(), t.end()); }
  std::vector<uint8_t>& bytes() { return bytes_; }

 private:
  std::vector<uint8_t> bytes_;
};

// Reads a body front to back; every read is bounds-checked by the caller's size checks first.
class Reader {
 public:
  explicit Reader(std::span<const uint8_t> body) : body_(body) {}
  size_t left() const { return body_.size() - at_; }
  uint8_t U8() { return body_[at_++]; }
  uint16_t U16() {
    const uint16_t low = U8();
    return static_cast<uint16_t>(low | (U8() << 8));
  }
  uint32_t U32() {
    const uint32_t low = U16();
    return low | (static_cast<uint32_t>(U16()) << 16);
  }
  uint64_t U64() {
    const uint64_t low = U32();
    return low | (static_cast<uint64_t>(U32()) << 32);
  }
  std::span<const uint8_t> Take(size_t n) {
    const std::span<const uint8_t> out = body_.subspan(at_, n);
    at_ += n;
    return out;
  }

 private:
  std::span<const uint8_t> body_;
  size_t at_ = 0;
};

bool IsPrintable(std::string_view text) {
  for (char c : text) {
    if (c < 0x20 || c > 0x7E) return false;
  }
  return true;
}

void CheckValue(std::span<const uint8_t> value, const char* what) {
  if (value.empty() || value.size() > kBleSimMaxValueSize) {
    ThrowUsage(std::string(what) + " of " + std::to_string(value.size()) + " bytes is outside 1.." +
               std::to_string(kBleSimMaxValueSize));
  }
}

void CheckProfile(std::string_view name) {
  if (!IsValidBleSimProfileName(name)) {
    ThrowUsage("BLE profile name '" + BleSimErrorText(name) +
               "' is not 1..32 of the characters A-Z a-z 0-9 . _ -");
  }
}

// The format-level bounds of the link parameters; empty when they hold.
std::string CheckLinkFields(uint8_t phy, uint16_t ll_payload, uint16_t mtu, uint32_t interval,
                            uint16_t packets, uint32_t loss, bool phy_set, bool ll_set,
                            bool mtu_set, bool interval_set, bool packets_set, bool loss_set) {
  if (phy_set && phy != 1 && phy != 2) return "phy " + std::to_string(phy) + " is not 1 or 2";
  if (ll_set && (ll_payload < kMinLlPayload || ll_payload > kMaxLlPayload)) {
    return "max_ll_payload " + std::to_string(ll_payload) + " is outside 27..251";
  }
  if (mtu_set && (mtu < kMinAttMtu || mtu > kMaxAttMtu)) {
    return "att_mtu " + std::to_string(mtu) + " is outside 23..517";
  }
  if (interval_set &&
      (interval < kMinIntervalUs || interval > kMaxIntervalUs || interval % kIntervalStepUs != 0)) {
    return "connection_interval_us " + std::to_string(interval) +
           " is not a multiple of 1250 in 7500..4000000";
  }
  if (packets_set && packets > kMaxPacketsPerEvent) {
    return "max_packets_per_event " + std::to_string(packets) + " is over 1000";
  }
  if (loss_set && loss > kMaxLossPpm) {
    return "packet_error_rate_ppm " + std::to_string(loss) + " is over 999999";
  }
  return {};
}

void EncodeBody(const BleSimConnect& m, Writer& w) {
  CheckProfile(m.profile);
  const BleSimLinkOverrides& o = m.overrides;
  const std::string bad = CheckLinkFields(
      o.phy ? static_cast<uint8_t>(*o.phy) : 0, o.max_ll_payload.value_or(0), o.att_mtu.value_or(0),
      o.connection_interval_us.value_or(0), o.max_packets_per_event.value_or(0),
      o.packet_error_rate_ppm.value_or(0), o.phy.has_value(), o.max_ll_payload.has_value(),
      o.att_mtu.has_value(), o.connection_interval_us.has_value(),
      o.max_packets_per_event.has_value(), o.packet_error_rate_ppm.has_value());
  if (!bad.empty()) ThrowUsage("BLE link override: " + bad);
  uint16_t mask = 0;
  if (o.phy) mask |= kOverridePhy;
  if (o.max_ll_payload) mask |= kOverrideLlPayload;
  if (o.att_mtu) mask |= kOverrideMtu;
  if (o.connection_interval_us) mask |= kOverrideInterval;
  if (o.max_packets_per_event) mask |= kOverridePacketsPerEvent;
  if (o.packet_error_rate_ppm) mask |= kOverrideLoss;
  if (o.seed) mask |= kOverrideSeed;
  w.U16(m.version);
  w.U16(mask);
  w.U8(o.phy ? static_cast<uint8_t>(*o.phy) : 0);
  w.U8(0);
  w.U16(o.max_ll_payload.value_or(0));
  w.U16(o.att_mtu.value_or(0));
  w.U16(o.max_packets_per_event.value_or(0));
  w.U32(o.connection_interval_us.value_or(0));
  w.U32(o.packet_error_rate_ppm.value_or(0));
  w.U64(o.seed.value_or(0));
  w.U8(static_cast<uint8_t>(m.profile.size()));
  w.Text(m.profile);
}

void EncodeBody(const BleSimWrite& m, Writer& w) {
  if (m.values.empty() || m.values.size() > kBleSimMaxWrites) {
    ThrowUsage("a WRITE message holds 1.." + std::to_string(kBleSimMaxWrites) + " values, not " +
               std::to_string(m.values.size()));
  }
  w.U16(static_cast<uint16_t>(m.values.size()));
  for (const std::vector<uint8_t>& value : m.values) {
    CheckValue(value, "a Write Command value");
    w.U16(static_cast<uint16_t>(value.size()));
    w.Bytes(value);
  }
}

void EncodeBody(const BleSimRun&, Writer&) {}
void EncodeBody(const BleSimDisconnect&, Writer&) {}

void EncodeBody(const BleSimConnected& m, Writer& w) {
  CheckProfile(m.profile);
  const std::string bad = CheckLinkFields(
      static_cast<uint8_t>(m.phy), m.max_ll_payload, m.att_mtu, m.connection_interval_us,
      m.max_packets_per_event, m.packet_error_rate_ppm, true, true, true, true, true, true);
  if (!bad.empty()) ThrowUsage("CONNECTED: " + bad);
  w.U16(m.version);
  w.U16(m.att_mtu);
  w.U8(static_cast<uint8_t>(m.phy));
  w.U8(m.encrypted ? 1 : 0);
  w.U16(m.max_ll_payload);
  w.U16(m.max_packets_per_event);
  w.U16(0);
  w.U32(m.connection_interval_us);
  w.U32(m.packet_error_rate_ppm);
  w.U64(m.seed);
  w.U64(m.virtual_time_us);
  w.U8(static_cast<uint8_t>(m.profile.size()));
  w.Text(m.profile);
}

void EncodeBody(const BleSimNotify& m, Writer& w) {
  CheckValue(m.value, "a notification value");
  w.U64(m.virtual_time_us);
  w.U16(static_cast<uint16_t>(m.value.size()));
  w.Bytes(m.value);
}

void EncodeBody(const BleSimIdle& m, Writer& w) { w.U64(m.virtual_time_us); }

void EncodeBody(const BleSimDisconnected& m, Writer& w) {
  const uint8_t reason = static_cast<uint8_t>(m.reason);
  if (reason < 1 || reason > 5) ThrowUsage("DISCONNECTED: unknown reason");
  w.U64(m.virtual_time_us);
  w.U8(reason);
}

void EncodeBody(const BleSimError& m, Writer& w) {
  const uint8_t kind = static_cast<uint8_t>(m.kind);
  if (kind < 1 || kind > 4) ThrowUsage("ERROR: unknown kind");
  if (m.text.empty() || m.text.size() > kBleSimMaxErrorText || !IsPrintable(m.text)) {
    ThrowUsage("an ERROR text must be 1..1024 bytes of printable ASCII");
  }
  w.U8(kind);
  w.Text(m.text);
}

std::string Fail(BleSimType type, const std::string& what) {
  return std::string(BleSimTypeName(type)) + ": " + what;
}

// A body of exactly `size` bytes, or the error.
std::string ExpectSize(BleSimType type, size_t actual, size_t size) {
  if (actual == size) return {};
  return Fail(type,
              "body of " + std::to_string(actual) + " bytes, expected " + std::to_string(size));
}

bool ValidName(std::span<const uint8_t> bytes) {
  return IsValidBleSimProfileName(
      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

BleSimDecodeResult Error(std::string text) { return BleSimDecodeResult{std::nullopt, text}; }
BleSimDecodeResult Ok(BleSimMessage message) { return BleSimDecodeResult{message, {}}; }

// The version field both CONNECT and CONNECTED start with, then the fixed part's length
// (`fixed` bytes and a name of at least one). An error text, or nothing when both are right.
std::optional<std::string> CheckVersionAndFixedPart(BleSimType t, std::span<const uint8_t> body,
                                                    size_t fixed, Reader& r, uint16_t& version) {
  if (body.size() < 2) return Fail(t, "body shorter than the version field");
  version = r.U16();
  if (version != kBleSimProtocolVersion) {
    return Fail(t, "protocol version " + std::to_string(version) +
                       " is not supported (this side speaks " +
                       std::to_string(kBleSimProtocolVersion) + ")");
  }
  if (body.size() < fixed) {
    return Fail(t, "body of " + std::to_string(body.size()) + " bytes, at least " +
                       std::to_string(fixed + 1) + " expected");
  }
  return std::nullopt;
}

BleSimDecodeResult DecodeConnect(std::span<const uint8_t> body) {
  constexpr BleSimType t = BleSimType::kConnect;
  Reader r(body);
  BleSimConnect m;
  if (auto error = CheckVersionAndFixedPart(t, body, kConnectFixed, r, m.version)) {
    return Error(*error);
  }
  const uint16_t mask = r.U16();
  const uint8_t phy = r.U8();
  const uint8_t reserved = r.U8();
  const uint16_t ll = r.U16();
  const uint16_t mtu = r.U16();
  const uint16_t packets = r.U16();
  const uint32_t interval = r.U32();
  const uint32_t loss = r.U32();
  const uint64_t seed = r.U64();
  const uint8_t name_length = r.U8();
  if ((mask & ~kOverrideKnown) != 0) return Error(Fail(t, "unknown override bits"));
  if (reserved != 0) return Error(Fail(t, "reserved byte is not 0"));
  // A field that is not overridden is 0, so a record has one spelling.
  if ((!(mask & kOverridePhy) && phy != 0) || (!(mask & kOverrideLlPayload) && ll != 0) ||
      (!(mask & kOverrideMtu) && mtu != 0) ||
      (!(mask & kOverridePacketsPerEvent) && packets != 0) ||
      (!(mask & kOverrideInterval) && interval != 0) || (!(mask & kOverrideLoss) && loss != 0) ||
      (!(mask & kOverrideSeed) && seed != 0)) {
    return Error(Fail(t, "a field that is not overridden is not 0"));
  }
  const std::string bad =
      CheckLinkFields(phy, ll, mtu, interval, packets, loss, mask & kOverridePhy,
                      mask & kOverrideLlPayload, mask & kOverrideMtu, mask & kOverrideInterval,
                      mask & kOverridePacketsPerEvent, mask & kOverrideLoss);
  if (!bad.empty()) return Error(Fail(t, bad));
  if (r.left() != name_length) {
    return Error(Fail(t, "profile name length " + std::to_string(name_length) + " but " +
                             std::to_string(r.left()) + " bytes follow"));
  }
  const std::span<const uint8_t> name = r.Take(name_length);
  if (!ValidName(name)) {
    return Error(Fail(t, "the profile name is not 1..32 of A-Z a-z 0-9 . _ -"));
  }
  m.profile.assign(name.begin(), name.end());
  if (mask & kOverridePhy) m.overrides.phy = static_cast<BleSimPhy>(phy);
  if (mask & kOverrideLlPayload) m.overrides.max_ll_payload = ll;
  if (mask & kOverrideMtu) m.overrides.att_mtu = mtu;
  if (mask & kOverrideInterval) m.overrides.connection_interval_us = interval;
  if (mask & kOverridePacketsPerEvent) m.overrides.max_packets_per_event = packets;
  if (mask & kOverrideLoss) m.overrides.packet_error_rate_ppm = loss;
  if (mask & kOverrideSeed) m.overrides.seed = seed;
  return Ok(m);
}

BleSimDecodeResult DecodeWrite(std::span<const uint8_t> body) {
  constexpr BleSimType t = BleSimType::kWrite;
  if (body.size() < 2) return Error(Fail(t, "body shorter than the count field"));
  Reader r(body);
  const uint16_t count = r.U16();
  if (count == 0 || count > kBleSimMaxWrites) {
    return Error(Fail(t, "count " + std::to_string(count) + " is outside 1..512"));
  }
  BleSimWrite m;
  m.values.reserve(count);
  for (uint16_t i = 0; i < count; ++i) {
    if (r.left() < 2) return Error(Fail(t, "value " + std::to_string(i) + " is cut off"));
    const uint16_t length = r.U16();
    if (length == 0 || length > kBleSimMaxValueSize) {
      return Error(Fail(t, "value " + std::to_string(i) + " of " + std::to_string(length) +
                               " bytes is outside 1.." + std::to_string(kBleSimMaxValueSize)));
    }
    if (r.left() < length) return Error(Fail(t, "value " + std::to_string(i) + " is cut off"));
    const std::span<const uint8_t> value = r.Take(length);
    m.values.emplace_back(value.begin(), value.end());
  }
  if (r.left() != 0) {
    return Error(Fail(t, std::to_string(r.left()) + " bytes after the last value"));
  }
  return Ok(m);
}

BleSimDecodeResult DecodeConnected(std::span<const uint8_t> body) {
  constexpr BleSimType t = BleSimType::kConnected;
  Reader r(body);
  BleSimConnected m;
  if (auto error = CheckVersionAndFixedPart(t, body, kConnectedFixed, r, m.version)) {
    return Error(*error);
  }
  m.att_mtu = r.U16();
  const uint8_t phy = r.U8();
  const uint8_t encrypted = r.U8();
  m.max_ll_payload = r.U16();
  m.max_packets_per_event = r.U16();
  const uint16_t reserved = r.U16();
  m.connection_interval_us = r.U32();
  m.packet_error_rate_ppm = r.U32();
  m.seed = r.U64();
  m.virtual_time_us = r.U64();
  const uint8_t name_length = r.U8();
  if (encrypted > 1) return Error(Fail(t, "encrypted is not 0 or 1"));
  if (reserved != 0) return Error(Fail(t, "reserved field is not 0"));
  const std::string bad = CheckLinkFields(
      phy, m.max_ll_payload, m.att_mtu, m.connection_interval_us, m.max_packets_per_event,
      m.packet_error_rate_ppm, true, true, true, true, true, true);
  if (!bad.empty()) return Error(Fail(t, bad));
  if (r.left() != name_length) {
    return Error(Fail(t, "profile name length " + std::to_string(name_length) + " but " +
                             std::to_string(r.left()) + " bytes follow"));
  }
  const std::span<const uint8_t> name = r.Take(name_length);
  if (!ValidName(name)) {
    return Error(Fail(t, "the profile name is not 1..32 of A-Z a-z 0-9 . _ -"));
  }
  m.phy = static_cast<BleSimPhy>(phy);
  m.encrypted = encrypted == 1;
  m.profile.assign(name.begin(), name.end());
  return Ok(m);
}

BleSimDecodeResult DecodeNotify(std::span<const uint8_t> body) {
  constexpr BleSimType t = BleSimType::kNotify;
  if (body.size() < kNotifyFixed + 1) {
    return Error(
        Fail(t, "body of " + std::to_string(body.size()) + " bytes, at least 11 expected"));
  }
  Reader r(body);
  BleSimNotify m;
  m.virtual_time_us = r.U64();
  const uint16_t length = r.U16();
  if (length == 0 || length > kBleSimMaxValueSize) {
    return Error(Fail(t, "value of " + std::to_string(length) + " bytes is outside 1.." +
                             std::to_string(kBleSimMaxValueSize)));
  }
  if (r.left() != length) {
    return Error(Fail(t, "value length " + std::to_string(length) + " but " +
                             std::to_string(r.left()) + " bytes follow"));
  }
  const std::span<const uint8_t> value = r.Take(length);
  m.value.assign(value.begin(), value.end());
  return Ok(m);
}

BleSimDecodeResult DecodeDisconnected(std::span<const uint8_t> body) {
  constexpr BleSimType t = BleSimType::kDisconnected;
  if (std::string e = ExpectSize(t, body.size(), 9); !e.empty()) return Error(e);
  Reader r(body);
  BleSimDisconnected m;
  m.virtual_time_us = r.U64();
  const uint8_t reason = r.U8();
  if (reason < 1 || reason > 5) {
    return Error(Fail(t, "reason " + std::to_string(reason) + " is not one of 1..5"));
  }
  m.reason = static_cast<BleSimDisconnectReason>(reason);
  return Ok(m);
}

BleSimDecodeResult DecodeError(std::span<const uint8_t> body) {
  constexpr BleSimType t = BleSimType::kError;
  if (body.empty()) return Error(Fail(t, "empty body"));
  const uint8_t kind = body[0];
  if (kind < 1 || kind > 4) {
    return Error(Fail(t, "kind " + std::to_string(kind) + " is not one of 1..4"));
  }
  body = body.subspan(1);
  const std::string_view text(reinterpret_cast<const char*>(body.data()), body.size());
  if (text.empty() || text.size() > kBleSimMaxErrorText) {
    return Error(Fail(t, "text of " + std::to_string(text.size()) + " bytes is outside 1..1024"));
  }
  if (!IsPrintable(text)) return Error(Fail(t, "text is not printable ASCII"));
  return Ok(BleSimError{static_cast<BleSimErrorKind>(kind), std::string(text)});
}

}  // namespace

const char* BleSimDisconnectReasonName(BleSimDisconnectReason reason) {
  switch (reason) {
    case BleSimDisconnectReason::kClient:
      return "client";
    case BleSimDisconnectReason::kDeviceReset:
      return "device_reset";
    case BleSimDisconnectReason::kSupervisionTimeout:
      return "supervision_timeout";
    case BleSimDisconnectReason::kNotAdvertising:
      return "not_advertising";
    case BleSimDisconnectReason::kPeripheral:
      return "peripheral";
  }
  return "unknown";
}

const char* BleSimErrorKindName(BleSimErrorKind kind) {
  switch (kind) {
    case BleSimErrorKind::kProtocol:
      return "protocol";
    case BleSimErrorKind::kRefused:
      return "refused";
    case BleSimErrorKind::kBusy:
      return "busy";
    case BleSimErrorKind::kInternal:
      return "internal";
  }
  return "unknown";
}

BleSimType BleSimTypeOf(const BleSimMessage& message) {
  return std::visit(
      [](const auto& m) {
        using M = std::decay_t<decltype(m)>;
        if constexpr (std::is_same_v<M, BleSimConnect>) return BleSimType::kConnect;
        if constexpr (std::is_same_v<M, BleSimWrite>) return BleSimType::kWrite;
        if constexpr (std::is_same_v<M, BleSimRun>) return BleSimType::kRun;
        if constexpr (std::is_same_v<M, BleSimDisconnect>) return BleSimType::kDisconnect;
        if constexpr (std::is_same_v<M, BleSimConnected>) return BleSimType::kConnected;
        if constexpr (std::is_same_v<M, BleSimNotify>) return BleSimType::kNotify;
        if constexpr (std::is_same_v<M, BleSimIdle>) return BleSimType::kIdle;
        if constexpr (std::is_same_v<M, BleSimDisconnected>) return BleSimType::kDisconnected;
        if constexpr (std::is_same_v<M, BleSimError>) return BleSimType::kError;
      },
      message);
}

const char* BleSimTypeName(BleSimType type) {
  switch (type) {
    case BleSimType::kConnect:
      return "CONNECT";
    case BleSimType::kWrite:
      return "WRITE";
    case BleSimType::kRun:
      return "RUN";
    case BleSimType::kDisconnect:
      return "DISCONNECT";
    case BleSimType::kConnected:
      return "CONNECTED";
    case BleSimType::kNotify:
      return "NOTIFY";
    case BleSimType::kIdle:
      return "IDLE";
    case BleSimType::kDisconnected:
      return "DISCONNECTED";
    case BleSimType::kError:
      return "ERROR";
  }
  return "UNKNOWN";
}

bool IsCentralMessage(BleSimType type) { return static_cast<uint8_t>(type) < 0x80; }

std::vector<uint8_t> EncodeBleSimMessage(const BleSimMessage& message) {
  Writer w;
  w.U8(static_cast<uint8_t>(BleSimTypeOf(message)));
  w.U8(0);
  w.U16(0);  // body length, filled in below
  std::visit([&w](const auto& m) { EncodeBody(m, w); }, message);
  std::vector<uint8_t>& bytes = w.bytes();
  if (bytes.size() > kBleSimMaxMessageSize) {
    ThrowUsage(std::string("a ") + BleSimTypeName(BleSimTypeOf(message)) + " message of " +
               std::to_string(bytes.size()) + " bytes exceeds the protocol's " +
               std::to_string(kBleSimMaxMessageSize));
  }
  const size_t body = bytes.size() - kBleSimHeaderSize;
  bytes[2] = static_cast<uint8_t>(body);
  bytes[3] = static_cast<uint8_t>(body >> 8);
  return std::move(bytes);
}

BleSimDecodeResult DecodeBleSimMessage(std::span<const uint8_t> record) {
  if (record.size() < kBleSimHeaderSize) {
    return Error("a record of " + std::to_string(record.size()) +
                 " bytes is shorter than the 4-byte header");
  }
  if (record.size() > kBleSimMaxMessageSize) {
    return Error("a record of " + std::to_string(record.size()) + " bytes exceeds the " +
                 std::to_string(kBleSimMaxMessageSize) + "-byte limit");
  }
  const uint8_t type = record[0];
  const uint8_t flags = record[1];
  const size_t length = record[2] | (record[3] << 8);
  if (flags != 0) return Error("header flags are not 0");
  if (length != record.size() - kBleSimHeaderSize) {
    return Error("header body length " + std::to_string(length) + " but the record holds " +
                 std::to_string(record.size() - kBleSimHeaderSize) + " bytes");
  }
  const std::span<const uint8_t> body = record.subspan(kBleSimHeaderSize);
  switch (static_cast<BleSimType>(type)) {
    case BleSimType::kConnect:
      return DecodeConnect(body);
    case BleSimType::kWrite:
      return DecodeWrite(body);
    case BleSimType::kRun:
      if (std::string e = ExpectSize(BleSimType::kRun, body.size(), 0); !e.empty()) {
        return Error(e);
      }
      return Ok(BleSimRun{});
    case BleSimType::kDisconnect:
      if (std::string e = ExpectSize(BleSimType::kDisconnect, body.size(), 0); !e.empty()) {
        return Error(e);
      }
      return Ok(BleSimDisconnect{});
    case BleSimType::kConnected:
      return DecodeConnected(body);
    case BleSimType::kNotify:
      return DecodeNotify(body);
    case BleSimType::kIdle: {
      if (std::string e = ExpectSize(BleSimType::kIdle, body.size(), 8); !e.empty()) {
        return Error(e);
      }
      Reader r(body);
      return Ok(BleSimIdle{r.U64()});
    }
    case BleSimType::kDisconnected:
      return DecodeDisconnected(body);
    case BleSimType::kError:
      return DecodeError(body);
  }
  char hex[8];
  std::snprintf(hex, sizeof(hex), "0x%02X", type);
  return Error(std::string("unknown message type ") + hex);
}

bool IsValidBleSimProfileName(std::string_view name) {
  if (name.empty() || name.size() > kBleSimMaxProfileName) return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string BleSimErrorText(std::string_view text) {
  std::string out(text.substr(0, kBleSimMaxErrorText));
  for (char& c : out) {
    if (c < 0x20 || c > 0x7E) c = '?';
  }
  if (out.empty()) out = "error";
  return out;
}

}  // namespace bleota::host
