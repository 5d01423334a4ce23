// The resumable swap: exchanges the image in primary with the one in the logical secondary,
// two sector copies per sector, each step recorded in the boot state journal so a power cut at
// any flash operation resumes where it stopped (docs/spec/boot-state.md, "Swap").
#pragma once

#include <cstdint>

#include "bleota/boot/boot_progress.hpp"
#include "bleota/boot/boot_state.hpp"
#include "bleota/boot/boot_state_store.hpp"
#include "bleota/boot/platform.hpp"
#include "bleota/boot/sector_copy.hpp"
#include "bleota/boot/slot_geometry.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/readable.hpp"

namespace bleota::boot {

// Where a swap step copies from and to. Steps are numbered 0..2*sectors-1.
struct SwapStep {
  SectorRef from;
  SectorRef to;
  bool incoming;          // copies a sector of the image coming into primary
  uint32_t image_sector;  // index of that sector inside the image it belongs to
};

// Step `step` of a swap of `sectors` sectors that started with the secondary image shifted
// (starting at logical sector 1) or not.
SwapStep SwapStepAt(const SlotGeometry& geometry, uint32_t sectors, bool shifted, uint32_t step);

// The image coming into primary as it is at `step` of a swap: each sector read from wherever
// that step left it (still in the logical secondary, or already in primary).
class IncomingImageView final : public Readable {
 public:
  IncomingImageView(const SlotGeometry& geometry, uint32_t sectors, bool shifted, uint32_t step)
      : geometry_(geometry), sectors_(sectors), shifted_(shifted), step_(step) {}
  Status Read(uint32_t offset, ByteSpan out) override;
  uint32_t size() const override { return sectors_ * geometry_.sector_size(); }

 private:
  const SlotGeometry& geometry_;
  uint32_t sectors_;
  bool shifted_;
  uint32_t step_;
};

class SwapEngine {
 public:
  // `work` is the copy buffer: a multiple of the write alignment, dividing the sector size.
  // `platform`, when given, has its watchdog kicked before every sector: a swap lasts seconds,
  // and a watchdog started by the app keeps running through a soft reset. `progress`, when given,
  // is told after every saved step.
  SwapEngine(const SlotGeometry& geometry, BootStateStore& store, ByteSpan work,
             Platform* platform = nullptr, BootProgress* progress = nullptr)
      : geometry_(geometry), store_(store), work_(work), platform_(platform), progress_(progress) {}

  // Runs state.op == kSwap from state.step to the last step, saving state.step after each step.
  // When `decryption` is given and the incoming image is encrypted, its payload is decrypted on
  // its way into primary (its key is unwrapped again from its ENC TLV on every resume). On
  // return the swap is complete; the caller records what it means (new shift, test mode...).
  Status Run(BootState& state, const image::DecryptionKeys* decryption);

 private:
  Status CopySector(const SwapStep& step, const PayloadDecryption& decryption);

  const SlotGeometry& geometry_;
  BootStateStore& store_;
  ByteSpan work_;
  Platform* platform_;
  BootProgress* progress_;
};

}  // namespace bleota::boot
