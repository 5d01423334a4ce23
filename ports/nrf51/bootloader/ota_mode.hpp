// The bootloader's OTA mode: the SMP server (OS and image groups) over UART0 with the serial
// framing, as the simulated device wires it (sim/src/device_firmware.cpp), so
// `bleota dfu --transport serial` uploads and installs images. Never returns: an SMP reset
// request resets the part.
#pragma once

#include <span>

#include "bleota/boot/bootloader.hpp"
#include "bleota/image/image_verifier.hpp"

namespace bleota::nrf51 {

// SMP packet buffers (request and response, one each), the largest request accepted (mcumgr
// buf_size). Sized by measurement (docs/nrf51.md, "RAM").
inline constexpr size_t kSmpBufferSize = 512;

[[noreturn]] void RunOtaMode(const boot::BootAreas& areas, std::span<const image::TrustedKey> keys);

}  // namespace bleota::nrf51
