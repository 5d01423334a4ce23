// Parsing imgtool's textual sign arguments: -s/--security-counter, -d/--dependencies and
// --custom-tlv. All throw HostError(kUsage) naming the option.
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

#include "bleota/host/image_builder.hpp"

namespace bleota::host {

// "auto" ((major << 24) | (minor << 16) | revision of `version`) or a number (decimal or 0x).
uint32_t ParseSecurityCounter(std::string_view text, const ImageVersion& version);

// "(image_id,version)[, (image_id,version)...]", e.g. "(1,1.2.3+0)"; image_id 0..255.
std::vector<Dependency> ParseDependencies(std::string_view text);

// TAG (0xa0..0xfffe) and VALUE: "0x" + an even number of hex digits, or else the text's bytes
// (as imgtool does).
CustomTlv ParseCustomTlv(std::string_view tag, std::string_view value);

}  // namespace bleota::host
