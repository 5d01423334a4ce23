// SMP over UDP on the device: one request packet per datagram, one reply datagram (sent through
// the sink of the datagram's source, so the reply leaves from the port that received it).
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/smp/reset_request.hpp"
#include "bleota/smp/smp_link.hpp"
#include "bleota/smp/smp_server.hpp"

namespace bleota::smp {

inline constexpr uint16_t kSmpUdpPort = 1337;

class UdpSmpTransport {
 public:
  // `response_buffer` holds one response packet (at least kSmpMinResponseSize). Everything
  // passed in must outlive the transport.
  UdpSmpTransport(SmpServer& server, const ResetRequest& reset, ByteSpan response_buffer)
      : server_(server), reset_(reset), response_buffer_(response_buffer) {}

  // Answers one datagram through `reply` (addressed to the datagram's source). A datagram whose
  // header does not decode, or a response, gets no reply (result.dropped); one whose header
  // length differs from its size gets the server's CORRUPT reply.
  SmpTransportResult OnDatagram(ConstByteSpan datagram, SmpLinkSink& reply);

 private:
  SmpServer& server_;
  const ResetRequest& reset_;
  ByteSpan response_buffer_;
};

}  // namespace bleota::smp
