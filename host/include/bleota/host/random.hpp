// The host tools' randomness: libsodium's randombytes (the OS CSPRNG), also adapted to mbedTLS's
// f_rng callback shape.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

namespace bleota::host {

// Initialises libsodium once (idempotent). Throws HostError(kInternal) if it cannot start.
void EnsureSodiumReady();

// Fills `out` from the OS CSPRNG. Throws HostError(kInternal) if libsodium cannot start.
void RandomBytes(std::span<uint8_t> out);

// mbedTLS f_rng adapter; p_rng is unused (pass nullptr).
int MbedtlsRandom(void* p_rng, unsigned char* out, size_t length);

}  // namespace bleota::host
