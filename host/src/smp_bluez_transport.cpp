#include "bleota/host/smp_bluez_transport.hpp"

#include <algorithm>

#include "bleota/host/dfu_upload_chunker.hpp"
#include "bleota/host/error.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// The largest reply packet kept: an SMP length field is 16 bits.
constexpr size_t kMaxReplyPacket = 8 + 65535;

// Whether the upload's chunker can make requests of at most `limit` bytes (the sha's value does
// not change a request's size).
bool UploadFits(std::span<const uint8_t> data, uint32_t image, size_t limit) {
  try {
    const UploadChunker chunker(data, std::array<uint8_t, 32>{}, image, limit, limit);
    return true;
  } catch (const HostError&) {
    return false;
  }
}

}  // namespace

void CheckOneWriteUpload(std::span<const uint8_t> data, uint32_t image, size_t write_piece,
                         uint32_t att_mtu) {
  if (!UploadFits(data, image, write_piece)) {
    size_t first = write_piece + 1;  // the first request's size with one data byte
    while (first < kBluezMaxSmpPacket && !UploadFits(data, image, first)) ++first;
    ThrowUsage("--one-write-per-request: one Write Command carries " + std::to_string(write_piece) +
               " bytes at ATT MTU " + std::to_string(att_mtu) +
               ", and the first upload request needs " + std::to_string(first) +
               " with one data byte; upload without the option or over a link with a larger MTU");
  }
}

SmpBluezTransport::SmpBluezTransport(BluezCentralOptions options)
    : central_(std::make_unique<BluezCentral>(options)),
      assembler_(kMaxReplyPacket),
      one_write_per_request_(options.one_write_per_request) {
  central_->Connect();
}

void SmpBluezTransport::CheckUpload(std::span<const uint8_t> data, uint32_t image) const {
  if (!one_write_per_request_) return;
  CheckOneWriteUpload(data, image, central_->link().write_piece, central_->link().att_mtu);
}

std::string SmpBluezTransport::name() const {
  const BluezLinkInfo& link = central_->link();
  return "ble " + link.address + (link.name.empty() ? "" : " ('" + link.name + "')") + " via " +
         link.adapter + ", ATT MTU " + std::to_string(link.att_mtu) +
         (one_write_per_request_ ? ", one Write Command per request (--one-write-per-request)"
                                 : "");
}

void SmpBluezTransport::Send(std::span<const uint8_t> packet) {
  if (packet.size() > kBluezMaxSmpPacket) {
    ThrowUsage("an SMP packet of " + std::to_string(packet.size()) + " bytes exceeds the " +
               std::to_string(kBluezMaxSmpPacket) + "-byte limit of the ble transport");
  }
  const size_t piece = link_piece_size();
  if (one_write_per_request_ && packet.size() > piece) {
    ThrowUsage("--one-write-per-request: an SMP request of " + std::to_string(packet.size()) +
               " bytes does not fit one Write Command of " + std::to_string(piece) + " bytes");
  }
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
