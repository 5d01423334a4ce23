#include "bleota/boot/swap_engine.hpp"

#include "bleota/boot/sector_copy.hpp"
#include "bleota/image/image_header.hpp"

namespace bleota::boot {

SwapStep SwapStepAt(const SlotGeometry& geometry, uint32_t sectors, bool shifted, uint32_t step) {
  const uint32_t pair = step / 2;
  const bool outgoing = step % 2 == 0;
  if (!shifted) {
    // Incoming image in L[0..m): walk down, each primary sector moving up one logical sector.
    const uint32_t i = sectors - 1 - pair;
    if (outgoing) return {geometry.Primary(i), geometry.Logical(i + 1), false, i};
    return {geometry.Logical(i), geometry.Primary(i), true, i};
  }
  // Incoming image in L[1..m]: walk up, each primary sector landing at the same logical index.
  const uint32_t i = pair;
  if (outgoing) return {geometry.Primary(i), geometry.Logical(i), false, i};
  return {geometry.Logical(i + 1), geometry.Primary(i), true, i};
}

Status IncomingImageView::Read(uint32_t offset, ByteSpan out) {
  if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), size())) {
    return StatusCode::kOutOfRange;
  }
  const uint32_t sector_size = geometry_.sector_size();
  uint32_t done = 0;
  while (done < out.size()) {
    const uint32_t at = offset + done;
    const uint32_t j = at / sector_size;
    const uint32_t in_sector = at % sector_size;
    const uint32_t n = static_cast<uint32_t>(out.size()) - done < sector_size - in_sector
                           ? static_cast<uint32_t>(out.size()) - done
                           : sector_size - in_sector;
    // Sector j moves into primary at step 2*(m-1-j)+1 (unshifted) or 2*j+1 (shifted).
    const uint32_t move_step = shifted_ ? 2 * j + 1 : 2 * (sectors_ - 1 - j) + 1;
    const SectorRef where =
        step_ > move_step ? geometry_.Primary(j) : geometry_.Logical(shifted_ ? j + 1 : j);
    if (where.area == nullptr) return StatusCode::kOutOfRange;
    BLEOTA_TRY(where.area->Read(where.offset + in_sector, out.subspan(done, n)));
    done += n;
  }
  return Status::Ok();
}

Status SwapEngine::CopySector(const SwapStep& step, const PayloadDecryption& decryption) {
  const uint32_t sector_size = geometry_.sector_size();
  BLEOTA_TRY(step.to.area->Erase(step.to.offset, sector_size));
  return CopyToErased(*step.from.area, step.from.offset, *step.to.area, step.to.offset, sector_size,
                      step.image_sector * sector_size, decryption, work_);
}

Status SwapEngine::Run(BootState& state, const image::DecryptionKeys* decryption) {
  const uint32_t sectors = state.swap_sectors;
  const uint32_t sector_size = geometry_.sector_size();
  if (state.op != BootOp::kSwap || sectors == 0 || sectors > geometry_.max_image_sectors() ||
      work_.empty() || sector_size % work_.size() != 0 ||
      work_.size() % geometry_.primary().write_align() != 0) {
    return StatusCode::kFailedPrecondition;
  }
  const uint32_t total_steps = 2 * sectors;
  if (state.step >= total_steps) return Status::Ok();

  // Encrypted incoming image: unwrap its key from the image as this step finds it. A clear
  // image is copied as it is.
  image::ImageDecryptor decryptor;
  PayloadDecryption incoming_decryption;
  if (decryption != nullptr) {
    IncomingImageView view(geometry_, sectors, state.secondary_shifted, state.step);
    BLEOTA_ASSIGN_OR_RETURN(image::ImageLayout layout, image::ParseImageHeader(view));
    if (layout.encrypted()) {
      BLEOTA_TRY(decryptor.Open(view, layout, *decryption));
      incoming_decryption = {&decryptor, layout.payload_offset, layout.payload_size};
    }
  }

  for (uint32_t step = state.step; step < total_steps; ++step) {
    const SwapStep s = SwapStepAt(geometry_, sectors, state.secondary_shifted, step);
    if (s.to.area == nullptr || s.from.area == nullptr) return StatusCode::kInternal;
    if (platform_ != nullptr) platform_->KickWatchdog();
    BLEOTA_TRY(CopySector(s, s.incoming ? incoming_decryption : PayloadDecryption()));
    state.step = static_cast<uint16_t>(step + 1);
    BLEOTA_TRY(store_.Save(state));
    if (progress_ != nullptr) progress_->OnStep(state.op, state.swap_reason, step + 1, total_steps);
  }
  return Status::Ok();
}

}  // namespace bleota::boot
