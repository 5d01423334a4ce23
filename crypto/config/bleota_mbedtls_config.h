/* mbedTLS 2.28 configuration for bleota's device builds: only what image verification and
 * decryption need (SHA-256, HMAC/HKDF, AES + NIST KW, ECDSA P-256 verify, ECDH P-256, X25519).
 * All mbedTLS allocations come from a static arena (MBEDTLS_MEMORY_BUFFER_ALLOC_C), so no libc
 * heap is linked; no entropy, networking, files or time. */
#ifndef BLEOTA_MBEDTLS_CONFIG_H
#define BLEOTA_MBEDTLS_CONFIG_H

/* System support. Inline assembly for the bignum core only on Arm; on the host this config is
 * built with 32-bit limbs (MBEDTLS_HAVE_INT32 from CMake) to mirror the device's memory use. */
#if defined(__arm__)
#define MBEDTLS_HAVE_ASM
#endif
#define MBEDTLS_NO_PLATFORM_ENTROPY

/* Memory: a static arena instead of calloc/free. */
#define MBEDTLS_PLATFORM_C
#define MBEDTLS_PLATFORM_MEMORY
#define MBEDTLS_PLATFORM_NO_STD_FUNCTIONS
#define MBEDTLS_MEMORY_BUFFER_ALLOC_C
/* Blocks aligned to the pointer size (the allocator's headers hold pointers). */
#if defined(__SIZEOF_POINTER__) && __SIZEOF_POINTER__ == 8
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 8
#else
#define MBEDTLS_MEMORY_ALIGN_MULTIPLE 4
#endif
#if defined(BLEOTA_CRYPTO_ARENA_STATS)
/* Host-only measurement build: tracks the arena's peak use (diagnostics go to stderr). */
#define MBEDTLS_MEMORY_DEBUG
#include <stdio.h>
#include <stdlib.h> /* its fatal-error path calls exit() */
#endif

/* Hashes and MACs. */
#define MBEDTLS_SHA256_C
#define MBEDTLS_SHA256_SMALLER
#define MBEDTLS_MD_C
#define MBEDTLS_HKDF_C
/* Blinding DRBG for scalar multiplication when no RNG is passed (ecp.c internal RNG). */
#define MBEDTLS_HMAC_DRBG_C

/* AES: tables in flash, and the reduced set, to keep RAM and flash small. */
#define MBEDTLS_AES_C
#define MBEDTLS_AES_ROM_TABLES
#define MBEDTLS_AES_FEWER_TABLES
#define MBEDTLS_CIPHER_C
#define MBEDTLS_NIST_KW_C

/* Public key. */
#define MBEDTLS_BIGNUM_C
#define MBEDTLS_ECP_C
#define MBEDTLS_ECP_DP_SECP256R1_ENABLED
#define MBEDTLS_ECP_DP_CURVE25519_ENABLED
#define MBEDTLS_ECP_NIST_OPTIM
#define MBEDTLS_ECDSA_C
#define MBEDTLS_ECDH_C
#define MBEDTLS_ASN1_PARSE_C
#define MBEDTLS_ASN1_WRITE_C /* required by MBEDTLS_ECDSA_C; unused code is dropped at link */

/* Sizes: the largest number is a 256-bit curve element; small windows trade speed for RAM. */
#define MBEDTLS_MPI_MAX_SIZE 64
#define MBEDTLS_MPI_WINDOW_SIZE 1
#define MBEDTLS_ECP_MAX_BITS 256
#define MBEDTLS_ECP_WINDOW_SIZE 2
#define MBEDTLS_ECP_FIXED_POINT_OPTIM 0

#include "mbedtls/check_config.h"

#endif /* BLEOTA_MBEDTLS_CONFIG_H */
