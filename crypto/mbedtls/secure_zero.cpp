// Wiping of secrets through mbedTLS's zeroize, which the compiler may not elide.
#include <mbedtls/platform_util.h>

#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {

void SecureZero(ByteSpan bytes) {
  if (!bytes.empty()) mbedtls_platform_zeroize(bytes.data(), bytes.size());
}

}  // namespace bleota::crypto
