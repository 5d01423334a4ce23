#include "bleota/simdev/ble_link_params.hpp"

#include <array>

#include "bleota/smp/ble_reassembly.hpp"

namespace bleota::sim {
namespace {

std::string Range(const char* what, uint64_t value, uint64_t low, uint64_t high) {
  return std::string(what) + " " + std::to_string(value) + " is out of range (" +
         std::to_string(low) + ".." + std::to_string(high) + ")";
}

constexpr BleLinkParams Params(BlePhy phy, uint16_t ll_payload, uint16_t mtu, uint32_t interval_us,
                               uint16_t packet_cap) {
  BleLinkParams params;
  params.phy = phy;
  params.max_ll_payload = ll_payload;
  params.att_mtu = mtu;
  params.connection_interval_us = interval_us;
  params.max_packets_per_event = packet_cap;
  params.encrypted = true;
  return params;
}

// Figures: /work/shared/reference/ble-and-flash-model.md (copied into docs/ble-link.md) for the
// first three; the phone and dongle figures are the commonly reported settings named below.
constexpr std::array<BleProfile, 6> kProfiles{{
    {"2m-dle",
     "2M PHY, DLE 251, ATT MTU 247, CI 15 ms, encrypted, no packet cap: the reference's first "
     "row (1408 us exchange, 10 packets per event, ~163 kB/s)",
     Params(BlePhy::k2M, 251, 247, 15000, 0)},
    {"1m-dle",
     "1M PHY, DLE 251, ATT MTU 247, CI 15 ms, encrypted, no packet cap: the reference's second "
     "row (2500 us exchange, its 2120 us packet includes the MIC; 6 packets per event)",
     Params(BlePhy::k1M, 251, 247, 15000, 0)},
    {"1m-no-dle",
     "1M PHY, no DLE (27), ATT MTU 23, CI 7.5 ms, encrypted, 6 packets per event: the "
     "reference's third row (~0.7 ms exchange, 20-byte ATT payload); its ~16 kB/s needs the "
     "6-packet cap (10 exchanges would fit the interval)",
     Params(BlePhy::k1M, 27, 23, 7500, 6)},
    {"iphone",
     "iOS: CI 15 ms (the shortest Apple's accessory guidelines allow), 2M PHY, DLE 251, ATT MTU "
     "185, encrypted, 4 packets per event (iOS sends 4-6): ~48 kB/s, inside the reference's "
     "35-50 kB/s",
     Params(BlePhy::k2M, 251, 185, 15000, 4)},
    {"android-fast",
     "Android with CONNECTION_PRIORITY_HIGH on a phone that grants CI 7.5 ms, 2M PHY, DLE 251, "
     "ATT MTU 517 (what recent Android requests; a write takes 3 LL packets), encrypted, no "
     "packet cap (Android controllers often send 6-10 packets per event or as many as fit)",
     Params(BlePhy::k2M, 251, 517, 7500, 0)},
    {"nrf-dongle",
     "nRF52840 Dongle as central (nRF Connect for Desktop, SoftDevice Controller): 2M PHY, DLE "
     "251, ATT MTU 247, CI 7.5 ms, encrypted, no packet cap (5 packets per event)",
     Params(BlePhy::k2M, 251, 247, 7500, 0)},
}};

}  // namespace

const char* BlePhyName(BlePhy phy) { return phy == BlePhy::k2M ? "2M" : "1M"; }

uint32_t BleLinkParams::full_write_value_bytes() const {
  return static_cast<uint32_t>(smp::AttPayloadSize(att_mtu));
}

uint32_t BleLinkParams::packets_per_full_write() const {
  if (max_ll_payload == 0) return 0;
  const uint32_t l2cap_bytes = full_write_value_bytes() + kAttWriteHeaderSize + kL2capHeaderSize;
  return (l2cap_bytes + max_ll_payload - 1) / max_ll_payload;
}

std::string BleLinkParams::Problem() const {
  if (phy != BlePhy::k1M && phy != BlePhy::k2M) return "phy must be 1M or 2M";
  if (max_ll_payload < kBleMinLlPayload || max_ll_payload > kBleMaxLlPayload) {
    return Range("max_ll_payload", max_ll_payload, kBleMinLlPayload, kBleMaxLlPayload);
  }
  if (att_mtu < kBleMinAttMtu || att_mtu > kBleMaxAttMtu) {
    return Range("att_mtu", att_mtu, kBleMinAttMtu, kBleMaxAttMtu);
  }
  if (connection_interval_us < kBleMinConnectionIntervalUs ||
      connection_interval_us > kBleMaxConnectionIntervalUs) {
    return Range("connection_interval_us", connection_interval_us, kBleMinConnectionIntervalUs,
                 kBleMaxConnectionIntervalUs);
  }
  if (connection_interval_us % kBleConnectionIntervalStepUs != 0) {
    return "connection_interval_us " + std::to_string(connection_interval_us) +
           " is not a multiple of 1250 us";
  }
  if (packet_error_rate_ppm > kBleMaxPacketErrorRatePpm) {
    return Range("packet_error_rate_ppm", packet_error_rate_ppm, 0, kBleMaxPacketErrorRatePpm);
  }
  const uint32_t fragments = packets_per_full_write();
  if (central_tx_buffers < fragments || central_tx_buffers > kBleMaxBuffers) {
    return Range("central_tx_buffers", central_tx_buffers, fragments, kBleMaxBuffers) +
           " (a full write needs " + std::to_string(fragments) + ")";
  }
  if (peripheral_rx_buffers < fragments || peripheral_rx_buffers > kBleMaxBuffers) {
    return Range("peripheral_rx_buffers", peripheral_rx_buffers, fragments, kBleMaxBuffers) +
           " (a full write needs " + std::to_string(fragments) + ")";
  }
  if (supervision_timeout_us < kBleMinSupervisionTimeoutUs ||
      supervision_timeout_us > kBleMaxSupervisionTimeoutUs) {
    return Range("supervision_timeout_us", supervision_timeout_us, kBleMinSupervisionTimeoutUs,
                 kBleMaxSupervisionTimeoutUs);
  }
  if (supervision_timeout_us % kBleSupervisionTimeoutStepUs != 0) {
    return "supervision_timeout_us " + std::to_string(supervision_timeout_us) +
           " is not a multiple of 10 ms";
  }
  // Core spec: the timeout must exceed two connection intervals (no peripheral latency here).
  if (uint64_t{supervision_timeout_us} <= 2 * uint64_t{connection_interval_us}) {
    return "supervision_timeout_us " + std::to_string(supervision_timeout_us) +
           " must exceed two connection intervals (" +
           std::to_string(2 * uint64_t{connection_interval_us}) + " us)";
  }
  return {};
}

Status BleLinkParams::Validate() const {
  return Problem().empty() ? Status::Ok() : Status(StatusCode::kInvalidArgument);
}

std::span<const BleProfile> BleProfiles() { return kProfiles; }

const BleProfile* FindBleProfile(std::string_view name) {
  for (const BleProfile& profile : kProfiles) {
    if (name == profile.name) return &profile;
  }
  return nullptr;
}

const BleProfile& DefaultBleProfile() { return kProfiles[0]; }

}  // namespace bleota::sim
