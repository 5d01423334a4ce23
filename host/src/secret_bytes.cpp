#include "bleota/host/secret_bytes.hpp"

#include <sodium.h>

namespace bleota::host {

void SecretBytes::Wipe() {
  if (!bytes_.empty()) sodium_memzero(bytes_.data(), bytes_.size());
}

}  // namespace bleota::host
