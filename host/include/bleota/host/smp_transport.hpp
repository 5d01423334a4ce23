// A packet link to an SMP (mcumgr) server: one call sends one whole SMP packet (header +
// payload), one call returns one whole received packet. Framing (serial lines, UDP datagrams,
// BLE fragments) is the transport's business; sequence matching and retries are the client's.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace bleota::host {

class SmpTransport {
 public:
  virtual ~SmpTransport() = default;

  // "udp 127.0.0.1:1337", "serial /dev/ttyACM0 115200": for messages.
  virtual std::string name() const = 0;

  // The largest SMP packet this link carries in one Send (UDP: one datagram).
  virtual size_t max_packet_size() const = 0;

  // For a link that cuts packets into fixed-size pieces (BLE: ATT_MTU - 3), the piece size, so
  // that a sender can make packets fill whole pieces; 0 when the link has no such pieces.
  virtual size_t link_piece_size() const { return 0; }

  // Sends one packet. Throws HostError(kTransport) when the link fails.
  virtual void Send(std::span<const uint8_t> packet) = 0;

  // Waits up to `timeout` for one packet. std::nullopt means the whole timeout passed without
  // one (callers rely on that: a nullopt is a timeout). Garbage on the link is dropped and
  // counted, not returned. Throws HostError(kTransport) when the link fails.
  virtual std::optional<std::vector<uint8_t>> Receive(std::chrono::milliseconds timeout) = 0;

  // Called before a retry after a timeout: drop partial input and re-establish the link if it
  // was lost (serial: decoder reset, reopen after a hang-up; UDP: nothing to do).
  virtual void Resync() {}

  // Why nothing may have answered, when the transport knows ("the host refused the datagrams:
  // nothing listens on 127.0.0.1:1337"); empty otherwise. Used in timeout messages.
  virtual std::string diagnosis() const { return {}; }

  // Bytes or datagrams the transport dropped as not being a valid SMP packet.
  virtual size_t dropped_input() const { return 0; }
};

}  // namespace bleota::host
