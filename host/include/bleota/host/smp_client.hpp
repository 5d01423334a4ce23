// The SMP request/reply layer over an SmpTransport: v1 or v2 headers, sequence numbers, replies
// matched by sequence, group, command and op (anything else is stale and ignored), timeouts
// with resends, and device error codes turned into SmpDeviceError.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bleota/host/smp_message.hpp"
#include "bleota/host/smp_transport.hpp"

namespace bleota::host {

struct SmpClientOptions {
  smp::SmpVersion version = smp::SmpVersion::kV2;
  std::chrono::milliseconds timeout{5000};  // per try
  unsigned retries = 3;                     // resends after a timeout (tries = retries + 1)
  std::optional<uint8_t> first_sequence;    // random when not set
};

struct SmpClientStats {
  size_t requests_sent = 0;  // packets sent, resends included
  size_t resends = 0;
  size_t stale_replies = 0;    // valid replies that answered no pending request
  size_t dropped_packets = 0;  // received packets that are no SMP reply (garbage, echoes)
};

class SmpClient {
 public:
  SmpClient(SmpTransport& transport, SmpClientOptions options);

  // Sends `command` and returns the reply payload. After a timeout the same packet (same
  // sequence) is sent again, up to options.retries times. Throws SmpDeviceError when the reply
  // carries an error code, HostError(kTransport) when no reply came, HostError(kDevice) for a
  // malformed reply. `what` names the request in messages ("echo", "upload at offset 512").
  nlohmann::json Call(const SmpCommand& command, std::string_view what);

  // Building blocks for pipelined requests (uploads): encode with a fresh sequence number, send
  // a packet, and receive the next SMP reply whatever it answers (std::nullopt: the timeout
  // passed). Packets that are not SMP replies are dropped.
  std::vector<uint8_t> Encode(const SmpCommand& command, uint8_t& sequence);
  void SendPacket(std::span<const uint8_t> packet);
  std::optional<SmpReply> ReceiveReply(std::chrono::milliseconds timeout);
  void NoteStale() { ++stats_.stale_replies; }
  void NoteResend() { ++stats_.resends; }

  // "no reply to echo from udp 127.0.0.1:1337 after 4 tries of 5000 ms; ..." as a
  // HostError(kTransport).
  [[noreturn]] void ThrowNoReply(std::string_view what, unsigned tries) const;

  SmpTransport& transport() { return transport_; }
  const SmpClientOptions& options() const { return options_; }
  const SmpClientStats& stats() const { return stats_; }

 private:
  SmpTransport& transport_;
  SmpClientOptions options_;
  uint8_t next_sequence_;
  SmpClientStats stats_;
};

}  // namespace bleota::host
