// The inputs of the simulated BLE link (docs/ble-link.md): PHY, Data Length Extension (largest
// LL payload), ATT MTU, connection interval, a packets-per-event cap, encryption (the MIC),
// packet loss with its seed, write-without-response flow control (buffer counts) and the
// supervision timeout; and the named profiles (phones, dongles) users pick from.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "bleota/status.hpp"

namespace bleota::sim {

enum class BlePhy : uint8_t { k1M, k2M };

// "1M", "2M".
const char* BlePhyName(BlePhy phy);

// Bounds of the inputs (Bluetooth Core 5.x).
inline constexpr uint16_t kBleMinLlPayload = 27;  // no Data Length Extension
inline constexpr uint16_t kBleMaxLlPayload = 251;
inline constexpr uint16_t kBleMinAttMtu = 23;
inline constexpr uint16_t kBleMaxAttMtu = 517;
inline constexpr uint32_t kBleMinConnectionIntervalUs = 7500;
inline constexpr uint32_t kBleMaxConnectionIntervalUs = 4000000;
inline constexpr uint32_t kBleConnectionIntervalStepUs = 1250;
inline constexpr uint32_t kBleMinSupervisionTimeoutUs = 100000;
inline constexpr uint32_t kBleMaxSupervisionTimeoutUs = 32000000;
inline constexpr uint32_t kBleSupervisionTimeoutStepUs = 10000;
inline constexpr uint32_t kBleMaxPacketErrorRatePpm = 1000000;  // every packet lost
inline constexpr uint16_t kBleMaxBuffers = 1024;
inline constexpr uint32_t kL2capHeaderSize = 4;     // length + channel id
inline constexpr uint32_t kAttWriteHeaderSize = 3;  // opcode + handle (Write Command, Notify)

struct BleLinkParams {
  BlePhy phy = BlePhy::k2M;
  uint16_t max_ll_payload = 251;            // 27 without DLE .. 251
  uint16_t att_mtu = 247;                   // 23 .. 517; both sides agree on it in the MTU exchange
  uint32_t connection_interval_us = 15000;  // 7.5 ms .. 4 s in 1.25 ms steps
  uint16_t max_packets_per_event = 0;       // central packets per connection event; 0: no cap
  bool encrypted = true;                    // data packets carry a 4-byte MIC
  uint32_t packet_error_rate_ppm = 0;       // each packet (either way) lost with this chance
  uint64_t seed = 1;                        // of the loss draws: same seed, same run
  // Write-without-response flow control, in LL packets: the central's controller holds this
  // many packets not yet acknowledged (a write is refused while they are full), and the
  // peripheral's controller this many received packets its host has not taken (a packet that
  // finds them full is not acknowledged and is sent again).
  uint16_t central_tx_buffers = 8;
  uint16_t peripheral_rx_buffers = 8;
  // No valid packet received for this long ends the connection.
  uint32_t supervision_timeout_us = 4000000;

  // The value bytes of a full Write Command or notification: att_mtu - 3, at most 512 (the
  // longest attribute value; smp::AttPayloadSize).
  uint32_t full_write_value_bytes() const;
  // LL packets per full Write Command or notification (more than one when the ATT PDU plus the
  // L2CAP header exceeds max_ll_payload).
  uint32_t packets_per_full_write() const;

  // Empty when valid, else what is wrong ("att_mtu 600 is out of range (23..517)").
  std::string Problem() const;
  // kInvalidArgument when Problem() is not empty.
  Status Validate() const;
};

struct BleProfile {
  const char* name;
  const char* description;  // where its figures come from
  BleLinkParams params;
};

// The named profiles; the first, "2m-dle", is the default.
std::span<const BleProfile> BleProfiles();
// nullptr for an unknown name.
const BleProfile* FindBleProfile(std::string_view name);
// The default profile ("2m-dle").
const BleProfile& DefaultBleProfile();

}  // namespace bleota::sim
