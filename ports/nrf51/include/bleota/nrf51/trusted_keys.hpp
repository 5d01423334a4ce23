// The signing keys the nRF51 bootloader accepts images from (compiled in: src/trusted_keys.cpp).
#pragma once

#include <span>

#include "bleota/image/image_verifier.hpp"

namespace bleota::nrf51 {

std::span<const image::TrustedKey> TrustedKeys();

}  // namespace bleota::nrf51
