#include "bleota/boot/sector_copy.hpp"

namespace bleota::boot {

Status CopyToErased(Readable& from, uint32_t from_offset, FlashArea& to, uint32_t to_offset,
                    uint32_t size, uint32_t image_offset, const PayloadDecryption& decryption,
                    ByteSpan work) {
  const uint32_t chunk = static_cast<uint32_t>(work.size());
  if (chunk == 0 || size % chunk != 0) return StatusCode::kInvalidArgument;
  const uint8_t erased = to.erase_value();
  const uint32_t payload_end = decryption.payload_offset + decryption.payload_size;
  for (uint32_t at = 0; at < size; at += chunk) {
    BLEOTA_TRY(from.Read(from_offset + at, work));
    if (decryption.decryptor != nullptr) {
      // Decrypt the part of this chunk that lies inside the payload.
      const uint32_t image_at = image_offset + at;
      const uint32_t begin =
          image_at > decryption.payload_offset ? image_at : decryption.payload_offset;
      const uint32_t end = image_at + chunk < payload_end ? image_at + chunk : payload_end;
      if (begin < end) {
        BLEOTA_TRY(decryption.decryptor->Crypt(begin - decryption.payload_offset,
                                               work.subspan(begin - image_at, end - begin)));
      }
    }
    bool all_erased = true;
    for (uint8_t b : work) {
      if (b != erased) {
        all_erased = false;
        break;
      }
    }
    if (!all_erased) BLEOTA_TRY(to.Program(to_offset + at, work));
  }
  return Status::Ok();
}

}  // namespace bleota::boot
