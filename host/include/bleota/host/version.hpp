// Image versions as imgtool writes them: "major[.minor[.revision[+build]]]".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "bleota/image/image_header.hpp"

namespace bleota::host {

using image::ImageVersion;

// imgtool's grammar (decimal, no leading zeros, missing parts are 0) plus range checks on each
// field (major/minor 0..255, revision 0..65535, build 0..4294967295). Throws HostError(kUsage)
// naming the field, e.g. "version minor 256 is out of range (0..255) in '1.256.0'".
ImageVersion ParseVersion(std::string_view text);

// "1.2.3+4": always four parts, as imgtool dumpinfo prints it.
std::string FormatVersion(const ImageVersion& version);

// --security-counter auto: (major << 24) | (minor << 16) | revision, as imgtool computes it.
uint32_t AutoSecurityCounter(const ImageVersion& version);

}  // namespace bleota::host
