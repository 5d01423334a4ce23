// SMP over a real BLE link through BlueZ (`bleota dfu --transport ble`): each SMP packet goes
// out as Write Commands of ATT_MTU - 3 bytes (at most 510, see BluezWritePieceSize); the
// notifications are reassembled into SMP packets by the header's length. A lost connection is
// found again in Resync (scan, connect, GATT discovery), so uploads resume from the device's
// offset as over the other transports. With one_write_per_request every request must fit one
// Write Command: with EATT the writes of one request may travel over different ATT bearers and
// arrive swapped, while whole requests out of order are put right by the upload's offsets.
#pragma once

#include <chrono>
#include <memory>
#include <span>
#include <string>

#include "bleota/host/bluez_central.hpp"
#include "bleota/host/bluez_central_notifications.hpp"
#include "bleota/host/smp_transport.hpp"

namespace bleota::host {

// The largest SMP packet sent (a request is at most the device's buf_size anyway).
inline constexpr size_t kBluezMaxSmpPacket = 8192;

// With --one-write-per-request: throws HostError(kUsage) when not even the first upload request
// of `data` (the largest, with len and sha) fits one Write Command of `write_piece` bytes with
// at least one data byte (ATT MTU 23 for any image). Uses the upload's own chunker.
void CheckOneWriteUpload(std::span<const uint8_t> data, uint32_t image, size_t write_piece,
                         uint32_t att_mtu);

class SmpBluezTransport final : public SmpTransport {
 public:
  // Finds and connects to the device. Throws HostError as BluezCentral and its Connect.
  explicit SmpBluezTransport(BluezCentralOptions options);
  ~SmpBluezTransport() override = default;

  // "ble C0:FF:EE:00:00:01 ('bleota-sim') via hci1, ATT MTU 517" (and ", one Write Command per
  // request (--one-write-per-request)")
  std::string name() const override;
  // One write's bytes with one_write_per_request: the client refuses a longer request, naming
  // the transport, and uploads size their requests to it.
  size_t max_packet_size() const override {
    return BluezRequestLimit(central_->link().write_piece, kBluezMaxSmpPacket,
                             one_write_per_request_);
  }
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
  bool one_write_per_request() const { return one_write_per_request_; }
  // CheckOneWriteUpload for this link, when one_write_per_request.
  void CheckUpload(std::span<const uint8_t> data, uint32_t image) const;

 private:
  std::unique_ptr<BluezCentral> central_;
  SmpNotificationAssembler assembler_;
  bool one_write_per_request_;
  std::string diagnosis_;
};

}  // namespace bleota::host
