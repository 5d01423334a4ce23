#include "bleota/nrf51/jump.hpp"

#include <cstring>

#include "bleota/nrf51/layout_config.hpp"
#include "bleota/nrf51/reset.hpp"

namespace bleota::nrf51 {
namespace {

uint32_t ReadWord(uint32_t address) {
  uintptr_t base = 0;
  asm("" : "+r"(base));  // flash starts at 0: keep the compiler from seeing a null pointer
  uint32_t value;
  std::memcpy(&value, reinterpret_cast<const void*>(base + address), sizeof(value));
  return value;
}

}  // namespace

bool VectorTableLooksValid(uint32_t vector_table, uint32_t code_begin, uint32_t code_end) {
  const uint32_t sp = ReadWord(vector_table);
  const uint32_t pc = ReadWord(vector_table + 4);
  const bool sp_ok = sp % 4 == 0 && sp > kRamBase && sp <= kRamBase + kRamSize;
  const bool pc_ok = (pc & 1u) != 0 && (pc & ~1u) >= code_begin && (pc & ~1u) < code_end;
  return sp_ok && pc_ok;
}

void JumpToApplication(uint32_t vector_table) {
  const uint32_t sp = ReadWord(vector_table);
  const uint32_t pc = ReadWord(vector_table + 4);
  // From now on the bootloader's vector table forwards every exception to the application's.
  SetForwardedVectorTable(vector_table);
  asm volatile(
      "msr msp, %0\n"
      "bx %1\n"
      :
      : "r"(sp), "r"(pc)
      : "memory");
  __builtin_unreachable();
}

}  // namespace bleota::nrf51
