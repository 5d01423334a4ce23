#include "bleota/simdev/ble_device_session.hpp"

#include <algorithm>

namespace bleota::sim {
namespace {

// The device's SMP buffers: the requests in flight it announces (mcumgr params).
constexpr size_t kSmpBufferBytes = size_t{kSmpBufferCount} * kSmpBufferSize;

}  // namespace

BleDeviceSession::BleDeviceSession(SimDevice& device, BleLink& link)
    : device_(device),
      link_(link),
      request_buffer_(kSmpBufferSize),
      response_buffer_(kSmpBufferSize) {
  link_.AttachPeripheral(this);
}

BleDeviceSession::~BleDeviceSession() {
  // The device side goes away: so does the connection.
  link_.AttachPeripheral(nullptr);
  link_.Disconnect(BleDisconnectReason::kPeripheral);
}

uint64_t BleDeviceSession::device_time_us() const { return device_.soc().clock().now_us(); }

Status BleDeviceSession::Connect() {
  if (link_.connected()) return StatusCode::kFailedPrecondition;
  // A device that is still booting (its clock ahead of the link) advertises after its boot.
  if (device_time_us() > link_.now_us()) link_.RunUntil(device_time_us());
  if (!device_.advertising()) {
    ++stats_.refused_connects;
    return StatusCode::kFailedPrecondition;
  }
  return link_.Connect();
}

void BleDeviceSession::OnConnect(BleLink&) {
  reset_pending_ = false;
  DropPendingWrites();
  transport_.reset();
  firmware_ = device_.firmware();
  boots_at_connect_ = device_.boots();
  if (firmware_ == nullptr) return;  // nothing serves: Service ends the connection
  DeviceFirmware& firmware = *device_.firmware();
  smp::SmpLinkSink& sink = *this;  // private base: converted here, where it is accessible
  transport_.emplace(firmware.server(), sink, firmware.reset_request(), ByteSpan(request_buffer_),
                     ByteSpan(response_buffer_));
}

void BleDeviceSession::OnMtu(BleLink&, uint16_t att_mtu) {
  // The link's MTU is within [23, 517] (BleLinkParams::Validate), which the transport takes.
  if (transport_) transport_->OnMtuChanged(att_mtu).IgnoreError();
}

void BleDeviceSession::OnDisconnect(BleLink&, BleDisconnectReason) {
  if (transport_) transport_->OnDisconnect();
  transport_.reset();
  firmware_ = nullptr;
  reset_pending_ = false;
  DropPendingWrites();
}

bool BleDeviceSession::SyncDeviceClock() { return RunDeviceUntil(link_.now_us()); }

bool BleDeviceSession::RunDeviceUntil(uint64_t us) {
  // The device runs as it would idle (its main loop kicks the watchdog; a fault may reset it),
  // never back.
  const uint64_t device_us = device_time_us();
  if (device_us < us) device_.Advance(us - device_us);
  return !FirmwareGone();
}

bool BleDeviceSession::FirmwareGone() {
  return !transport_ || device_.firmware() != firmware_ || device_.boots() != boots_at_connect_;
}

void BleDeviceSession::EndConnection(BleDisconnectReason reason) { link_.Disconnect(reason); }

void BleDeviceSession::Service(BleLink& link) {
  // The firmware the transport serves is gone (a reset or power cut outside the session) or
  // never ran: the connection is gone with it.
  if (FirmwareGone()) {
    EndConnection(transport_ ? BleDisconnectReason::kDeviceReset
                             : BleDisconnectReason::kPeripheral);
    return;
  }
  if (reset_pending_) {
    // The reply asked for a reset: once the central has it, the device resets (its boot work
    // moves the device clock) and the connection ends with it.
    if (!link.peripheral_tx_idle()) return;
    if (SyncDeviceClock()) device_.RunRequestedReset();
    ++stats_.resets;
    EndConnection(BleDisconnectReason::kDeviceReset);
    return;
  }
  TakeWrites(link);
  while (!device_busy() && !pending_writes_.empty()) {
    const PendingWrite write = std::move(pending_writes_.front());
    pending_writes_.pop_front();
    pending_bytes_ -= write.value.size();
    // The server takes the write when the device finished the previous one or when the write
    // arrived, whichever is later (both no later than now).
    if (!RunDeviceUntil(write.arrived_us)) {  // it reset while idling up to then
      EndConnection(BleDisconnectReason::kDeviceReset);
      return;
    }
    const uint64_t start_us = device_time_us();
    ++stats_.writes;
    const smp::SmpTransportResult result = device_.OnBleWrite(*transport_, write.value);
    stats_.device_busy_us += device_time_us() - start_us;
    stats_.responses += result.responses;
    stats_.dropped += result.dropped;
    if (FirmwareGone()) {  // the request ended it (a power cut armed at a flash operation)
      EndConnection(BleDisconnectReason::kDeviceReset);
      return;
    }
    if (result.reset_requested) {
      // The device resets: what else waits in its buffers is never read.
      reset_pending_ = true;
      DropPendingWrites();
      return;
    }
    TakeWrites(link);
  }
}

void BleDeviceSession::DropPendingWrites() {
  pending_writes_.clear();
  pending_bytes_ = 0;
}

void BleDeviceSession::TakeWrites(BleLink& link) {
  while (link.has_write()) {
    const size_t next = link.next_write_size();
    if (!pending_writes_.empty() && pending_bytes_ + next > kSmpBufferBytes) return;
    std::optional<std::vector<uint8_t>> write = link.TakeWrite();
    if (device_busy()) ++stats_.queued_writes;
    pending_bytes_ += write->size();
    stats_.max_queued_bytes = std::max<uint64_t>(stats_.max_queued_bytes, pending_bytes_);
    pending_writes_.push_back(PendingWrite{std::move(*write), link.now_us()});
  }
}

Status BleDeviceSession::Send(ConstByteSpan bytes) {
  // Inside OnBleWrite: the device clock is where the request's processing ended.
  ++stats_.notifications;
  if (!link_.Notify(bytes, device_time_us())) return StatusCode::kFailedPrecondition;
  return Status::Ok();
}

}  // namespace bleota::sim
