#include "bleota/nrf51/nvmc_flash.hpp"

#include <cstring>

#include "bleota/nrf51/layout_config.hpp"
#include "bleota/nrf51/mmio.hpp"

namespace bleota::nrf51 {
namespace {

constexpr uint32_t kReady = kNvmcBase + 0x400;
constexpr uint32_t kConfig = kNvmcBase + 0x504;
constexpr uint32_t kErasePage = kNvmcBase + 0x508;
constexpr uint32_t kConfigReadOnly = 0;
constexpr uint32_t kConfigWriteEnable = 1;
constexpr uint32_t kConfigEraseEnable = 2;

constexpr SectorRun kPages[] = {{kPageSize, kFlashSize / kPageSize}};
constexpr FlashGeometry kGeometry(kPages, 4, 0xFF);

// Flash starts at address 0. The empty asm hides that from the compiler, which would otherwise
// treat a pointer to it as null.
const uint8_t* FlashAddress(uint32_t offset) {
  uintptr_t base = 0;
  asm("" : "+r"(base));
  return reinterpret_cast<const uint8_t*>(base + offset);
}

volatile uint32_t& FlashWord(uint32_t offset) {
  return *reinterpret_cast<volatile uint32_t*>(const_cast<uint8_t*>(FlashAddress(offset)));
}

void WaitReady() {
  while (Reg(kReady) == 0) {
  }
}

}  // namespace

const FlashGeometry& NvmcFlash::geometry() const { return kGeometry; }

Status NvmcFlash::Read(uint32_t offset, ByteSpan out) {
  if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), kFlashSize)) {
    return StatusCode::kOutOfRange;
  }
  std::memcpy(out.data(), FlashAddress(offset), out.size());
  return StatusCode::kOk;
}

Status NvmcFlash::Program(uint32_t offset, ConstByteSpan data) {
  const uint32_t size = static_cast<uint32_t>(data.size());
  if (!RangeWithin(offset, size, kFlashSize)) return StatusCode::kOutOfRange;
  if (offset % 4 != 0 || size % 4 != 0) return StatusCode::kFlashAlignment;
  for (uint32_t i = 0; i < size; i += 4) {
    if (LoadLe32(FlashAddress(offset + i)) != 0xFFFFFFFFu) return StatusCode::kFlashNotErased;
  }
  Reg(kConfig) = kConfigWriteEnable;
  for (uint32_t i = 0; i < size; i += 4) {
    FlashWord(offset + i) = LoadLe32(data.data() + i);
    WaitReady();
  }
  Reg(kConfig) = kConfigReadOnly;
  return StatusCode::kOk;
}

Status NvmcFlash::Erase(uint32_t offset, uint32_t size) {
  if (!RangeWithin(offset, size, kFlashSize)) return StatusCode::kOutOfRange;
  if (offset % kPageSize != 0 || size % kPageSize != 0) return StatusCode::kFlashAlignment;
  Reg(kConfig) = kConfigEraseEnable;
  for (uint32_t page = offset; page < offset + size; page += kPageSize) {
    Reg(kErasePage) = page;
    WaitReady();
  }
  Reg(kConfig) = kConfigReadOnly;
  return StatusCode::kOk;
}

}  // namespace bleota::nrf51
