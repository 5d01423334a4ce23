// SMP over a real BLE link through BlueZ (`bleota dfu --transport ble`): each SMP packet goes
// out as Write Commands of ATT_MTU - 3 bytes (at most 510, see BluezWritePieceSize); the
// notifications are reassembled into SMP packets by the header's length. A lost connection is
// found again in Resync (scan, connect, GATT discovery), so uploads resume from the device's
// offset as over the other transports.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "bleota/host/bluez_central.hpp"
#include "bleota/host/bluez_central_notifications.hpp"
#include "bleota/host/smp_transport.hpp"

namespace bleota::host {

// The largest SMP packet sent (a request is at most the device's buf_size anyway).
inline constexpr size_t kBluezMaxSmpPacket = 8192;

class SmpBluezTransport final : public SmpTransport {
 public:
  // Finds and connects to the device. Throws HostError as BluezCentral and its Connect.
  explicit SmpBluezTransport(BluezCentralOptions options);
  ~SmpBluezTransport() override = default;

  // "ble C0:FF:EE:00:00:01 ('bleota-sim') via hci1, ATT MTU 517"
  std::string name() const override;
  size_t max_packet_size() const override { return kBluezMaxSmpPacket; }
  size_t link_piece_size() const override { return central_->link().write_piece; }
  // While the link is down the packet is lost, as on air; a timeout and Resync follow.
  void Send(std::span<const uint8_t> packet) override;
  // Returns at once (std::nullopt) when the link went down, so the caller resyncs.
  std::optional<std::vector<uint8_t>> Receive(std::chrono::milliseconds timeout) override;
  // Drops a partial reply; after a lost connection, connects again (up to the scan and connect
  // timeouts). A failure is kept for diagnosis(), not thrown: the caller's retries decide.
  void Resync() override;
  std::string diagnosis() const override { return diagnosis_; }
  size_t dropped_input() const override { return assembler_.dropped_values(); }

  const BluezLinkInfo& link() const { return central_->link(); }

 private:
  std::unique_ptr<BluezCentral> central_;
  SmpNotificationAssembler assembler_;
  std::string diagnosis_;
};

}  // namespace bleota::host
