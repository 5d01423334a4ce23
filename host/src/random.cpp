#include "bleota/host/random.hpp"

#include <sodium.h>

#include "bleota/host/error.hpp"

namespace bleota::host {

void EnsureSodiumReady() {
  // sodium_init is idempotent and thread safe; it returns 1 when already initialised.
  if (sodium_init() < 0) ThrowInternal("libsodium failed to initialise");
}

void RandomBytes(std::span<uint8_t> out) {
  EnsureSodiumReady();
  randombytes_buf(out.data(), out.size());
}

int MbedtlsRandom(void* /*p_rng*/, unsigned char* out, size_t length) {
  RandomBytes(std::span<uint8_t>(out, length));
  return 0;
}

}  // namespace bleota::host
