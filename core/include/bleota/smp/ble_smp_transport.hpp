// SMP over BLE GATT on the device (the SMP characteristic, write without response + notify):
// writes are reassembled into request packets (BleReassembler), each is answered by the
// SmpServer, and the reply goes out in notifications of at most ATT_MTU - 3 bytes (one
// SmpLinkSink::Send per notification). Requests are answered in the order they arrive, also
// when one write holds several or a client keeps several in flight.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/smp/ble_reassembly.hpp"
#include "bleota/smp/reset_request.hpp"
#include "bleota/smp/smp_link.hpp"
#include "bleota/smp/smp_server.hpp"

namespace bleota::smp {

class BleSmpTransport {
 public:
  // `request_buffer` holds one request packet (its size is the largest accepted: buf_size);
  // `response_buffer` one response packet (at least kSmpMinResponseSize). The link starts at
  // the minimum ATT_MTU (23) until OnMtuChanged. Everything passed in must outlive the transport.
  BleSmpTransport(SmpServer& server, SmpLinkSink& sink, const ResetRequest& reset,
                  ByteSpan request_buffer, ByteSpan response_buffer)
      : server_(server),
        sink_(sink),
        reset_(reset),
        reassembler_(request_buffer),
        response_buffer_(response_buffer) {}

  // The bytes of one write to the SMP characteristic. Stops right after a reply that left a
  // reset pending (result.consumed tells how far it got). Headers that do not decode and
  // requests larger than the request buffer are dropped without an answer (result.dropped).
  SmpTransportResult OnWrite(ConstByteSpan write);

  // The negotiated ATT_MTU; kInvalidArgument outside [23, 517] (the MTU is then unchanged).
  Status OnMtuChanged(uint16_t att_mtu);
  // Drops a partly received request and returns to the minimum MTU for the next connection.
  void OnDisconnect();

  uint16_t att_mtu() const { return att_mtu_; }
  bool in_packet() const { return reassembler_.in_packet(); }
  BleReassemblyError last_error() const { return last_error_; }

 private:
  void Answer(ConstByteSpan packet, SmpTransportResult& result);

  SmpServer& server_;
  SmpLinkSink& sink_;
  const ResetRequest& reset_;
  BleReassembler reassembler_;
  ByteSpan response_buffer_;
  uint16_t att_mtu_ = kAttMinMtu;
  BleReassemblyError last_error_ = BleReassemblyError::kNone;
};

}  // namespace bleota::smp
