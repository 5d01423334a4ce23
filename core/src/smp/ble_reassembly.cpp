#include "bleota/smp/ble_reassembly.hpp"

#include "bleota/smp/smp_header.hpp"

namespace bleota::smp {

Result<BleFragmenter> BleFragmenter::Create(ConstByteSpan packet, uint16_t att_mtu) {
  if (att_mtu < kAttMinMtu || att_mtu > kAttMaxMtu || packet.empty()) {
    return StatusCode::kInvalidArgument;
  }
  return BleFragmenter(packet, AttPayloadSize(att_mtu));
}

ConstByteSpan BleFragmenter::Next() {
  if (done()) return {};
  const size_t left = packet_.size() - offset_;
  const ConstByteSpan piece = packet_.subspan(offset_, left < piece_size_ ? left : piece_size_);
  offset_ += piece.size();
  return piece;
}

const char* BleReassemblyErrorName(BleReassemblyError error) {
  switch (error) {
    case BleReassemblyError::kNone:
      return "none";
    case BleReassemblyError::kBadHeader:
      return "bad_header";
    case BleReassemblyError::kOversized:
      return "oversized";
  }
  return "unknown";
}

void BleReassembler::Reset() {
  received_ = 0;
  expected_ = 0;
  skip_remaining_ = 0;
  complete_size_ = 0;
}

BleReassemblyStep BleReassembler::Feed(ConstByteSpan write) {
  complete_size_ = 0;
  size_t used = 0;
  if (skip_remaining_ > 0) {  // the tail of an oversized packet
    used = write.size() < skip_remaining_ ? write.size() : skip_remaining_;
    skip_remaining_ -= used;
    if (used == write.size()) return {BleEvent::kNeedMore, BleReassemblyError::kNone, used};
  }
  if (buffer_.size() < kSmpHeaderSize) {
    return {BleEvent::kError, BleReassemblyError::kOversized, write.size()};
  }
  while (used < write.size()) {
    const size_t want = (expected_ == 0 ? kSmpHeaderSize : expected_) - received_;
    const size_t left = write.size() - used;
    const size_t take = left < want ? left : want;
    for (size_t i = 0; i < take; ++i) buffer_[received_ + i] = write[used + i];
    received_ += take;
    used += take;
    if (expected_ == 0) {
      if (received_ < kSmpHeaderSize) break;
      const auto header = DecodeSmpHeader(ConstByteSpan(buffer_.data(), kSmpHeaderSize));
      if (!header.ok()) {
        // Without a trusted length the rest of this write cannot be placed: drop it.
        Reset();
        return {BleEvent::kError, BleReassemblyError::kBadHeader, write.size()};
      }
      const size_t total = kSmpHeaderSize + header->length;
      if (total > buffer_.size()) {
        // The length is known, so skip exactly this packet and stay in step with the next one.
        Reset();
        skip_remaining_ = header->length;
        const size_t skip =
            write.size() - used < skip_remaining_ ? write.size() - used : skip_remaining_;
        skip_remaining_ -= skip;
        return {BleEvent::kError, BleReassemblyError::kOversized, used + skip};
      }
      expected_ = total;
    }
    if (received_ == expected_) {
      complete_size_ = received_;
      received_ = 0;
      expected_ = 0;
      return {BleEvent::kPacket, BleReassemblyError::kNone, used};
    }
  }
  return {BleEvent::kNeedMore, BleReassemblyError::kNone, used};
}

}  // namespace bleota::smp
