# The nRF51822 flash layout (QEMU micro:bit: 256 KiB in 1 KiB pages at address 0, 16 KiB RAM at
# 0x20000000). The single description both the linker scripts and the firmware's
# boot::LayoutDescription (generated layout_config.hpp) are made from; BootLayout::Create checks it
# at every boot.
#
#   | bootloader | boot state | upload state | primary | secondary | swap |
#
# The bootloader and the primary slot start and end on 4 KiB boundaries: the nRF51 MPU's
# erase/write protection (PROTENSET0/1) works on 4 KiB blocks.
set(NRF51_FLASH_SIZE 0x40000)
set(NRF51_PAGE_SIZE 0x400)
set(NRF51_RAM_BASE 0x20000000)
set(NRF51_RAM_SIZE 0x4000)
# Retained RAM at the start of RAM (not cleared by the start-up code): reset marker + record.
set(NRF51_RETAINED_SIZE 32)

set(NRF51_BOOTLOADER_SIZE 0x18000)
set(NRF51_BOOT_STATE_SIZE 0x800)
set(NRF51_UPLOAD_STATE_SIZE 0x800)
set(NRF51_SLOT_SIZE 0x13000)
set(NRF51_SWAP_SIZE 0x400)
# Header area that `bleota image sign --pad-header -H` puts in front of the application.
set(NRF51_IMAGE_HEADER_SIZE 0x200)
# Room kept at the end of the slot for the TLV area (hash, key hash, signature).
set(NRF51_IMAGE_TLV_RESERVE 0x400)

math(EXPR NRF51_PRIMARY_OFFSET
     "${NRF51_BOOTLOADER_SIZE} + ${NRF51_BOOT_STATE_SIZE} + ${NRF51_UPLOAD_STATE_SIZE}"
     OUTPUT_FORMAT HEXADECIMAL)
math(EXPR NRF51_APP_ORIGIN "${NRF51_PRIMARY_OFFSET} + ${NRF51_IMAGE_HEADER_SIZE}"
     OUTPUT_FORMAT HEXADECIMAL)
math(EXPR NRF51_APP_LENGTH
     "${NRF51_SLOT_SIZE} - ${NRF51_IMAGE_HEADER_SIZE} - ${NRF51_IMAGE_TLV_RESERVE}"
     OUTPUT_FORMAT HEXADECIMAL)
math(EXPR NRF51_LAYOUT_END
     "${NRF51_PRIMARY_OFFSET} + 2 * ${NRF51_SLOT_SIZE} + ${NRF51_SWAP_SIZE}")
if(NRF51_LAYOUT_END GREATER NRF51_FLASH_SIZE)
  message(FATAL_ERROR "ports/nrf51/layout.cmake: the areas (${NRF51_LAYOUT_END} bytes) do not fit "
                      "the ${NRF51_FLASH_SIZE}-byte flash")
endif()
foreach(v NRF51_BOOTLOADER_SIZE NRF51_PRIMARY_OFFSET NRF51_SLOT_SIZE)
  math(EXPR rem "${${v}} % 4096")
  if(NOT rem EQUAL 0)
    message(FATAL_ERROR "ports/nrf51/layout.cmake: ${v} must be a multiple of 4 KiB (MPU blocks)")
  endif()
endforeach()
