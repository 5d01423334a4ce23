// Human-readable names for image fields: TLV types and header flags as imgtool dumpinfo names
// them, and the meaning of each verification check id (the manifest's must_fail ids).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "bleota/status.hpp"

namespace bleota::host {

// "SHA256", "KEYHASH", "ECDSASIG", "ENCEC256", "SEC_CNT"... "VENDOR" for 0xa0..0xfffe types
// imgtool does not know, "UNKNOWN" otherwise.
std::string_view TlvTypeName(uint16_t type);

// "PIC", "ENCRYPTED_AES128", ... in bit order; unknown bits as "0x...".
std::vector<std::string> FlagNames(uint32_t flags);

// One sentence saying what the check with this code requires ("SHA256 TLV must equal ...").
std::string_view CheckMeaning(StatusCode code);

// "0x1f": lower-case hex with a 0x prefix, as the manifest's *_hex fields.
std::string HexNumber(uint32_t value);
// Lower-case hex of bytes, no separators.
std::string HexBytes(const uint8_t* data, size_t size);

}  // namespace bleota::host
