// The central of a BleLink in the same process as the simulated device, as the host client's
// SmpTransport: `host::UploadImage`, `host::RunUpdate` and SmpClient run unchanged over the
// simulated link, in virtual time. Send cuts a packet into Write Commands of ATT_MTU - 3 bytes
// (running the link while the central's TX buffers are full); Receive runs the link until a
// whole SMP packet arrived in notifications (the SMP header's length) or `timeout` of VIRTUAL
// time passed. A lost connection (a device reset) is made again at the next Send or Resync.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bleota/host/smp_transport.hpp"
#include "bleota/simdev/ble_device_session.hpp"
#include "bleota/simdev/ble_link.hpp"
#include "bleota/smp/ble_reassembly.hpp"

namespace bleota::sim {

class BleInProcessTransport final : public host::SmpTransport {
 public:
  // `link` and `session` (the device side of `link`) must outlive the transport. Does not
  // connect yet (the first Send does, or Connect()).
  BleInProcessTransport(BleLink& link, BleDeviceSession& session);

  // Connects and completes the MTU exchange, in virtual time. Throws HostError(kTransport) when
  // the device does not advertise.
  void Connect();

  std::string name() const override;
  size_t max_packet_size() const override;  // the device's buf_size
  size_t link_piece_size() const override;  // att_mtu - 3 of the profile
  void Send(std::span<const uint8_t> packet) override;
  std::optional<std::vector<uint8_t>> Receive(std::chrono::milliseconds timeout) override;
  void Resync() override;
  std::string diagnosis() const override;
  size_t dropped_input() const override { return dropped_; }

  uint64_t virtual_now_us() const { return link_.now_us(); }
  const BleLinkStats& stats() const { return link_.stats(); }
  BleLink& link() { return link_; }

 private:
  // Feeds received notifications to the reassembler; the next whole packet, if any.
  std::optional<std::vector<uint8_t>> NextPacket();

  BleLink& link_;
  BleDeviceSession& session_;
  std::vector<uint8_t> packet_buffer_;
  smp::BleReassembler reassembler_;
  std::vector<uint8_t> pending_;  // notification bytes not fed yet
  size_t pending_offset_ = 0;
  size_t dropped_ = 0;
};

}  // namespace bleota::sim
