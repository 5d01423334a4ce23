#include "bleota/smp/serial_smp_transport.hpp"

namespace bleota::smp {

void SerialSmpTransport::Answer(ConstByteSpan packet, SmpTransportResult& result) {
  const Result<size_t> size = server_.Handle(packet, response_buffer_);
  // No answer (a response op, no header), a too small buffer, or a reply above what the
  // serial length field can carry (only with a response buffer above 64 KiB).
  if (!size.ok() || *size == 0 || *size > kSerialMaxPacket) {
    result.CountDropped();
    return;
  }
  SerialPacketEncoder encoder(ConstByteSpan(response_buffer_.data(), *size));
  uint8_t line[kSerialMaxLine];
  while (!encoder.done()) {
    const size_t length = encoder.NextLine(line);
    const Status sent = sink_.Send(ConstByteSpan(line, length));
    if (!sent.ok()) {
      if (result.send_status.ok()) result.send_status = sent;
      return;
    }
  }
  result.CountResponse();
}

SmpTransportResult SerialSmpTransport::Feed(ConstByteSpan bytes) {
  SmpTransportResult result;
  while (result.consumed < bytes.size()) {
    const SerialDecodeStep step = decoder_.Feed(bytes.subspan(result.consumed));
    result.consumed += step.consumed;
    if (step.event == SerialEvent::kError) {
      last_error_ = step.error;
      result.CountDropped();
    } else if (step.event == SerialEvent::kPacket) {
      Answer(decoder_.packet(), result);
      if (reset_.pending()) {
        result.reset_requested = true;
        break;
      }
    }
  }
  return result;
}

}  // namespace bleota::smp
