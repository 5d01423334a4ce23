// The persistent state of an SMP image upload, so that an upload cut by a device reset resumes
// where its durable part ends. Encoded as one 64-byte record (docs/spec/boot-state.md,
// "Upload state").
#pragma once

#include <cstdint>
#include <span>

#include "bleota/result.hpp"

namespace bleota::boot {

inline constexpr uint32_t kUploadRecordSize = 64;
inline constexpr uint16_t kUploadRecordMagic = 0x5055;  // "UP" in flash byte order
inline constexpr uint8_t kUploadRecordVersion = 1;
inline constexpr uint32_t kUploadShaBytes = 32;

struct UploadRecord {
  uint32_t seq = 0;  // larger is newer; 0 = no record was found
  uint8_t image = 0;
  uint32_t image_size = 0;            // the upload's len; 0 = no upload in progress
  uint32_t committed = 0;             // bytes from offset 0 that are programmed and durable
  uint8_t sha[kUploadShaBytes] = {};  // the client's SHA-256 of the whole upload

  friend bool operator==(const UploadRecord&, const UploadRecord&) = default;
};

// Encodes `record` (CRC included).
void EncodeUploadRecord(const UploadRecord& record, std::span<uint8_t, kUploadRecordSize> out);
// Decodes a record; kDataLoss when magic, version, CRC, reserved bytes, seq (0) or
// committed > image_size are wrong (torn, erased or foreign content).
Result<UploadRecord> DecodeUploadRecord(std::span<const uint8_t, kUploadRecordSize> in);

}  // namespace bleota::boot
