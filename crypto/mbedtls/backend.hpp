// Internal helpers shared by the mbedTLS/libsodium backend files; not part of the public API.
#pragma once

#include <cstddef>

#include "bleota/status.hpp"

namespace bleota::crypto::backend {

// Makes mbedTLS's allocator usable. Device builds route mbedtls_calloc/free to a static arena
// (MBEDTLS_MEMORY_BUFFER_ALLOC_C) that is set up on the first call; host builds with the
// system mbedTLS use its default allocator and this does nothing.
void PrepareAllocator();

// Size of the static arena, 0 when the system allocator is used.
size_t ArenaSize();

// Largest number of arena bytes in use at once since start (device config built with
// BLEOTA_CRYPTO_ARENA_STATS only; 0 otherwise). Used to size the arena.
size_t ArenaPeakBytes();

// Largest number of arena blocks live at once (same builds as ArenaPeakBytes; 0 otherwise).
// Each costs an 8-word header, so a 32-bit part needs ArenaPeakBytes() - blocks * 4 * 8 bytes.
size_t ArenaPeakBlocks();

// Maps a non-zero mbedTLS return value that is not a verification result to a Status.
inline Status FromBackend(int ret) {
  return ret == 0 ? Status::Ok() : Status(StatusCode::kCryptoError);
}

}  // namespace bleota::crypto::backend
