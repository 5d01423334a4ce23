#include "bleota/boot/upload_record.hpp"

#include <cstring>

#include "bleota/bytes.hpp"
#include "bleota/crc32.hpp"

namespace bleota::boot {
namespace {

// Record layout, little-endian (docs/spec/boot-state.md, "Upload state").
constexpr uint32_t kOffMagic = 0;
constexpr uint32_t kOffVersion = 2;
constexpr uint32_t kOffImage = 3;
constexpr uint32_t kOffSeq = 4;
constexpr uint32_t kOffImageSize = 8;
constexpr uint32_t kOffCommitted = 12;
constexpr uint32_t kOffSha = 16;
constexpr uint32_t kOffReserved = kOffSha + kUploadShaBytes;  // 48, zero
constexpr uint32_t kOffCrc = 60;

}  // namespace

void EncodeUploadRecord(const UploadRecord& record, std::span<uint8_t, kUploadRecordSize> out) {
  std::memset(out.data(), 0, out.size());
  StoreLe16(&out[kOffMagic], kUploadRecordMagic);
  out[kOffVersion] = kUploadRecordVersion;
  out[kOffImage] = record.image;
  StoreLe32(&out[kOffSeq], record.seq);
  StoreLe32(&out[kOffImageSize], record.image_size);
  StoreLe32(&out[kOffCommitted], record.committed);
  std::memcpy(&out[kOffSha], record.sha, kUploadShaBytes);
  StoreLe32(&out[kOffCrc], Crc32(std::span<const uint8_t>(out.data(), kOffCrc)));
}

Result<UploadRecord> DecodeUploadRecord(std::span<const uint8_t, kUploadRecordSize> in) {
  if (LoadLe16(&in[kOffMagic]) != kUploadRecordMagic || in[kOffVersion] != kUploadRecordVersion) {
    return StatusCode::kDataLoss;
  }
  if (LoadLe32(&in[kOffCrc]) != Crc32(std::span<const uint8_t>(in.data(), kOffCrc))) {
    return StatusCode::kDataLoss;
  }
  for (uint32_t i = kOffReserved; i < kOffCrc; ++i) {
    if (in[i] != 0) return StatusCode::kDataLoss;
  }
  UploadRecord record;
  record.seq = LoadLe32(&in[kOffSeq]);
  record.image = in[kOffImage];
  record.image_size = LoadLe32(&in[kOffImageSize]);
  record.committed = LoadLe32(&in[kOffCommitted]);
  std::memcpy(record.sha, &in[kOffSha], kUploadShaBytes);
  if (record.seq == 0 || record.committed > record.image_size) return StatusCode::kDataLoss;
  return record;
}

}  // namespace bleota::boot
