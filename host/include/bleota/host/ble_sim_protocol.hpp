// The ble-sim protocol (docs/spec/ble-sim.md): the messages between a client (the BLE central: a
// phone or PC) and a simulated device (the peripheral) over a Unix-domain SOCK_SEQPACKET socket.
// One message per record: a 4-byte header (type, flags 0, body length) and a body whose layout
// the type fixes. Every field is bounded; DecodeBleSimMessage refuses anything else with a
// message that says which field is wrong.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

namespace bleota::host {

inline constexpr uint16_t kBleSimProtocolVersion = 1;
inline constexpr size_t kBleSimHeaderSize = 4;
// The largest record either side sends or accepts (header included).
inline constexpr size_t kBleSimMaxMessageSize = 16384;
// One ATT value: at most the longest attribute value (ATT_MTU 517 - 3 would be 514).
inline constexpr size_t kBleSimMaxValueSize = 512;
inline constexpr size_t kBleSimMaxWrites = 512;  // Write Commands in one WRITE message
inline constexpr size_t kBleSimMaxProfileName = 32;
inline constexpr size_t kBleSimMaxErrorText = 1024;

enum class BleSimType : uint8_t {
  kConnect = 0x01,       // central -> peripheral
  kWrite = 0x02,         // central -> peripheral
  kRun = 0x03,           // central -> peripheral
  kDisconnect = 0x04,    // central -> peripheral
  kConnected = 0x81,     // peripheral -> central
  kNotify = 0x82,        // peripheral -> central
  kIdle = 0x83,          // peripheral -> central
  kDisconnected = 0x84,  // peripheral -> central
  kError = 0xFF,         // peripheral -> central
};

enum class BleSimPhy : uint8_t { k1M = 1, k2M = 2 };

enum class BleSimDisconnectReason : uint8_t {
  kClient = 1,              // the central sent DISCONNECT
  kDeviceReset = 2,         // the device reset (SMP reset, power cut, control command)
  kSupervisionTimeout = 3,  // the link model lost the connection
  kNotAdvertising = 4,      // the device is off, halted, or its app stopped advertising
  kPeripheral = 5,          // the device's host ended the connection (nothing serves SMP)
};

// "client", "device_reset", "supervision_timeout", "not_advertising", "peripheral".
const char* BleSimDisconnectReasonName(BleSimDisconnectReason reason);

// Link parameters the central asks for instead of the profile's.
struct BleSimLinkOverrides {
  std::optional<BleSimPhy> phy;
  std::optional<uint16_t> max_ll_payload;
  std::optional<uint16_t> att_mtu;
  std::optional<uint32_t> connection_interval_us;
  std::optional<uint16_t> max_packets_per_event;
  std::optional<uint32_t> packet_error_rate_ppm;
  std::optional<uint64_t> seed;
  bool operator==(const BleSimLinkOverrides&) const = default;
};

struct BleSimConnect {
  uint16_t version = kBleSimProtocolVersion;
  std::string profile;
  BleSimLinkOverrides overrides;
  bool operator==(const BleSimConnect&) const = default;
};

struct BleSimWrite {
  std::vector<std::vector<uint8_t>> values;  // Write Command values, in order
  bool operator==(const BleSimWrite&) const = default;
};

struct BleSimRun {
  bool operator==(const BleSimRun&) const = default;
};

struct BleSimDisconnect {
  bool operator==(const BleSimDisconnect&) const = default;
};

struct BleSimConnected {
  uint16_t version = kBleSimProtocolVersion;
  uint16_t att_mtu = 23;
  BleSimPhy phy = BleSimPhy::k1M;
  bool encrypted = false;
  uint16_t max_ll_payload = 27;
  uint16_t max_packets_per_event = 0;  // 0: no cap
  uint32_t connection_interval_us = 0;
  uint32_t packet_error_rate_ppm = 0;
  uint64_t seed = 0;
  uint64_t virtual_time_us = 0;
  std::string profile;
  bool operator==(const BleSimConnected&) const = default;
};

struct BleSimNotify {
  uint64_t virtual_time_us = 0;  // when the notification reached the central
  std::vector<uint8_t> value;
  bool operator==(const BleSimNotify&) const = default;
};

struct BleSimIdle {
  uint64_t virtual_time_us = 0;
  bool operator==(const BleSimIdle&) const = default;
};

struct BleSimDisconnected {
  uint64_t virtual_time_us = 0;
  BleSimDisconnectReason reason = BleSimDisconnectReason::kClient;
  bool operator==(const BleSimDisconnected&) const = default;
};

// Why the peripheral sent ERROR (it closes the connection after it).
enum class BleSimErrorKind : uint8_t {
  kProtocol = 1,  // a malformed, unknown, oversized or unexpected message
  kRefused = 2,   // CONNECT asked for what the device does not have (profile, link parameters)
  kBusy = 3,      // another central is connected
  kInternal = 4,  // the simulator failed
};

// "protocol", "refused", "busy", "internal".
const char* BleSimErrorKindName(BleSimErrorKind kind);

struct BleSimError {
  BleSimErrorKind kind = BleSimErrorKind::kProtocol;
  std::string text;
  bool operator==(const BleSimError&) const = default;
};

using BleSimMessage =
    std::variant<BleSimConnect, BleSimWrite, BleSimRun, BleSimDisconnect, BleSimConnected,
                 BleSimNotify, BleSimIdle, BleSimDisconnected, BleSimError>;

BleSimType BleSimTypeOf(const BleSimMessage& message);
// "CONNECT", "WRITE", ...
const char* BleSimTypeName(BleSimType type);
// Sent by the central (CONNECT, WRITE, RUN, DISCONNECT)?
bool IsCentralMessage(BleSimType type);

// The record of one message. Throws HostError(kUsage) when a field is out of its bounds (a
// profile name with other characters, a value over 512 bytes, an error text that is not
// printable ASCII...), so nothing out of bounds ever goes on the socket.
std::vector<uint8_t> EncodeBleSimMessage(const BleSimMessage& message);

struct BleSimDecodeResult {
  std::optional<BleSimMessage> message;
  std::string error;  // set when message is empty: what is wrong with the record
};

// Decodes one record (header + body). Refuses (with a reason) a record shorter than the header,
// over kBleSimMaxMessageSize, an unknown type, non-zero flags or reserved bits, a body length
// that differs from the record's, and any field outside its bounds.
BleSimDecodeResult DecodeBleSimMessage(std::span<const uint8_t> record);

// A profile name as the protocol carries it: 1..32 of [A-Za-z0-9._-].
bool IsValidBleSimProfileName(std::string_view name);

// Text made fit for an ERROR message: non-printable bytes become '?', cut to 1024 bytes, and
// never empty.
std::string BleSimErrorText(std::string_view text);

}  // namespace bleota::host
