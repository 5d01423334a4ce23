// SMP over a serial console/UART on the device: console bytes in (SerialFrameDecoder), one
// SmpServer call per packet, the reply out as serial lines (one SmpLinkSink::Send per line).
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/smp/reset_request.hpp"
#include "bleota/smp/serial_framing.hpp"
#include "bleota/smp/smp_link.hpp"
#include "bleota/smp/smp_server.hpp"

namespace bleota::smp {

class SerialSmpTransport {
 public:
  // `request_buffer` holds one request packet (its size is the largest accepted: buf_size);
  // `response_buffer` one response packet (at least kSmpMinResponseSize). Everything passed in
  // must outlive the transport.
  SerialSmpTransport(SmpServer& server, SmpLinkSink& sink, const ResetRequest& reset,
                     ByteSpan request_buffer, ByteSpan response_buffer)
      : server_(server),
        sink_(sink),
        reset_(reset),
        decoder_(request_buffer),
        response_buffer_(response_buffer) {}

  // Takes console bytes in any chunking; answers every complete packet in order. Stops right
  // after a reply that left a reset pending (result.consumed tells how far it got).
  SmpTransportResult Feed(ConstByteSpan bytes);

  // Drops a partly received packet (a receive timeout).
  void Reset() { decoder_.Reset(); }
  bool in_packet() const { return decoder_.in_packet(); }
  // The framing error of the last dropped frame (kNone when none yet).
  SerialFrameError last_error() const { return last_error_; }

 private:
  // Hands one packet to the server and sends its reply, line by line.
  void Answer(ConstByteSpan packet, SmpTransportResult& result);

  SmpServer& server_;
  SmpLinkSink& sink_;
  const ResetRequest& reset_;
  SerialFrameDecoder decoder_;
  ByteSpan response_buffer_;
  SerialFrameError last_error_ = SerialFrameError::kNone;
};

}  // namespace bleota::smp
