#include "bleota/smp/udp_smp_transport.hpp"

namespace bleota::smp {

SmpTransportResult UdpSmpTransport::OnDatagram(ConstByteSpan datagram, SmpLinkSink& reply) {
  SmpTransportResult result;
  result.consumed = datagram.size();
  const Result<size_t> size = server_.Handle(datagram, response_buffer_);
  if (!size.ok() || *size == 0) {
    result.CountDropped();
  } else {
    result.send_status = reply.Send(ConstByteSpan(response_buffer_.data(), *size));
    if (result.send_status.ok()) result.CountResponse();
  }
  result.reset_requested = reset_.pending();
  return result;
}

}  // namespace bleota::smp
