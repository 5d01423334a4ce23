// Upload requests (image group, command 1) and their size: the first request (offset 0) is
// {"image", "len", "off": 0, "sha", "data"}, the others {"off", "data"}. The data size at an
// offset is the largest that keeps the whole request packet (header + CBOR) within the packet
// limit, and, for a link that cuts packets into pieces (BLE: ATT_MTU - 3), fills whole pieces.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <span>

#include "bleota/host/smp_message.hpp"

namespace bleota::host {

class UploadChunker {
 public:
  // `data` is the whole upload (it must outlive the chunker); `sha256` its SHA-256.
  // `packet_limit`: the largest request packet (min of the device's buf_size and the transport's
  // packet size). `piece_size`: 0, or the link's piece size. Throws HostError(kUsage) when the
  // limit leaves no room for data.
  UploadChunker(std::span<const uint8_t> data, const std::array<uint8_t, 32>& sha256,
                uint32_t image, size_t packet_limit, size_t piece_size);

  // Data bytes for the request at `offset` (< size()): at least 1, at most what is left.
  size_t DataSizeAt(uint32_t offset) const;

  // The request carrying data [offset, offset + length).
  SmpCommand RequestAt(uint32_t offset, size_t length) const;

  size_t size() const { return data_.size(); }
  size_t packet_limit() const { return packet_limit_; }
  // The packet size requests aim at: the limit, rounded down to whole pieces.
  size_t target_packet_size() const { return target_; }

 private:
  nlohmann::json Payload(uint32_t offset, std::span<const uint8_t> data) const;

  std::span<const uint8_t> data_;
  std::array<uint8_t, 32> sha256_;
  uint32_t image_;
  size_t packet_limit_;
  size_t target_;
};

// Bytes of a CBOR head for a byte string of `length` bytes (1, 2, 3, 5 or 9).
size_t CborHeadSize(uint64_t length);

}  // namespace bleota::host
