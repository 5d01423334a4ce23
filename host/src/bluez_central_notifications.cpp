#include "bleota/host/bluez_central_notifications.hpp"

#include <algorithm>

namespace bleota::host {

SmpNotificationAssembler::SmpNotificationAssembler(size_t max_packet)
    : buffer_(std::max<size_t>(max_packet, 8)),
      reassembler_(ByteSpan(buffer_.data(), buffer_.size())) {}

void SmpNotificationAssembler::Feed(std::span<const uint8_t> value) {
  ConstByteSpan rest(value.data(), value.size());
  while (!rest.empty()) {
    const smp::BleReassemblyStep step = reassembler_.Feed(rest);
    if (step.event == smp::BleEvent::kPacket) {
      const ConstByteSpan packet = reassembler_.packet();
      packets_.emplace_back(packet.begin(), packet.end());
    } else if (step.event == smp::BleEvent::kError) {
      ++dropped_values_;
      dropped_bytes_ += step.consumed;
    }
    if (step.consumed == 0) break;
    rest = rest.subspan(step.consumed);
  }
}

std::optional<std::vector<uint8_t>> SmpNotificationAssembler::Pop() {
  if (packets_.empty()) return std::nullopt;
  std::vector<uint8_t> packet = std::move(packets_.front());
  packets_.pop_front();
  return packet;
}

}  // namespace bleota::host
