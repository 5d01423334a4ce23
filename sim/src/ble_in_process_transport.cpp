#include "bleota/simdev/ble_in_process_transport.hpp"

#include <algorithm>

#include "bleota/host/error.hpp"
#include "bleota/smp/smp_header.hpp"

namespace bleota::sim {
namespace {

// The largest SMP packet a header can describe.
constexpr size_t kMaxSmpPacket = smp::kSmpHeaderSize + 0xFFFF;

}  // namespace

BleInProcessTransport::BleInProcessTransport(BleLink& link, BleDeviceSession& session)
    : link_(link),
      session_(session),
      packet_buffer_(kMaxSmpPacket),
      reassembler_(ByteSpan(packet_buffer_)) {}

std::string BleInProcessTransport::name() const {
  const BleLinkParams& params = link_.params();
  return std::string("ble in-process (") + BlePhyName(params.phy) + " PHY, LL payload " +
         std::to_string(params.max_ll_payload) + ", ATT MTU " + std::to_string(params.att_mtu) +
         ", CI " + std::to_string(params.connection_interval_us) + " us)";
}

size_t BleInProcessTransport::max_packet_size() const { return kSmpBufferSize; }

size_t BleInProcessTransport::link_piece_size() const {
  return link_.params().full_write_value_bytes();
}

void BleInProcessTransport::Connect() {
  if (!link_.connected()) {
    reassembler_.Reset();
    pending_.clear();
    pending_offset_ = 0;
    if (!session_.Connect().ok()) {
      host::ThrowTransport("BLE: cannot connect: " + diagnosis());
    }
  }
  while (link_.connected() && !link_.mtu_exchanged()) link_.Step();
  if (!link_.connected()) {
    host::ThrowTransport("BLE: the connection ended during the MTU exchange (" +
                         std::string(BleDisconnectReasonName(link_.last_disconnect())) + ")");
  }
}

void BleInProcessTransport::Send(std::span<const uint8_t> packet) {
  Connect();
  const size_t piece = smp::AttPayloadSize(link_.att_mtu());
  for (size_t offset = 0; offset < packet.size(); offset += piece) {
    const std::span<const uint8_t> write =
        packet.subspan(offset, std::min(piece, packet.size() - offset));
    for (;;) {
      const BleWriteStatus status = link_.TryWrite(write);
      if (status == BleWriteStatus::kQueued) break;
      if (status == BleWriteStatus::kBuffersFull && link_.Step()) continue;
      if (status == BleWriteStatus::kTooLong) {
        host::ThrowInternal("BLE: a write of " + std::to_string(write.size()) +
                            " bytes exceeds ATT_MTU - 3");
      }
      // The connection ended under the packet (a device reset): the rest is lost, as on a
      // real link; the client's timeout and Resync take it from there.
      return;
    }
  }
}

std::optional<std::vector<uint8_t>> BleInProcessTransport::NextPacket() {
  for (;;) {
    if (pending_offset_ >= pending_.size()) {
      std::optional<std::vector<uint8_t>> notification = link_.TakeNotification();
      if (!notification) return std::nullopt;
      pending_ = std::move(*notification);
      pending_offset_ = 0;
      continue;
    }
    const smp::BleReassemblyStep step =
        reassembler_.Feed(ConstByteSpan(pending_).subspan(pending_offset_));
    pending_offset_ += step.consumed;
    if (step.event == smp::BleEvent::kPacket) {
      const ConstByteSpan packet = reassembler_.packet();
      return std::vector<uint8_t>(packet.begin(), packet.end());
    }
    if (step.event == smp::BleEvent::kError) ++dropped_;
  }
}

std::optional<std::vector<uint8_t>> BleInProcessTransport::Receive(
    std::chrono::milliseconds timeout) {
  const uint64_t timeout_us =
      timeout.count() <= 0 ? 0 : static_cast<uint64_t>(timeout.count()) * 1000;
  const uint64_t deadline = link_.now_us() + timeout_us;
  for (;;) {
    if (std::optional<std::vector<uint8_t>> packet = NextPacket()) return packet;
    if (!link_.connected() || link_.next_step_us() >= deadline) {
      link_.RunUntil(deadline);  // nothing can arrive before the deadline
      return NextPacket();
    }
    link_.Step();
  }
}

void BleInProcessTransport::Resync() {
  reassembler_.Reset();
  pending_.clear();
  pending_offset_ = 0;
  if (!link_.connected()) Connect();
}

std::string BleInProcessTransport::diagnosis() const {
  if (!session_.device().advertising()) {
    return std::string("the device does not advertise (") +
           DeviceModeName(session_.device().mode()) + ")";
  }
  if (!link_.connected() && link_.last_disconnect() != BleDisconnectReason::kNone) {
    return std::string("the BLE connection ended (") +
           BleDisconnectReasonName(link_.last_disconnect()) + ")";
  }
  return {};
}

}  // namespace bleota::sim
