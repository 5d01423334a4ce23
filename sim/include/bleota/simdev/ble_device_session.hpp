// The peripheral side of a BleLink on a SimDevice: the device's GATT SMP service. At connect it
// builds the device library's smp::BleSmpTransport on the running firmware's SMP server and
// takes the MTU of the MTU exchange; the replies go out as notifications.
//
// Writes: the device's BLE host keeps taking Write Commands while the flash works (on a real SoC
// the radio runs beside the flash in timeslots) into its SMP buffers: at most
// kSmpBufferCount x kSmpBufferSize bytes wait. When those are full the link's RX buffers fill
// and packets are refused (flow control).
//
// Time: the SMP server takes each waiting write in order at the device's time, when the device
// finished the previous one or when the write arrived, whichever is later (not at the next
// exchange). The device clock is brought up to that time (never back); the request's processing
// time is what it moved the device's VirtualClock (flash erases and programs); the device is busy
// until its clock, and a reply's notifications are ready at that time. When a reply leaves a
// reset pending, the session resets the device once the reply is acknowledged and the
// connection ends (kDeviceReset); the reset's boot work moves the device clock, and a new
// connection can start once the link time reaches it (the device advertises again after boot).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>
#include <vector>

#include "bleota/simdev/ble_link.hpp"
#include "bleota/simdev/sim_device.hpp"
#include "bleota/smp/ble_smp_transport.hpp"
#include "bleota/smp/smp_link.hpp"

namespace bleota::sim {

struct BleSessionStats {
  uint64_t writes = 0;            // Write Commands given to the device
  uint64_t responses = 0;         // replies the device sent
  uint64_t dropped = 0;           // requests dropped (framing, no answer)
  uint64_t notifications = 0;     // notifications queued
  uint64_t device_busy_us = 0;    // device clock time spent on writes
  uint64_t resets = 0;            // device resets that ended a connection
  uint64_t refused_connects = 0;  // Connect() while the device did not advertise
  uint64_t queued_writes = 0;     // writes taken while the device was busy
  uint64_t max_queued_bytes = 0;  // the most bytes waiting in the SMP buffers at once
};

class BleDeviceSession final : public BlePeripheralHost, private smp::SmpLinkSink {
 public:
  // Attaches itself to `link` as its peripheral host; both must outlive the session.
  BleDeviceSession(SimDevice& device, BleLink& link);
  ~BleDeviceSession() override;
  BleDeviceSession(const BleDeviceSession&) = delete;
  BleDeviceSession& operator=(const BleDeviceSession&) = delete;

  // The central connects: runs the link up to the device clock first (a booting device does not
  // advertise yet). kFailedPrecondition when the device does not advertise
  // (SimDevice::advertising()) or the link is connected.
  Status Connect();

  // The time the device is busy until (its clock).
  uint64_t device_time_us() const;
  bool device_busy() const { return device_time_us() > link_.now_us(); }
  // A reply asked for a reset: the device resets once the central acknowledged it.
  bool reset_pending() const { return reset_pending_; }
  const BleSessionStats& stats() const { return stats_; }
  SimDevice& device() { return device_; }

  // BlePeripheralHost.
  void OnConnect(BleLink& link) override;
  void OnMtu(BleLink& link, uint16_t att_mtu) override;
  void OnDisconnect(BleLink& link, BleDisconnectReason reason) override;
  void Service(BleLink& link) override;

 private:
  // smp::SmpLinkSink: one notification of the reply in progress.
  Status Send(ConstByteSpan bytes) override;
  // Runs the device up to the link time (SimDevice::Advance); false when that ended the
  // firmware the transport serves (a watchdog reset, a crash).
  bool SyncDeviceClock();
  // The same up to `us` (nothing when the device clock is there already).
  bool RunDeviceUntil(uint64_t us);
  // The firmware the transport serves no longer runs (or never did).
  bool FirmwareGone();
  void EndConnection(BleDisconnectReason reason);
  // Moves Write Commands from the link's RX buffers into the SMP buffers while they have room.
  void TakeWrites(BleLink& link);
  // Forgets the writes in the SMP buffers (the connection or the device is gone).
  void DropPendingWrites();

  SimDevice& device_;
  BleLink& link_;
  std::vector<uint8_t> request_buffer_;
  std::vector<uint8_t> response_buffer_;
  struct PendingWrite {
    std::vector<uint8_t> value;
    uint64_t arrived_us = 0;  // link time it was taken
  };
  std::deque<PendingWrite> pending_writes_;  // taken, not yet given to the server
  size_t pending_bytes_ = 0;
  std::optional<smp::BleSmpTransport> transport_;
  const DeviceFirmware* firmware_ = nullptr;  // the firmware the transport serves
  uint32_t boots_at_connect_ = 0;
  bool reset_pending_ = false;
  BleSessionStats stats_;
};

}  // namespace bleota::sim
