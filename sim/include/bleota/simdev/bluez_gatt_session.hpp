// The device side of the SMP GATT characteristic served through BlueZ, without D-Bus: each Write
// Command BlueZ hands over (WriteValue) goes to the device library's smp::BleSmpTransport, which
// reassembles SMP packets from writes and cuts each reply into notifications of at most
// ATT_MTU - 3 bytes. The transport is built on the firmware that runs now and built again when
// the firmware changes (a reset, a power cut) or another central writes. A reply that leaves a
// reset pending is sent first; then the device resets (RunRequestedReset) and the rest of that
// write is dropped, as a real device would lose it.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "bleota/simdev/sim_device.hpp"
#include "bleota/smp/ble_smp_transport.hpp"
#include "bleota/smp/smp_link.hpp"

namespace bleota::sim {

struct BluezGattStats {
  uint64_t writes = 0;                     // Write Commands given to the device
  uint64_t responses = 0;                  // replies the device sent
  uint64_t dropped = 0;                    // requests dropped (framing, no answer)
  uint64_t notifications = 0;              // notifications sent
  uint64_t undelivered_notifications = 0;  // the central had not enabled notifications
  uint64_t resets = 0;                     // resets a reply asked for
};

enum class BluezWriteOutcome : uint8_t {
  kTaken,       // the device took the write
  kNoFirmware,  // nothing runs (halted, off): refused
  kReset,       // the device took it, sent the reply and reset: the central's connection ends
};

class BluezGattSession final : private smp::SmpLinkSink {
 public:
  // Delivers one notification; false when the central does not listen (not notifying).
  using Notify = std::function<bool(ConstByteSpan value)>;

  explicit BluezGattSession(Notify notify);
  BluezGattSession(const BluezGattSession&) = delete;
  BluezGattSession& operator=(const BluezGattSession&) = delete;

  // One write of `central` (its D-Bus path; "" when BlueZ did not say) with the link's ATT MTU
  // from WriteValue's options (nullopt: not given; values outside [23, 517] are ignored).
  BluezWriteOutcome OnWrite(SimDevice& device, const std::string& central, ConstByteSpan value,
                            std::optional<uint16_t> att_mtu);
  // The central disconnected: a partly received request is dropped, the MTU is forgotten.
  void OnDisconnect();

  // The MTU the transport cuts notifications for (23 until a write gave one): notifications carry
  // at most smp::AttPayloadSize(att_mtu()) bytes (512 at MTU 517: BlueZ's central cuts a longer
  // one to an attribute value's 512, seen in the VM).
  uint16_t att_mtu() const { return transport_ ? transport_->att_mtu() : smp::kAttMinMtu; }
  const BluezGattStats& stats() const { return stats_; }

 private:
  Status Send(ConstByteSpan bytes) override;
  bool NeedsNewTransport(SimDevice& device, const std::string& central) const;

  Notify notify_;
  std::vector<uint8_t> request_buffer_;
  std::vector<uint8_t> response_buffer_;
  std::optional<smp::BleSmpTransport> transport_;
  const DeviceFirmware* firmware_ = nullptr;  // the firmware the transport serves
  uint32_t boots_ = 0;
  std::string central_;
  BluezGattStats stats_;
};

}  // namespace bleota::sim
