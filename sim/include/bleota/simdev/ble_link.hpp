// One BLE connection in virtual time (microseconds, uint64_t), as a discrete-event model of the
// link layer (docs/ble-link.md):
//   - connection events at anchors every connection interval; in each, exchanges of a central
//     packet + T_IFS + a peripheral packet + T_IFS while the exchange ends before the next anchor,
//     the packets-per-event cap allows, and either side has data (the first exchange of an event
//     always happens: the central polls with an empty packet);
//   - central -> peripheral ATT Write Commands and peripheral -> central notifications, each an
//     L2CAP PDU cut into LL packets of at most max_ll_payload bytes; a packet's air time follows
//     its length (an empty packet is the ACK);
//   - each packet lost with packet_error_rate_ppm (seeded draws); the SN/NESN scheme: a packet
//     not acknowledged is sent again, in order, and duplicates are dropped by the receiver; two
//     lost packets in a row close the event, as CRC errors do;
//   - flow control for write without response: the central's controller holds at most
//     central_tx_buffers unacknowledged packets (TryWrite refuses a write that does not fit: run
//     the link), the peripheral's controller at most peripheral_rx_buffers received packets its
//     host has not taken (a packet that finds them full is not acknowledged: resent, air time
//     spent);
//   - the ATT MTU exchange at connection start (23 until it is done), disconnects (explicit, the
//     supervision timeout, a device reset), and statistics.
// The peripheral's host (BlePeripheralHost, e.g. BleDeviceSession) is called before every
// exchange to take writes and queue notifications. Deterministic: the same params (seed) and
// the same calls give the same run.
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <random>
#include <span>
#include <string>
#include <vector>

#include "bleota/simdev/ble_link_params.hpp"

namespace bleota::sim {

class BleLink;

enum class BleDisconnectReason : uint8_t {
  kNone,                // still connected, or never connected
  kCentral,             // the central's host ended the connection
  kPeripheral,          // the peripheral's host ended it
  kSupervisionTimeout,  // no valid packet for supervision_timeout_us
  kDeviceReset,         // the peripheral reset (its connection state is gone)
};

// "central", "peripheral", "supervision timeout", "device reset", "none".
const char* BleDisconnectReasonName(BleDisconnectReason reason);

// The peripheral's host stack above the link.
class BlePeripheralHost {
 public:
  virtual ~BlePeripheralHost() = default;
  virtual void OnConnect(BleLink& link) = 0;
  // The central's ATT Exchange MTU request arrived: `att_mtu` is the connection's MTU.
  virtual void OnMtu(BleLink& link, uint16_t att_mtu) = 0;
  // The connection ended; queued and partial data on both sides are gone.
  virtual void OnDisconnect(BleLink& link, BleDisconnectReason reason) = 0;
  // Called before each exchange (link.now_us() is its start): take writes, queue
  // notifications, or disconnect.
  virtual void Service(BleLink& link) = 0;
};

struct BleLinkStats {
  uint64_t connections = 0;
  uint64_t events = 0;              // connection events
  uint64_t exchanges = 0;           // central packet + peripheral packet
  uint64_t central_packets = 0;     // sent, empty ones and resends included
  uint64_t peripheral_packets = 0;  // sent, empty ones and resends included
  uint64_t central_data_packets = 0;
  uint64_t peripheral_data_packets = 0;
  uint64_t central_retransmissions = 0;  // data packets sent again (loss or NAK)
  uint64_t peripheral_retransmissions = 0;
  uint64_t lost_packets = 0;      // either way
  uint64_t naks = 0;              // central packets refused: the peripheral's RX buffers were full
  uint64_t writes_refused = 0;    // TryWrite calls refused for full TX buffers
  uint64_t writes_delivered = 0;  // Write Commands whole in the peripheral's RX buffers
  uint64_t write_bytes = 0;       // their ATT values (central -> peripheral payload)
  uint64_t notifications_delivered = 0;
  uint64_t notification_bytes = 0;  // their ATT values (peripheral -> central payload)
  uint64_t air_us = 0;              // exchanges' time (packets + T_IFS)
  uint64_t connected_us = 0;        // time connected, up to now
};

enum class BleWriteStatus : uint8_t {
  kQueued,
  kBuffersFull,  // the central's TX buffers cannot take it now: run the link, try again
  kTooLong,      // longer than smp::AttPayloadSize(att_mtu) of the connection
  kNotConnected,
};

class BleLink {
 public:
  // Throws host::HostError(kUsage) with params.Problem() for invalid params.
  explicit BleLink(const BleLinkParams& params);
  BleLink(const BleLink&) = delete;
  BleLink& operator=(const BleLink&) = delete;

  const BleLinkParams& params() const { return params_; }
  uint64_t now_us() const { return now_us_; }
  bool connected() const { return connected_; }
  // The ATT MTU in use: 23 until the MTU exchange completed at the central.
  uint16_t att_mtu() const { return central_mtu_; }
  bool mtu_exchanged() const { return connected_ && central_mtu_exchanged_; }
  BleDisconnectReason last_disconnect() const { return last_disconnect_; }
  const BleLinkStats& stats() const;

  // The peripheral's host; must outlive the link or be detached (nullptr) first.
  void AttachPeripheral(BlePeripheralHost* host) { peripheral_host_ = host; }

  // Starts a connection now: the first event one connection interval later (the connect
  // request's transmit window, simplified), then the ATT MTU exchange. kFailedPrecondition when
  // connected.
  Status Connect();
  // Ends the connection now (both sides learn it at once): queued and partial data are dropped;
  // notifications the central already received stay readable.
  void Disconnect(BleDisconnectReason reason);

  // Changes the loss rate from now on (for tests and benchmarks of bad links).
  void SetPacketErrorRate(uint32_t ppm);

  // Runs the next step: one exchange, or the close of the current event, or (between events)
  // the next event's first exchange. Returns false when not connected (nothing to run).
  bool Step();
  // Runs every step that starts before `t`, then (unless inside an event) moves the clock to `t`.
  void RunUntil(uint64_t t);
  // When the next step starts (now inside an event; the next anchor between events).
  uint64_t next_step_us() const;

  // Central (the host in the phone) side.
  BleWriteStatus TryWrite(std::span<const uint8_t> value);
  size_t central_tx_free() const;  // free TX buffers (LL packets)
  bool central_tx_idle() const;    // every write acknowledged
  // The next notification value the central received (in order), if any.
  std::optional<std::vector<uint8_t>> TakeNotification();
  bool has_notification() const { return !central_rx_.empty(); }

  // Peripheral (the device) side.
  // The next Write Command value whole in the RX buffers (frees them), if any.
  std::optional<std::vector<uint8_t>> TakeWrite();
  bool has_write() const { return !peripheral_rx_.empty(); }
  // The ATT value size of the write TakeWrite() would return (0 when none).
  size_t next_write_size() const {
    return peripheral_rx_.empty() ? 0 : peripheral_rx_.front().value.size();
  }
  // Queues a notification the controller may send from `ready_at_us` on (the time the device's
  // host hands it over). False when not connected or longer than AttPayloadSize(att_mtu).
  bool Notify(std::span<const uint8_t> value, uint64_t ready_at_us);
  bool peripheral_tx_idle() const;  // every notification acknowledged
  uint16_t peripheral_att_mtu() const { return peripheral_mtu_; }

 private:
  enum class PduKind : uint8_t { kWrite, kNotification, kMtuRequest, kMtuResponse };
  struct Pdu {
    PduKind kind;
    std::vector<uint8_t> value;
    uint64_t ready_at_us = 0;
    uint32_t fragments = 0;
  };
  // One direction's sender: PDUs not yet fully acknowledged, the packet in transmission.
  struct Sender {
    std::deque<Pdu> queue;
    uint32_t fragment = 0;  // of queue.front()
    bool sent = false;      // the current packet went out at least once
    bool peer_has = false;  // the peer accepted it; the ack has not come back yet
    uint32_t packets_queued = 0;
  };
  struct Fate {
    bool central_lost = false;
    bool peripheral_lost = false;
  };

  uint32_t FragmentCount(const Pdu& pdu) const;
  uint32_t FragmentLength(const Pdu& pdu, uint32_t fragment) const;
  // LL payload of the sender's current packet at `at_us` (0: an empty packet).
  uint32_t CurrentLength(const Sender& sender, uint64_t at_us) const;
  // The packet the sender sends next when it learns (or not) that the peer has its current one.
  uint32_t NextLength(const Sender& sender, bool learns_ack, uint64_t at_us) const;
  // The peripheral's next packet is a new one (not one it must repeat).
  bool PeripheralSendsNew(bool learns_ack) const;
  void Advance(Sender& sender);
  bool Lost();
  // One exchange at now_us_ if it may run (first_of_event: the poll that opens the event).
  bool TryExchange(bool first_of_event);
  void ReceiveAtPeripheral(const Pdu& pdu, uint32_t fragment);
  void ReceiveAtCentral(const Pdu& pdu, uint32_t fragment);
  void ServicePeripheral();

  BleLinkParams params_;
  std::mt19937_64 rng_;
  uint64_t now_us_ = 0;
  bool connected_ = false;
  BleDisconnectReason last_disconnect_ = BleDisconnectReason::kNone;
  BlePeripheralHost* peripheral_host_ = nullptr;

  bool in_event_ = false;
  uint64_t next_anchor_us_ = 0;
  uint32_t event_exchanges_ = 0;
  bool last_packet_lost_ = false;
  std::optional<Fate> pending_fate_;
  uint64_t central_last_rx_us_ = 0;
  uint64_t peripheral_last_rx_us_ = 0;
  uint64_t connected_since_us_ = 0;
  uint64_t connected_total_us_ = 0;  // of the connections that ended

  uint16_t central_mtu_ = kBleMinAttMtu;
  uint16_t peripheral_mtu_ = kBleMinAttMtu;
  bool central_mtu_exchanged_ = false;

  Sender central_;
  Sender peripheral_;
  uint32_t peripheral_rx_packets_ = 0;  // RX buffers in use: partial PDU + PDUs not taken
  struct ReceivedWrite {
    std::vector<uint8_t> value;
    uint32_t packets;  // RX buffers it holds
  };
  std::deque<ReceivedWrite> peripheral_rx_;  // whole writes the host has not taken
  std::deque<std::vector<uint8_t>> central_rx_;

  mutable BleLinkStats stats_;
};

}  // namespace bleota::sim
