#include "bleota/boot/boot_state_store.hpp"

namespace bleota::boot {
namespace {

bool ValidBootRecord(ConstByteSpan record, uint32_t& seq) {
  if (record.size() != kBootRecordSize) return false;
  Result<BootState> state =
      DecodeBootRecord(std::span<const uint8_t, kBootRecordSize>(record.data(), kBootRecordSize));
  if (!state.ok()) return false;
  seq = state->seq;
  return true;
}

}  // namespace

BootStateStore::BootStateStore(FlashArea& area)
    : journal_(area, kBootRecordSize, &ValidBootRecord) {}

Result<BootState> BootStateStore::Load() {
  uint8_t record[kBootRecordSize];
  BLEOTA_ASSIGN_OR_RETURN(bool found, journal_.Load(record));
  if (!found) return BootState();
  return DecodeBootRecord(record);
}

Status BootStateStore::Save(BootState& state) {
  BLEOTA_ASSIGN_OR_RETURN(uint32_t seq, journal_.NextSeq());
  state.seq = seq;
  uint8_t record[kBootRecordSize];
  EncodeBootRecord(state, record);
  return journal_.Append(record);
}

}  // namespace bleota::boot
