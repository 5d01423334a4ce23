// The 8-byte SMP (mcumgr) header, big-endian on the wire:
//   byte 0: bits 7-5 reserved (0), bits 4-3 version (0 = v1, 1 = v2), bits 2-0 op
//   byte 1: flags; bytes 2-3: payload length; bytes 4-5: group; byte 6: sequence; byte 7: command.
#pragma once

#include <cstddef>
#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/result.hpp"
#include "bleota/status.hpp"

namespace bleota::smp {

inline constexpr size_t kSmpHeaderSize = 8;
// The payload length field is 16 bits.
inline constexpr size_t kSmpMaxPacketSize = kSmpHeaderSize + 0xFFFF;

enum class SmpOp : uint8_t { kRead = 0, kReadRsp = 1, kWrite = 2, kWriteRsp = 3 };
enum class SmpVersion : uint8_t { kV1 = 0, kV2 = 1 };

struct SmpHeader {
  SmpVersion version = SmpVersion::kV1;
  SmpOp op = SmpOp::kRead;
  uint8_t flags = 0;
  uint16_t length = 0;  // payload bytes after the header
  uint16_t group = 0;
  uint8_t sequence = 0;
  uint8_t command = 0;

  friend bool operator==(const SmpHeader&, const SmpHeader&) = default;
};

// Writes the 8 header bytes to out[0..8). kResourceExhausted when out is shorter than 8;
// kInvalidArgument when version or op is not one of the enumerators.
Status EncodeSmpHeader(const SmpHeader& header, ByteSpan out);

// Reads a header from the first 8 bytes of `bytes` (the payload need not be there yet).
// kOutOfRange when fewer than 8 bytes; kInvalidArgument when a reserved bit is set or the op is
// above 3; kUnsupported for versions 2 and 3. Flags are passed through unchecked.
Result<SmpHeader> DecodeSmpHeader(ConstByteSpan bytes);

// A whole packet: DecodeSmpHeader, and the header's length must account for exactly the bytes
// after the header (kOutOfRange otherwise). This is the check of a UDP datagram (one packet per
// datagram) and of a packet out of the serial framing.
Result<SmpHeader> DecodeSmpPacket(ConstByteSpan packet);

}  // namespace bleota::smp
