#include "bleota/boot/image_control.hpp"

#include <cstring>

namespace bleota::boot {

Status ImageControl::ConfirmRunningImage() {
  BLEOTA_ASSIGN_OR_RETURN(BootState state, store_.Load());
  if (!state.primary_testing) return Status::Ok();
  state.primary_testing = false;
  state.test_boots = 0;
  return store_.Save(state);
}

Status ImageControl::BeginUpload() {
  BLEOTA_ASSIGN_OR_RETURN(BootState state, store_.Load());
  // An interrupted swap must be finished by the bootloader before the slot can be reused.
  if (state.op != BootOp::kNone) return StatusCode::kFailedPrecondition;
  if (state.pending == PendingRequest::kNone && !state.secondary_shifted &&
      !state.secondary_plaintext) {
    return Status::Ok();
  }
  state.pending = PendingRequest::kNone;
  state.secondary_shifted = false;
  state.secondary_plaintext = false;
  return store_.Save(state);
}

Status ImageControl::RequestInstall(crypto::ConstDigest image_hash, bool permanent) {
  BLEOTA_ASSIGN_OR_RETURN(BootState state, store_.Load());
  if (state.op != BootOp::kNone) return StatusCode::kFailedPrecondition;
  state.pending = permanent ? PendingRequest::kPermanent : PendingRequest::kTest;
  std::memcpy(state.pending_hash, image_hash.data(), kPendingHashBytes);
  return store_.Save(state);
}

Status ImageControl::RequestGoldenUpdate(crypto::ConstDigest image_hash) {
  BLEOTA_ASSIGN_OR_RETURN(BootState state, store_.Load());
  if (state.op != BootOp::kNone) return StatusCode::kFailedPrecondition;
  state.pending = PendingRequest::kGolden;
  std::memcpy(state.pending_hash, image_hash.data(), kPendingHashBytes);
  return store_.Save(state);
}

void SetTriggerPathHealthy(ByteSpan retained_ram) {
  RetainedRecord record = LoadRetainedRecord(retained_ram);
  record.trigger_path_healthy = true;
  StoreRetainedRecord(record, retained_ram);
}

void RequestOtaMode(ByteSpan retained_ram) {
  RetainedRecord record = LoadRetainedRecord(retained_ram);
  record.dfu_requested = true;
  StoreRetainedRecord(record, retained_ram);
}

}  // namespace bleota::boot
