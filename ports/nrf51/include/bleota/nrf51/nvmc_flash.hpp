// The nRF51's internal flash through its NVMC (non-volatile memory controller) as bleota's Flash:
// 256 pages of 1 KiB at address 0, erased to 0xFF, programmed in aligned 32-bit words.
#pragma once

#include <cstdint>

#include "bleota/flash.hpp"

namespace bleota::nrf51 {

class NvmcFlash final : public Flash {
 public:
  const FlashGeometry& geometry() const override;
  // Reads the memory-mapped flash. kOutOfRange past the end.
  Status Read(uint32_t offset, ByteSpan out) override;
  // kFlashAlignment unless offset and size are multiples of 4; kFlashNotErased when a target word
  // is not 0xFFFFFFFF (the part allows only a limited number of writes per word between erases,
  // so bleota never writes a word twice); nothing is written then.
  Status Program(uint32_t offset, ConstByteSpan data) override;
  // Erases whole pages; kFlashAlignment unless the range starts and ends on page boundaries.
  Status Erase(uint32_t offset, uint32_t size) override;
};

}  // namespace bleota::nrf51
