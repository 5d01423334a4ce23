#include "bleota/simdev/ble_link_limit.hpp"

#include <algorithm>
#include <vector>

namespace bleota::sim {
namespace {

constexpr uint32_t kAccessAddressSize = 4;
constexpr uint32_t kLlHeaderSize = 2;
constexpr uint32_t kMicSize = 4;
constexpr uint32_t kCrcSize = 3;

// LL payload lengths of the packets one full write takes.
std::vector<uint32_t> WriteFragments(const BleLinkParams& params) {
  std::vector<uint32_t> fragments;
  uint32_t left = params.full_write_value_bytes() + kAttWriteHeaderSize + kL2capHeaderSize;
  while (left > 0) {
    const uint32_t length = std::min<uint32_t>(left, params.max_ll_payload);
    fragments.push_back(length);
    left -= length;
  }
  return fragments;
}

}  // namespace

uint32_t BlePacketAirUs(BlePhy phy, uint32_t ll_payload, bool encrypted) {
  const uint32_t preamble = phy == BlePhy::k2M ? 2 : 1;
  const uint32_t mic = encrypted && ll_payload > 0 ? kMicSize : 0;
  const uint32_t bytes =
      preamble + kAccessAddressSize + kLlHeaderSize + ll_payload + mic + kCrcSize;
  return bytes * (phy == BlePhy::k2M ? 4 : 8);
}

BleLinkLimit ModelLinkLimit(const BleLinkParams& params) {
  BleLinkLimit limit;
  const std::vector<uint32_t> fragments = WriteFragments(params);
  const uint32_t empty_us = BlePacketAirUs(params.phy, 0, params.encrypted);
  const auto exchange_of = [&](uint32_t ll_payload) {
    return BlePacketAirUs(params.phy, ll_payload, params.encrypted) + kBleTifsUs + empty_us +
           kBleTifsUs;
  };
  limit.data_packet_us = BlePacketAirUs(params.phy, fragments.front(), params.encrypted);
  limit.empty_packet_us = empty_us;
  limit.exchange_us = exchange_of(fragments.front());
  limit.packets_per_write = static_cast<uint32_t>(fragments.size());
  const uint32_t value_bytes = params.full_write_value_bytes();
  limit.att_payload_per_packet = static_cast<double>(value_bytes) / fragments.size();

  // Fill connection events with exchanges while one fits before the next anchor and the cap
  // allows, the packets taking the writes' fragments in turn. The event depends only on the
  // fragment it starts with, so the events repeat within fragments.size() + 1 of them: the
  // limit is that cycle's data over its time.
  const size_t k = fragments.size();
  std::vector<int64_t> first_event_at_phase(k, -1);
  std::vector<uint64_t> packets_before(1, 0);  // packets sent before event i
  size_t phase = 0;
  for (int64_t event = 0;; ++event) {
    if (first_event_at_phase[phase] >= 0) {
      const int64_t cycle_start = first_event_at_phase[phase];
      const uint64_t events = static_cast<uint64_t>(event - cycle_start);
      const uint64_t packets = packets_before[event] - packets_before[cycle_start];
      const double seconds = static_cast<double>(events * params.connection_interval_us) / 1e6;
      limit.packets_per_event = static_cast<double>(packets) / static_cast<double>(events);
      limit.goodput_bytes_per_s =
          static_cast<double>(packets / k) * static_cast<double>(value_bytes) / seconds;
      return limit;
    }
    first_event_at_phase[phase] = event;
    uint64_t used_us = 0;
    uint64_t sent = 0;
    while (params.max_packets_per_event == 0 || sent < params.max_packets_per_event) {
      const uint64_t exchange = exchange_of(fragments[phase]);
      if (used_us + exchange > params.connection_interval_us) break;
      used_us += exchange;
      ++sent;
      phase = (phase + 1) % k;
    }
    packets_before.push_back(packets_before.back() + sent);
  }
}

}  // namespace bleota::sim
