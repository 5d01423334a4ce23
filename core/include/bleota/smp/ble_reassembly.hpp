// SMP over BLE GATT: a packet is carried in pieces of at most AttPayloadSize(ATT_MTU) bytes (the
// payload of a write without response or a notification); the receiver rebuilds packets from the
// SMP header's length. Writes may end inside a packet, exactly at its end, or hold the start of the
// next one.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/result.hpp"
#include "bleota/status.hpp"

namespace bleota::smp {

inline constexpr uint16_t kAttMinMtu = 23;   // Bluetooth Core, ATT_MTU for LE
inline constexpr uint16_t kAttMaxMtu = 517;  // largest attribute value 512 + 5
inline constexpr size_t kAttOverhead = 3;    // opcode + handle
// The longest attribute value (Bluetooth Core, Vol 3 Part F 3.2.9).
inline constexpr size_t kAttMaxValueLength = 512;

// The bytes one Write Command or notification carries: ATT_MTU - 3, but never more than an
// attribute value may hold. At ATT_MTU 517 that is 512, not 514: BlueZ cuts a longer
// notification to 512 bytes, which would lose the end of every reply piece.
constexpr size_t AttPayloadSize(uint16_t att_mtu) {
  const size_t payload = att_mtu > kAttOverhead ? att_mtu - kAttOverhead : 0;
  return payload < kAttMaxValueLength ? payload : kAttMaxValueLength;
}

// Splits a response into pieces of at most AttPayloadSize(att_mtu) bytes.
class BleFragmenter {
 public:
  // kInvalidArgument for an MTU outside [23, 517] or an empty packet.
  static Result<BleFragmenter> Create(ConstByteSpan packet, uint16_t att_mtu);

  bool done() const { return offset_ >= packet_.size(); }
  size_t piece_size() const { return piece_size_; }
  size_t piece_count() const { return (packet_.size() + piece_size_ - 1) / piece_size_; }
  // The next piece (empty when done).
  ConstByteSpan Next();

 private:
  BleFragmenter(ConstByteSpan packet, size_t piece_size)
      : packet_(packet), piece_size_(piece_size) {}

  ConstByteSpan packet_;
  size_t piece_size_;
  size_t offset_ = 0;
};

enum class BleReassemblyError : uint8_t {
  kNone = 0,
  kBadHeader,  // the header is not a valid SMP header: the rest of the write is dropped
  kOversized,  // the packet does not fit the buffer: its bytes are skipped (length is known)
};

const char* BleReassemblyErrorName(BleReassemblyError error);

enum class BleEvent : uint8_t { kNeedMore, kPacket, kError };

struct BleReassemblyStep {
  BleEvent event = BleEvent::kNeedMore;
  BleReassemblyError error = BleReassemblyError::kNone;
  size_t consumed = 0;  // bytes of the write used by this call
};

class BleReassembler {
 public:
  // `packet_buffer` holds one packet; its size (at least 8) is the largest packet accepted.
  explicit BleReassembler(ByteSpan packet_buffer) : buffer_(packet_buffer) {}

  // Consumes the write up to the end of a packet or an error and stops there; call again with
  // the rest of the write (consumed < write.size()).
  BleReassemblyStep Feed(ConstByteSpan write);

  // The packet of the last kPacket step (header included); valid until the next Feed or Reset.
  ConstByteSpan packet() const { return ConstByteSpan(buffer_.data(), complete_size_); }

  bool in_packet() const { return received_ > 0 || skip_remaining_ > 0; }
  // Drops a partial packet (on disconnect, or a timeout between pieces).
  void Reset();

 private:
  ByteSpan buffer_;
  size_t received_ = 0;        // bytes of the current packet in buffer_
  size_t expected_ = 0;        // 8 + header length, once the header is in
  size_t skip_remaining_ = 0;  // bytes of an oversized packet still to drop
  size_t complete_size_ = 0;
};

}  // namespace bleota::smp
