#include "bleota/smp/ble_smp_transport.hpp"

namespace bleota::smp {

Status BleSmpTransport::OnMtuChanged(uint16_t att_mtu) {
  if (att_mtu < kAttMinMtu || att_mtu > kAttMaxMtu) return StatusCode::kInvalidArgument;
  att_mtu_ = att_mtu;
  return Status::Ok();
}

void BleSmpTransport::OnDisconnect() {
  reassembler_.Reset();
  att_mtu_ = kAttMinMtu;
}

void BleSmpTransport::Answer(ConstByteSpan packet, SmpTransportResult& result) {
  const Result<size_t> size = server_.Handle(packet, response_buffer_);
  if (!size.ok() || *size == 0) {  // no answer (a response op) or a too small buffer
    result.CountDropped();
    return;
  }
  // Cannot fail: the MTU is in range (OnMtuChanged) and the reply is not empty.
  Result<BleFragmenter> fragmenter =
      BleFragmenter::Create(ConstByteSpan(response_buffer_.data(), *size), att_mtu_);
  if (!fragmenter.ok()) {
    result.CountDropped();
    return;
  }
  while (!fragmenter->done()) {
    const Status sent = sink_.Send(fragmenter->Next());
    if (!sent.ok()) {
      if (result.send_status.ok()) result.send_status = sent;
      return;
    }
  }
  result.CountResponse();
}

SmpTransportResult BleSmpTransport::OnWrite(ConstByteSpan write) {
  SmpTransportResult result;
  while (result.consumed < write.size()) {
    const BleReassemblyStep step = reassembler_.Feed(write.subspan(result.consumed));
    result.consumed += step.consumed;
    if (step.event == BleEvent::kError) {
      last_error_ = step.error;
      result.CountDropped();
    } else if (step.event == BleEvent::kPacket) {
      Answer(reassembler_.packet(), result);
      if (reset_.pending()) {
        result.reset_requested = true;
        break;
      }
    }
  }
  return result;
}

}  // namespace bleota::smp
