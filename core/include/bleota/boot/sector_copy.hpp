// Copying part of an image from one place to an erased flash range in small chunks, decrypting
// the payload bytes on the way when asked: the one copy loop behind swap, golden restore and
// golden update.
#pragma once

#include <cstdint>

#include "bleota/flash_map.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/readable.hpp"

namespace bleota::boot {

// Decrypts payload bytes of an image while they are copied.
struct PayloadDecryption {
  image::ImageDecryptor* decryptor = nullptr;  // open; nullptr: copy as is
  uint32_t payload_offset = 0;                 // image offset of the first payload byte
  uint32_t payload_size = 0;
};

// Copies `size` bytes from `from` at `from_offset` to `to` at `to_offset` (already erased), one
// work-buffer chunk at a time. `image_offset` is the offset within the image of the first byte
// copied, for decryption. Chunks that read as erased are not programmed.
Status CopyToErased(Readable& from, uint32_t from_offset, FlashArea& to, uint32_t to_offset,
                    uint32_t size, uint32_t image_offset, const PayloadDecryption& decryption,
                    ByteSpan work);

}  // namespace bleota::boot
