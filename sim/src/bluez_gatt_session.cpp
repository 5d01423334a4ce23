#include "bleota/simdev/bluez_gatt_session.hpp"

#include <algorithm>
#include <utility>

#include "bleota/simdev/device_firmware.hpp"

namespace bleota::sim {

BluezGattSession::BluezGattSession(Notify notify)
    : notify_(std::move(notify)),
      request_buffer_(kSmpBufferSize),
      response_buffer_(kSmpBufferSize) {}

bool BluezGattSession::NeedsNewTransport(SimDevice& device, const std::string& central) const {
  return !transport_ || device.firmware() != firmware_ || device.boots() != boots_ ||
         central != central_;
}

BluezWriteOutcome BluezGattSession::OnWrite(SimDevice& device, const std::string& central,
                                            ConstByteSpan value, std::optional<uint16_t> att_mtu) {
  if (device.firmware() == nullptr) {
    transport_.reset();
    return BluezWriteOutcome::kNoFirmware;
  }
  if (NeedsNewTransport(device, central)) {
    // A new central, or another firmware since the last write: what the old transport held
    // (a partial request, its MTU) belongs to a connection that is gone.
    transport_.reset();
    firmware_ = device.firmware();
    boots_ = device.boots();
    central_ = central;
    DeviceFirmware& firmware = *device.firmware();
    smp::SmpLinkSink& sink = *this;  // private base: converted here, where it is accessible
    transport_.emplace(firmware.server(), sink, firmware.reset_request(), ByteSpan(request_buffer_),
                       ByteSpan(response_buffer_));
  }
  // BlueZ reports the bearer's MTU with each write; the transport refuses values outside
  // [23, 517] and keeps the one it has.
  if (att_mtu && *att_mtu != transport_->att_mtu()) {
    transport_->OnMtuChanged(*att_mtu).IgnoreError();
  }
  ++stats_.writes;
  const smp::SmpTransportResult result = device.OnBleWrite(*transport_, value);
  stats_.responses += result.responses;
  stats_.dropped += result.dropped;
  if (!result.reset_requested) return BluezWriteOutcome::kTaken;
  // The reply went out as notifications; the device resets now and boots the next firmware.
  ++stats_.resets;
  transport_.reset();
  device.RunRequestedReset();
  return BluezWriteOutcome::kReset;
}

void BluezGattSession::OnDisconnect() {
  if (transport_) transport_->OnDisconnect();
  transport_.reset();
  central_.clear();
}

Status BluezGattSession::Send(ConstByteSpan bytes) {
  if (!notify_ || !notify_(bytes)) {
    // Like a peripheral whose central did not enable notifications: the reply is lost.
    ++stats_.undelivered_notifications;
    return Status::Ok();
  }
  ++stats_.notifications;
  return Status::Ok();
}

}  // namespace bleota::sim
