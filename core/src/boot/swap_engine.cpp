#include "bleota/boot/swap_engine.hpp"

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

Status SwapEngine::CopySector(const SwapStep& step, image::ImageDecryptor* decryptor,
                              uint32_t payload_offset, uint32_t payload_size) {
  const uint32_t sector_size = geometry_.sector_size();
  BLEOTA_TRY(step.to.area->Erase(step.to.offset, sector_size));
  const uint8_t erased = step.to.area->erase_value();
  const uint32_t chunk = static_cast<uint32_t>(work_.size());
  for (uint32_t at = 0; at < sector_size; at += chunk) {
    ByteSpan buffer = work_.first(chunk);
    BLEOTA_TRY(step.from.area->Read(step.from.offset + at, buffer));
    if (decryptor != nullptr) {
      // Decrypt the part of this chunk that lies inside the payload.
      const uint32_t image_at = step.image_sector * sector_size + at;
      const uint32_t begin = image_at > payload_offset ? image_at : payload_offset;
      const uint32_t end_image = image_at + chunk;
      const uint32_t payload_end = payload_offset + payload_size;
      const uint32_t end = end_image < payload_end ? end_image : payload_end;
      if (begin < end) {
        BLEOTA_TRY(decryptor->Crypt(begin - payload_offset,
                                    buffer.subspan(begin - image_at, end - begin)));
      }
    }
    bool all_erased = true;
    for (uint8_t b : buffer) {
      if (b != erased) {
        all_erased = false;
        break;
      }
    }
    // The destination was just erased: erased chunks need no programming.
    if (!all_erased) BLEOTA_TRY(step.to.area->Program(step.to.offset + at, buffer));
  }
  return Status::Ok();
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
  uint32_t payload_offset = 0;
  uint32_t payload_size = 0;
  if (decryption != nullptr) {
    IncomingImageView view(geometry_, sectors, state.secondary_shifted, state.step);
    BLEOTA_ASSIGN_OR_RETURN(image::ImageLayout layout, image::ParseImageHeader(view));
    if (layout.encrypted()) {
      BLEOTA_TRY(decryptor.Open(view, layout, *decryption));
      payload_offset = layout.payload_offset;
      payload_size = layout.payload_size;
    }
  }

  for (uint32_t step = state.step; step < total_steps; ++step) {
    const SwapStep s = SwapStepAt(geometry_, sectors, state.secondary_shifted, step);
    if (s.to.area == nullptr || s.from.area == nullptr) return StatusCode::kInternal;
    if (platform_ != nullptr) platform_->KickWatchdog();
    const bool decrypt = s.incoming && decryptor.is_open();
    BLEOTA_TRY(CopySector(s, decrypt ? &decryptor : nullptr, payload_offset, payload_size));
    state.step = static_cast<uint16_t>(step + 1);
    BLEOTA_TRY(store_.Save(state));
  }
  return Status::Ok();
}

}  // namespace bleota::boot
