#include "bleota/simdev/ble_link.hpp"

#include <algorithm>

#include "bleota/host/error.hpp"
#include "bleota/simdev/ble_link_limit.hpp"
#include "bleota/smp/ble_reassembly.hpp"

namespace bleota::sim {
namespace {

// ATT PDU of an Exchange MTU request or response: opcode + MTU.
constexpr uint32_t kAttMtuPduSize = 3;
constexpr uint32_t kPpmScale = 1000000;

// L2CAP PDU size of a Write Command or notification carrying `value_size` bytes, or of an
// Exchange MTU request/response.
uint32_t L2capSize(bool carries_value, size_t value_size) {
  return kL2capHeaderSize +
         (carries_value ? kAttWriteHeaderSize + static_cast<uint32_t>(value_size) : kAttMtuPduSize);
}

}  // namespace

const char* BleDisconnectReasonName(BleDisconnectReason reason) {
  switch (reason) {
    case BleDisconnectReason::kCentral:
      return "central";
    case BleDisconnectReason::kPeripheral:
      return "peripheral";
    case BleDisconnectReason::kSupervisionTimeout:
      return "supervision timeout";
    case BleDisconnectReason::kDeviceReset:
      return "device reset";
    case BleDisconnectReason::kNone:
      break;
  }
  return "none";
}

BleLink::BleLink(const BleLinkParams& params) : params_(params), rng_(params.seed) {
  const std::string problem = params.Problem();
  if (!problem.empty()) host::ThrowUsage("BLE link parameters: " + problem);
}

const BleLinkStats& BleLink::stats() const {
  stats_.connected_us = connected_total_us_ + (connected_ ? now_us_ - connected_since_us_ : 0);
  return stats_;
}

void BleLink::SetPacketErrorRate(uint32_t ppm) {
  params_.packet_error_rate_ppm = std::min(ppm, kBleMaxPacketErrorRatePpm);
}

uint32_t BleLink::FragmentCount(const Pdu& pdu) const {
  return (L2capSize(pdu.kind == PduKind::kWrite || pdu.kind == PduKind::kNotification,
                    pdu.value.size()) +
          params_.max_ll_payload - 1) /
         params_.max_ll_payload;
}

uint32_t BleLink::FragmentLength(const Pdu& pdu, uint32_t fragment) const {
  const uint32_t total = L2capSize(
      pdu.kind == PduKind::kWrite || pdu.kind == PduKind::kNotification, pdu.value.size());
  const uint32_t start = fragment * params_.max_ll_payload;
  if (start >= total) return 0;
  return std::min<uint32_t>(params_.max_ll_payload, total - start);
}

uint32_t BleLink::CurrentLength(const Sender& sender, uint64_t at_us) const {
  if (sender.queue.empty()) return 0;
  const Pdu& front = sender.queue.front();
  // A PDU the host handed over for later (the device still busy) waits, unless it started.
  if (sender.fragment == 0 && !sender.sent && front.ready_at_us > at_us) return 0;
  return FragmentLength(front, sender.fragment);
}

uint32_t BleLink::NextLength(const Sender& sender, bool learns_ack, uint64_t at_us) const {
  if (!learns_ack || !sender.peer_has) return CurrentLength(sender, at_us);
  const Pdu& front = sender.queue.front();
  if (sender.fragment + 1 < front.fragments) return FragmentLength(front, sender.fragment + 1);
  if (sender.queue.size() < 2) return 0;
  const Pdu& next = sender.queue[1];
  return next.ready_at_us > at_us ? 0 : FragmentLength(next, 0);
}

bool BleLink::PeripheralSendsNew(bool learns_ack) const {
  return (learns_ack && peripheral_.peer_has) || !peripheral_.sent;
}

void BleLink::Advance(Sender& sender) {
  sender.peer_has = false;
  sender.sent = false;
  --sender.packets_queued;
  if (++sender.fragment >= sender.queue.front().fragments) {
    sender.queue.pop_front();
    sender.fragment = 0;
  }
}

bool BleLink::Lost() {
  if (params_.packet_error_rate_ppm == 0) return false;
  return rng_() % kPpmScale < params_.packet_error_rate_ppm;
}

Status BleLink::Connect() {
  if (connected_) return StatusCode::kFailedPrecondition;
  connected_ = true;
  last_disconnect_ = BleDisconnectReason::kNone;
  ++stats_.connections;
  connected_since_us_ = now_us_;
  in_event_ = false;
  next_anchor_us_ = now_us_ + params_.connection_interval_us;
  event_exchanges_ = 0;
  last_packet_lost_ = false;
  pending_fate_.reset();
  central_last_rx_us_ = now_us_;
  peripheral_last_rx_us_ = now_us_;
  central_mtu_ = kBleMinAttMtu;
  peripheral_mtu_ = kBleMinAttMtu;
  central_mtu_exchanged_ = false;
  central_ = Sender();
  peripheral_ = Sender();
  peripheral_rx_.clear();
  peripheral_rx_packets_ = 0;
  if (peripheral_host_ != nullptr) peripheral_host_->OnConnect(*this);
  // The central's ATT Exchange MTU request goes first.
  Pdu request{PduKind::kMtuRequest, {}, now_us_, 0};
  request.fragments = FragmentCount(request);
  central_.packets_queued += request.fragments;
  central_.queue.push_back(std::move(request));
  return Status::Ok();
}

void BleLink::Disconnect(BleDisconnectReason reason) {
  if (!connected_) return;
  connected_total_us_ += now_us_ - connected_since_us_;
  connected_ = false;
  last_disconnect_ = reason;
  in_event_ = false;
  pending_fate_.reset();
  central_ = Sender();
  peripheral_ = Sender();
  peripheral_rx_.clear();
  peripheral_rx_packets_ = 0;
  central_mtu_exchanged_ = false;
  central_mtu_ = kBleMinAttMtu;
  peripheral_mtu_ = kBleMinAttMtu;
  if (peripheral_host_ != nullptr) peripheral_host_->OnDisconnect(*this, reason);
}

uint64_t BleLink::next_step_us() const {
  if (!connected_) return now_us_;
  return in_event_ ? now_us_ : next_anchor_us_;
}

void BleLink::ServicePeripheral() {
  if (peripheral_host_ != nullptr) peripheral_host_->Service(*this);
}

bool BleLink::Step() {
  if (!connected_) return false;
  if (in_event_) {
    ServicePeripheral();
    if (connected_ && !TryExchange(false)) in_event_ = false;
    return true;
  }
  now_us_ = std::max(now_us_, next_anchor_us_);
  const uint64_t timeout = params_.supervision_timeout_us;
  if (now_us_ - central_last_rx_us_ > timeout || now_us_ - peripheral_last_rx_us_ > timeout) {
    Disconnect(BleDisconnectReason::kSupervisionTimeout);
    return true;
  }
  in_event_ = true;
  event_exchanges_ = 0;
  last_packet_lost_ = false;
  next_anchor_us_ = now_us_ + params_.connection_interval_us;
  ++stats_.events;
  ServicePeripheral();
  if (connected_) TryExchange(true);
  return true;
}

void BleLink::RunUntil(uint64_t t) {
  while (connected_) {
    if (in_event_ ? now_us_ >= t : next_anchor_us_ >= t) break;
    Step();
  }
  if (!(connected_ && in_event_)) now_us_ = std::max(now_us_, t);
}

bool BleLink::TryExchange(bool first_of_event) {
  const uint64_t t = now_us_;
  const uint32_t central_length = CurrentLength(central_, t);
  if (!first_of_event) {
    if (params_.max_packets_per_event != 0 && event_exchanges_ >= params_.max_packets_per_event) {
      return false;
    }
    // More data (the MD bits): either side has a packet the other has not taken.
    if (central_length == 0 && NextLength(peripheral_, true, t) == 0) return false;
  }
  const Fate fate = pending_fate_ ? *pending_fate_ : Fate{Lost(), Lost()};
  pending_fate_.reset();
  uint32_t peripheral_length = NextLength(peripheral_, !fate.central_lost, t);
  const uint32_t central_us = BlePacketAirUs(params_.phy, central_length, params_.encrypted);
  const auto duration_with = [&](uint32_t answer_length) {
    return uint64_t{central_us} + kBleTifsUs +
           BlePacketAirUs(params_.phy, answer_length, params_.encrypted) + kBleTifsUs;
  };
  uint64_t duration = duration_with(peripheral_length);
  // The event closes at least T_IFS before the next anchor (the trailing T_IFS is counted).
  // A peripheral whose new data packet would run past it answers the central's data with an
  // empty packet and keeps its data for the next event (a packet already sent must be repeated
  // as it was: the SN/NESN scheme).
  if (!first_of_event && t + duration > next_anchor_us_ && central_length > 0 &&
      peripheral_length > 0 && PeripheralSendsNew(!fate.central_lost) &&
      t + duration_with(0) <= next_anchor_us_) {
    peripheral_length = 0;
    duration = duration_with(0);
  }
  if (!first_of_event && t + duration > next_anchor_us_) {
    pending_fate_ = fate;  // the same packets meet the same fate in the next event
    return false;
  }
  ++event_exchanges_;
  ++stats_.exchanges;
  stats_.air_us += duration;
  bool close_event = false;

  // The central's packet (data, or empty: the poll and the ACK of the peripheral's last one).
  ++stats_.central_packets;
  if (central_length > 0) {
    ++stats_.central_data_packets;
    if (central_.sent) ++stats_.central_retransmissions;
    central_.sent = true;
  }
  if (fate.central_lost) {
    ++stats_.lost_packets;
    close_event = last_packet_lost_;
    last_packet_lost_ = true;
  } else {
    last_packet_lost_ = false;
    peripheral_last_rx_us_ = t + central_us;
    if (peripheral_.peer_has) Advance(peripheral_);  // its NESN acknowledges
    if (central_length > 0 && !central_.peer_has) {  // a new packet (else a duplicate: dropped)
      if (peripheral_rx_packets_ >= params_.peripheral_rx_buffers) {
        ++stats_.naks;  // not acknowledged: sent again
      } else {
        central_.peer_has = true;
        ReceiveAtPeripheral(central_.queue.front(), central_.fragment);
      }
    }
  }

  // The peripheral's answer (its data, or empty), carrying the ACK of the central's packet.
  ++stats_.peripheral_packets;
  if (peripheral_length > 0) {
    ++stats_.peripheral_data_packets;
    if (peripheral_.sent) ++stats_.peripheral_retransmissions;
    peripheral_.sent = true;
  }
  if (fate.peripheral_lost) {
    ++stats_.lost_packets;
    close_event = close_event || last_packet_lost_;
    last_packet_lost_ = true;
  } else {
    last_packet_lost_ = false;
    central_last_rx_us_ = t + duration - kBleTifsUs;
    if (central_.peer_has) Advance(central_);
    if (peripheral_length > 0 && !peripheral_.peer_has) {
      peripheral_.peer_has = true;
      ReceiveAtCentral(peripheral_.queue.front(), peripheral_.fragment);
    }
  }
  now_us_ = t + duration;
  if (close_event) in_event_ = false;  // two CRC errors in a row close the event
  return true;
}

void BleLink::ReceiveAtPeripheral(const Pdu& pdu, uint32_t fragment) {
  ++peripheral_rx_packets_;
  if (fragment + 1 < pdu.fragments) return;  // the rest of the PDU follows
  if (pdu.kind == PduKind::kMtuRequest) {
    // The peripheral's ATT layer answers at once; both sides support params.att_mtu.
    peripheral_rx_packets_ -= pdu.fragments;
    peripheral_mtu_ = params_.att_mtu;
    Pdu response{PduKind::kMtuResponse, {}, now_us_, 0};
    response.fragments = FragmentCount(response);
    peripheral_.packets_queued += response.fragments;
    peripheral_.queue.push_back(std::move(response));
    if (peripheral_host_ != nullptr) peripheral_host_->OnMtu(*this, peripheral_mtu_);
    return;
  }
  peripheral_rx_.push_back(ReceivedWrite{pdu.value, pdu.fragments});
  ++stats_.writes_delivered;
  stats_.write_bytes += pdu.value.size();
}

void BleLink::ReceiveAtCentral(const Pdu& pdu, uint32_t fragment) {
  if (fragment + 1 < pdu.fragments) return;
  if (pdu.kind == PduKind::kMtuResponse) {
    central_mtu_ = params_.att_mtu;
    central_mtu_exchanged_ = true;
    return;
  }
  central_rx_.push_back(pdu.value);
  ++stats_.notifications_delivered;
  stats_.notification_bytes += pdu.value.size();
}

BleWriteStatus BleLink::TryWrite(std::span<const uint8_t> value) {
  if (!connected_) return BleWriteStatus::kNotConnected;
  if (value.size() > smp::AttPayloadSize(central_mtu_)) return BleWriteStatus::kTooLong;
  Pdu pdu{PduKind::kWrite, std::vector<uint8_t>(value.begin(), value.end()), now_us_, 0};
  pdu.fragments = FragmentCount(pdu);
  if (central_.packets_queued + pdu.fragments > params_.central_tx_buffers) {
    ++stats_.writes_refused;
    return BleWriteStatus::kBuffersFull;
  }
  central_.packets_queued += pdu.fragments;
  central_.queue.push_back(std::move(pdu));
  return BleWriteStatus::kQueued;
}

size_t BleLink::central_tx_free() const {
  return params_.central_tx_buffers - central_.packets_queued;
}

bool BleLink::central_tx_idle() const { return central_.queue.empty(); }

std::optional<std::vector<uint8_t>> BleLink::TakeNotification() {
  if (central_rx_.empty()) return std::nullopt;
  std::vector<uint8_t> value = std::move(central_rx_.front());
  central_rx_.pop_front();
  return value;
}

std::optional<std::vector<uint8_t>> BleLink::TakeWrite() {
  if (peripheral_rx_.empty()) return std::nullopt;
  ReceivedWrite write = std::move(peripheral_rx_.front());
  peripheral_rx_.pop_front();
  peripheral_rx_packets_ -= write.packets;
  return std::move(write.value);
}

bool BleLink::Notify(std::span<const uint8_t> value, uint64_t ready_at_us) {
  if (!connected_ || value.size() > smp::AttPayloadSize(peripheral_mtu_)) return false;
  // Notifications leave in the order they were queued.
  if (!peripheral_.queue.empty()) {
    ready_at_us = std::max(ready_at_us, peripheral_.queue.back().ready_at_us);
  }
  Pdu pdu{PduKind::kNotification, std::vector<uint8_t>(value.begin(), value.end()), ready_at_us, 0};
  pdu.fragments = FragmentCount(pdu);
  peripheral_.packets_queued += pdu.fragments;
  peripheral_.queue.push_back(std::move(pdu));
  return true;
}

bool BleLink::peripheral_tx_idle() const { return peripheral_.queue.empty(); }

}  // namespace bleota::sim
