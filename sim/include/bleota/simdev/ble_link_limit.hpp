// The throughput limit of a BLE link for a stream of Write Commands from the central, by the
// formula of the project's link model (docs/ble-link.md, from the reference
// ble-and-flash-model.md): a packet's air time from its bytes and the PHY, exchanges of one data
// packet + T_IFS + the peripheral's empty answer + T_IFS, as many per connection event as fit
// before the next anchor (and under the packets-per-event cap), and the ATT payload each packet
// carries. The simulated link (BleLink) is judged against this figure.
#pragma once

#include <cstdint>

#include "bleota/simdev/ble_link_params.hpp"

namespace bleota::sim {

inline constexpr uint32_t kBleTifsUs = 150;  // inter-frame space

// Air time of one LL data packet with `ll_payload` bytes: preamble (1 byte at 1M, 2 at 2M) +
// access address 4 + LL header 2 + payload + MIC 4 (encrypted, non-empty payload) + CRC 3, at
// 8 us per byte (1M) or 4 us (2M). An empty packet: ll_payload 0.
uint32_t BlePacketAirUs(BlePhy phy, uint32_t ll_payload, bool encrypted);

struct BleLinkLimit {
  uint32_t data_packet_us = 0;     // a full data packet (max LL payload, or a whole write)
  uint32_t empty_packet_us = 0;    // the peer's empty answer
  uint32_t exchange_us = 0;        // data packet + T_IFS + empty answer + T_IFS
  uint32_t packets_per_write = 0;  // LL packets of one write of att_mtu - 3 bytes
  // Data packets per connection event; an average when a write takes packets of unequal
  // lengths (a fragmented ATT PDU), else a whole number.
  double packets_per_event = 0;
  double att_payload_per_packet = 0;  // (att_mtu - 3) / packets_per_write
  double goodput_bytes_per_s = 0;     // ATT values (the SMP bytes) per second
};

// The limit for `params` (which must be valid: Validate()); loss is not counted (the simulated
// link's loss costs retransmissions on top).
BleLinkLimit ModelLinkLimit(const BleLinkParams& params);

}  // namespace bleota::sim
