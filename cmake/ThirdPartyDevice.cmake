# Builds the parts of Debian's mbedTLS 2.28 and libsodium 1.0.18 sources (unpacked by
# ./scripts/setup into third_party/src) that the device crypto backend uses, with bleota's own
# mbedTLS configuration (crypto/config/bleota_mbedtls_config.h).

set(BLEOTA_MBEDTLS_SOURCE_DIR ${PROJECT_SOURCE_DIR}/third_party/src/mbedtls_2.28.3-1)
set(BLEOTA_SODIUM_SOURCE_DIR
    ${PROJECT_SOURCE_DIR}/third_party/src/libsodium_1.0.18-1+deb12u1/src/libsodium)

set(BLEOTA_MBEDTLS_DEVICE_FILES
  aes.c asn1parse.c asn1write.c bignum.c cipher.c cipher_wrap.c constant_time.c ecdh.c ecdsa.c
  ecp.c ecp_curves.c hkdf.c hmac_drbg.c md.c memory_buffer_alloc.c nist_kw.c platform.c
  platform_util.c sha256.c)

# Only what crypto_sign_ed25519_verify_detached() reaches (sign.c holds the hash prefix helper).
set(BLEOTA_SODIUM_ED25519_FILES
  crypto_sign/ed25519/ref10/open.c
  crypto_sign/ed25519/ref10/sign.c
  crypto_core/ed25519/ref10/ed25519_ref10.c
  crypto_hash/sha512/cp/hash_sha512_cp.c
  crypto_verify/sodium/verify.c)

# Sets <out_var> to TRUE when both source trees are unpacked.
function(bleota_third_party_sources_present out_var)
  if(EXISTS ${BLEOTA_MBEDTLS_SOURCE_DIR}/library/ecp.c AND
     EXISTS ${BLEOTA_SODIUM_SOURCE_DIR}/crypto_sign/ed25519/ref10/open.c)
    set(${out_var} TRUE PARENT_SCOPE)
  else()
    set(${out_var} FALSE PARENT_SCOPE)
  endif()
endfunction()

function(bleota_require_third_party_sources)
  bleota_third_party_sources_present(present)
  if(NOT present)
    message(FATAL_ERROR
      "The mbedTLS/libsodium sources for the device crypto backend are missing:\n"
      "  ${BLEOTA_MBEDTLS_SOURCE_DIR}\n  ${BLEOTA_SODIUM_SOURCE_DIR}\n"
      "Run ./scripts/setup to unpack them, then configure again.")
  endif()
endfunction()

# bleota_add_device_mbedtls(<target> [HOST_MIRROR] [ARENA_STATS])
# HOST_MIRROR: building for the host; use 32-bit bignum limbs like the Cortex-M parts.
# ARENA_STATS: track the arena's peak use (host measurement only).
function(bleota_add_device_mbedtls name)
  cmake_parse_arguments(ARG "HOST_MIRROR;ARENA_STATS" "" "" ${ARGN})
  list(TRANSFORM BLEOTA_MBEDTLS_DEVICE_FILES PREPEND ${BLEOTA_MBEDTLS_SOURCE_DIR}/library/
       OUTPUT_VARIABLE sources)
  add_library(${name} STATIC ${sources})
  target_include_directories(${name} SYSTEM PUBLIC ${BLEOTA_MBEDTLS_SOURCE_DIR}/include
                                                   ${PROJECT_SOURCE_DIR}/crypto/config)
  target_include_directories(${name} PRIVATE ${BLEOTA_MBEDTLS_SOURCE_DIR}/library)
  target_compile_definitions(${name} PUBLIC MBEDTLS_CONFIG_FILE="bleota_mbedtls_config.h")
  if(ARG_HOST_MIRROR)
    target_compile_definitions(${name} PUBLIC MBEDTLS_HAVE_INT32)
  endif()
  if(ARG_ARENA_STATS)
    target_compile_definitions(${name} PUBLIC BLEOTA_CRYPTO_ARENA_STATS)
  endif()
endfunction()

# bleota_add_device_sodium(<target> MBEDTLS <mbedtls target>)
function(bleota_add_device_sodium name)
  cmake_parse_arguments(ARG "" "MBEDTLS" "" ${ARGN})
  list(TRANSFORM BLEOTA_SODIUM_ED25519_FILES PREPEND ${BLEOTA_SODIUM_SOURCE_DIR}/
       OUTPUT_VARIABLE sources)
  add_library(${name} STATIC ${sources}
              ${PROJECT_SOURCE_DIR}/crypto/sodium_shim/sodium_utils_shim.c)
  target_include_directories(${name} SYSTEM PUBLIC ${BLEOTA_SODIUM_SOURCE_DIR}/include)
  target_include_directories(${name} PRIVATE ${BLEOTA_SODIUM_SOURCE_DIR}/include/sodium
                                             ${BLEOTA_SODIUM_SOURCE_DIR}/crypto_sign/ed25519/ref10)
  # CONFIGURED=1: the portable code paths are selected by the absence of HAVE_* macros.
  target_compile_definitions(${name} PRIVATE CONFIGURED=1)
  target_link_libraries(${name} PRIVATE ${ARG_MBEDTLS})
endfunction()

# Debian builds libmbedcrypto without MBEDTLS_NIST_KW_C. The host backend therefore adds the same
# release's nist_kw.c, compiled against the system headers with that one module enabled; it uses
# only the system library's cipher layer.
function(bleota_add_host_nist_kw name)
  add_library(${name} STATIC ${BLEOTA_MBEDTLS_SOURCE_DIR}/library/nist_kw.c)
  target_include_directories(${name} PRIVATE ${BLEOTA_MBEDTLS_SOURCE_DIR}/library)
  target_compile_definitions(${name} PRIVATE MBEDTLS_NIST_KW_C)
endfunction()
