// What the device-side SMP transports send through, and what they report back to the device
// loop after each call.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/status.hpp"

namespace bleota::smp {

// The device's end of a link: one call per unit the link carries (one UDP datagram, one GATT
// notification, one serial line). Send returns once the bytes are handed to the link (queued
// or sent); a failure means they are lost.
class SmpLinkSink {
 public:
  virtual Status Send(ConstByteSpan bytes) = 0;

 protected:
  ~SmpLinkSink() = default;
};

// What one transport call did. The counters stop at 65535.
struct SmpTransportResult {
  size_t consumed = 0;     // input bytes used; less than given only when stopped for a reset
  uint16_t responses = 0;  // replies handed to the sink in full
  uint16_t dropped = 0;    // framing errors and requests without an answer (see the transport)
  bool reset_requested = false;  // a reset is pending (ResetRequest) and its reply went out:
                                 // the device loop resets now, or Clear()s and feeds the rest
  Status send_status;            // the first Send failure of this call (that reply was cut short)

  void CountResponse() { Saturate(responses); }
  void CountDropped() { Saturate(dropped); }
  static void Saturate(uint16_t& counter) {
    if (counter != UINT16_MAX) ++counter;
  }
};

}  // namespace bleota::smp
