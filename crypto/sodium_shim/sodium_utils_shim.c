/* The three libsodium utilities that the Ed25519 verify sources call, for device builds that
 * compile only those sources instead of all of libsodium (whose utils.c brings in its guarded
 * heap and randombytes). Each forwards to mbedTLS's constant-time primitives. */
#include <mbedtls/constant_time.h>
#include <mbedtls/platform_util.h>
#include <stddef.h>

void sodium_memzero(void* const pnt, const size_t len) { mbedtls_platform_zeroize(pnt, len); }

/* 0 when equal, -1 otherwise, without data-dependent branches (libsodium's contract). */
int sodium_memcmp(const void* const b1, const void* const b2, size_t len) {
  return mbedtls_ct_memcmp(b1, b2, len) == 0 ? 0 : -1;
}

/* 1 when all `nlen` bytes are zero, in time independent of the contents. */
int sodium_is_zero(const unsigned char* n, const size_t nlen) {
  unsigned char acc = 0;
  for (size_t i = 0; i < nlen; i++) acc |= n[i];
  return acc == 0;
}
