// PEM armour (RFC 7468) for key files.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "bleota/host/secret_bytes.hpp"

namespace bleota::host {

struct PemBlock {
  std::string label;  // "PRIVATE KEY", "EC PRIVATE KEY", "PUBLIC KEY", ...
  SecretBytes der;    // may hold a private key
};

// Decodes the first PEM block of `text`. Throws HostError(kKey) naming `source` when there is no
// block, the armour is broken, the base64 is invalid or the block is encrypted.
PemBlock PemDecode(std::string_view text, std::string_view source);

// "-----BEGIN <label>-----\n" + base64 in 64-character lines + "-----END <label>-----\n".
std::string PemEncode(std::string_view label, std::span<const uint8_t> der);

}  // namespace bleota::host
