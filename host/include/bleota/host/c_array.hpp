// Key bytes as C source for provisioning firmware (`getpub --encoding c`), in imgtool's layout:
// a const unsigned char array, 8 bytes per line, and a matching _len constant.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace bleota::host {

// `name` must be a C identifier; `comment` goes in a leading /* */ line (no "*/" allowed).
std::string FormatCArray(std::string_view name, std::span<const uint8_t> bytes,
                         std::string_view comment);

}  // namespace bleota::host
