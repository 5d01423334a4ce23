// Constant-time comparison from mbedTLS.
// mbedTLS 2.28's constant_time.h has no C++ linkage guard.
extern "C" {
#include <mbedtls/constant_time.h>
}

#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {

bool ConstantTimeEqual(ConstByteSpan a, ConstByteSpan b) {
  // Lengths are public (digest and tag sizes); only the contents must not leak.
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return mbedtls_ct_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace bleota::crypto
