// Rebuilds SMP packets from the notification values of the SMP characteristic: a reply longer
// than ATT_MTU - 3 comes in several notifications, cut at any byte (also inside the 8-byte
// header); the header's length says where a packet ends. Values that cannot start a packet (no
// valid SMP header) are dropped and counted, so the stream stays usable after garbage.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <vector>

#include "bleota/smp/ble_reassembly.hpp"

namespace bleota::host {

class SmpNotificationAssembler {
 public:
  // max_packet: the largest packet kept (header included, at least 8); a longer one is skipped
  // by its length and counted as dropped.
  explicit SmpNotificationAssembler(size_t max_packet);
  SmpNotificationAssembler(const SmpNotificationAssembler&) = delete;
  SmpNotificationAssembler& operator=(const SmpNotificationAssembler&) = delete;

  // One notification value; complete packets are queued for Pop.
  void Feed(std::span<const uint8_t> value);
  std::optional<std::vector<uint8_t>> Pop();
  bool has_packet() const { return !packets_.empty(); }

  // Drops a partial packet (after a timeout or a disconnect); queued packets stay.
  void DropPartial() { reassembler_.Reset(); }
  // True while a packet has begun and not ended.
  bool in_packet() const { return reassembler_.in_packet(); }

  size_t dropped_values() const { return dropped_values_; }  // garbage or oversized events
  size_t dropped_bytes() const { return dropped_bytes_; }    // their bytes

 private:
  std::vector<uint8_t> buffer_;
  smp::BleReassembler reassembler_;
  std::deque<std::vector<uint8_t>> packets_;
  size_t dropped_values_ = 0;
  size_t dropped_bytes_ = 0;
};

}  // namespace bleota::host
