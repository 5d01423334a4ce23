#include "bleota/boot/upload_state_store.hpp"

namespace bleota::boot {
namespace {

bool ValidUploadRecord(ConstByteSpan record, uint32_t& seq) {
  if (record.size() != kUploadRecordSize) return false;
  Result<UploadRecord> decoded = DecodeUploadRecord(
      std::span<const uint8_t, kUploadRecordSize>(record.data(), kUploadRecordSize));
  if (!decoded.ok()) return false;
  seq = decoded->seq;
  return true;
}

}  // namespace

UploadStateStore::UploadStateStore(FlashArea& area)
    : journal_(area, kUploadRecordSize, &ValidUploadRecord) {}

Result<UploadRecord> UploadStateStore::Load() {
  uint8_t record[kUploadRecordSize];
  BLEOTA_ASSIGN_OR_RETURN(bool found, journal_.Load(record));
  if (!found) return UploadRecord();
  return DecodeUploadRecord(record);
}

Status UploadStateStore::Save(UploadRecord& record) {
  if (record.committed > record.image_size) return StatusCode::kInvalidArgument;
  BLEOTA_ASSIGN_OR_RETURN(uint32_t seq, journal_.NextSeq());
  record.seq = seq;
  uint8_t encoded[kUploadRecordSize];
  EncodeUploadRecord(record, encoded);
  return journal_.Append(encoded);
}

Status UploadStateStore::Clear() {
  BLEOTA_ASSIGN_OR_RETURN(UploadRecord newest, Load());
  if (newest.image_size == 0) return Status::Ok();  // no record, or already cleared
  UploadRecord none;
  return Save(none);
}

}  // namespace bleota::boot
