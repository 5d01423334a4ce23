#include "bleota/host/dfu_upload_chunker.hpp"

#include "bleota/host/dfu_image_requests.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_rc_names.hpp"

namespace bleota::host {

using nlohmann::json;

size_t CborHeadSize(uint64_t length) {
  if (length < 24) return 1;
  if (length <= 0xFF) return 2;
  if (length <= 0xFFFF) return 3;
  if (length <= 0xFFFFFFFFu) return 5;
  return 9;
}

UploadChunker::UploadChunker(std::span<const uint8_t> data, const std::array<uint8_t, 32>& sha256,
                             uint32_t image, size_t packet_limit, size_t piece_size)
    : data_(data), sha256_(sha256), image_(image), packet_limit_(packet_limit) {
  target_ = packet_limit;
  if (piece_size > 0 && packet_limit >= piece_size)
    target_ = packet_limit / piece_size * piece_size;
  // The first request has the largest overhead; it must carry at least one byte.
  const size_t first = SmpRequestSize(Payload(0, data_.first(data_.empty() ? 0 : 1)));
  if (!data_.empty() && first > packet_limit_) {
    ThrowUsage("a request packet of " + std::to_string(packet_limit_) +
               " bytes cannot carry upload data (the first request needs " + std::to_string(first) +
               "); the device's buf_size or the --mtu is too small");
  }
}

json UploadChunker::Payload(uint32_t offset, std::span<const uint8_t> data) const {
  json payload = {{"off", offset},
                  {"data", json::binary(std::vector<uint8_t>(data.begin(), data.end()))}};
  if (offset == 0) {
    payload["image"] = image_;
    payload["len"] = static_cast<uint64_t>(data_.size());
    payload["sha"] = json::binary(std::vector<uint8_t>(sha256_.begin(), sha256_.end()));
  }
  return payload;
}

size_t UploadChunker::DataSizeAt(uint32_t offset) const {
  const size_t left = data_.size() - offset;
  // Size with empty data (a 1-byte head); n data bytes add n plus the growth of the head.
  const size_t base = SmpRequestSize(Payload(offset, {})) - 1;
  // Largest n with base + head(n) + n <= limit, preferring the piece-aligned target.
  const auto largest_within = [base](size_t limit) -> size_t {
    size_t best = 0;
    for (const size_t head : {size_t{1}, size_t{2}, size_t{3}, size_t{5}}) {
      if (limit < base + head) continue;
      const size_t n = limit - base - head;
      if (CborHeadSize(n) == head && n > best) best = n;
      // n too large for this head: the largest n with this head size still fits.
      if (CborHeadSize(n) > head) {
        const size_t cap = head == 1 ? 23 : head == 2 ? 0xFF : head == 3 ? 0xFFFF : 0xFFFFFFFFu;
        if (cap > best) best = cap;
      }
    }
    return best;
  };
  size_t n = largest_within(target_);
  if (n == 0) n = largest_within(packet_limit_);
  if (n == 0) {
    ThrowUsage("a request packet of " + std::to_string(packet_limit_) +
               " bytes cannot carry upload data at offset " + std::to_string(offset));
  }
  return n < left ? n : left;
}

SmpCommand UploadChunker::RequestAt(uint32_t offset, size_t length) const {
  return SmpCommand{smp::SmpOp::kWrite, kSmpGroupImage, kImageCommandUpload,
                    Payload(offset, data_.subspan(offset, length))};
}

}  // namespace bleota::host
