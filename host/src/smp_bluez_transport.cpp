#include "bleota/host/smp_bluez_transport.hpp"

#include <algorithm>

#include "bleota/host/error.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// The largest reply packet kept: an SMP length field is 16 bits.
constexpr size_t kMaxReplyPacket = 8 + 65535;

}  // namespace

SmpBluezTransport::SmpBluezTransport(BluezCentralOptions options)
    : central_(std::make_unique<BluezCentral>(std::move(options))), assembler_(kMaxReplyPacket) {
  central_->Connect();
}

std::string SmpBluezTransport::name() const {
  const BluezLinkInfo& link = central_->link();
  return "ble " + link.address + (link.name.empty() ? "" : " ('" + link.name + "')") + " via " +
         link.adapter + ", ATT MTU " + std::to_string(link.att_mtu);
}

void SmpBluezTransport::Send(std::span<const uint8_t> packet) {
  if (packet.size() > kBluezMaxSmpPacket) {
    ThrowUsage("an SMP packet of " + std::to_string(packet.size()) + " bytes exceeds the " +
               std::to_string(kBluezMaxSmpPacket) + "-byte limit of the ble transport");
  }
  const size_t piece = link_piece_size();
  for (size_t at = 0; at < packet.size(); at += piece) {
    const size_t n = std::min(piece, packet.size() - at);
    if (!central_->Write(packet.subspan(at, n))) return;  // lost with the link
  }
}

std::optional<std::vector<uint8_t>> SmpBluezTransport::Receive(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (std::optional<std::vector<uint8_t>> packet = assembler_.Pop()) return packet;
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
    std::optional<std::vector<uint8_t>> value =
        central_->ReadNotification(std::max(left, milliseconds(0)));
    if (!value) {
      if (!central_->connected()) diagnosis_ = central_->down_reason();
      return std::nullopt;
    }
    assembler_.Feed(*value);
  }
}

void SmpBluezTransport::Resync() {
  assembler_.DropPartial();
  if (central_->connected()) return;
  try {
    central_->Connect();
    diagnosis_.clear();
  } catch (const HostError& e) {
    diagnosis_ = "reconnecting failed: " + std::string(e.what());
  }
}

}  // namespace bleota::host
