// mbedTLS allocator setup. With MBEDTLS_MEMORY_BUFFER_ALLOC_C (device config) every mbedtls_calloc
// is served from one static arena, so no libc heap is linked.
#include "backend.hpp"

// The same configuration the mbedTLS sources were built with.
#if !defined(MBEDTLS_CONFIG_FILE)
#include <mbedtls/config.h>
#else
#include MBEDTLS_CONFIG_FILE
#endif

#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)
#include <mbedtls/memory_buffer_alloc.h>
#endif

#include <cstdint>

namespace bleota::crypto::backend {

#if defined(MBEDTLS_MEMORY_BUFFER_ALLOC_C)

#ifndef BLEOTA_CRYPTO_ARENA_BYTES
#error "BLEOTA_CRYPTO_ARENA_BYTES must be set by the build (crypto/CMakeLists.txt)"
#endif

namespace {
alignas(8) uint8_t g_arena[BLEOTA_CRYPTO_ARENA_BYTES];
bool g_arena_ready = false;
}  // namespace

void PrepareAllocator() {
  if (!g_arena_ready) {
    mbedtls_memory_buffer_alloc_init(g_arena, sizeof(g_arena));
    g_arena_ready = true;
  }
}

size_t ArenaSize() { return sizeof(g_arena); }

size_t ArenaPeakBytes() {
#if defined(MBEDTLS_MEMORY_DEBUG)
  size_t max_used = 0;
  size_t max_blocks = 0;
  mbedtls_memory_buffer_alloc_max_get(&max_used, &max_blocks);
  // Each live block also costs an 8-word header inside the arena (memory_buffer_alloc.c); the
  // two maxima need not coincide, so this is an upper bound on the bytes needed.
  return max_used + max_blocks * (4 * sizeof(size_t) + 4 * sizeof(void*));
#else
  return 0;
#endif
}

size_t ArenaPeakBlocks() {
#if defined(MBEDTLS_MEMORY_DEBUG)
  size_t max_used = 0;
  size_t max_blocks = 0;
  mbedtls_memory_buffer_alloc_max_get(&max_used, &max_blocks);
  return max_blocks;
#else
  return 0;
#endif
}

#else

void PrepareAllocator() {}
size_t ArenaSize() { return 0; }
size_t ArenaPeakBytes() { return 0; }
size_t ArenaPeakBlocks() { return 0; }

#endif

}  // namespace bleota::crypto::backend
