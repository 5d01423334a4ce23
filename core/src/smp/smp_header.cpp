#include "bleota/smp/smp_header.hpp"

namespace bleota::smp {

Status EncodeSmpHeader(const SmpHeader& header, ByteSpan out) {
  if (out.size() < kSmpHeaderSize) return StatusCode::kResourceExhausted;
  const auto version = static_cast<uint8_t>(header.version);
  const auto op = static_cast<uint8_t>(header.op);
  if (version > 1 || op > 3) return StatusCode::kInvalidArgument;
  out[0] = static_cast<uint8_t>((version << 3) | op);
  out[1] = header.flags;
  out[2] = static_cast<uint8_t>(header.length >> 8);
  out[3] = static_cast<uint8_t>(header.length);
  out[4] = static_cast<uint8_t>(header.group >> 8);
  out[5] = static_cast<uint8_t>(header.group);
  out[6] = header.sequence;
  out[7] = header.command;
  return Status::Ok();
}

Result<SmpHeader> DecodeSmpHeader(ConstByteSpan bytes) {
  if (bytes.size() < kSmpHeaderSize) return StatusCode::kOutOfRange;
  const uint8_t first = bytes[0];
  if ((first & 0xE0) != 0) return StatusCode::kInvalidArgument;
  const uint8_t op = first & 0x7;
  if (op > 3) return StatusCode::kInvalidArgument;
  const uint8_t version = (first >> 3) & 0x3;
  if (version > 1) return StatusCode::kUnsupported;
  SmpHeader header;
  header.version = static_cast<SmpVersion>(version);
  header.op = static_cast<SmpOp>(op);
  header.flags = bytes[1];
  header.length = static_cast<uint16_t>((bytes[2] << 8) | bytes[3]);
  header.group = static_cast<uint16_t>((bytes[4] << 8) | bytes[5]);
  header.sequence = bytes[6];
  header.command = bytes[7];
  return header;
}

Result<SmpHeader> DecodeSmpPacket(ConstByteSpan packet) {
  BLEOTA_ASSIGN_OR_RETURN(const SmpHeader header, DecodeSmpHeader(packet));
  if (packet.size() - kSmpHeaderSize != header.length) return StatusCode::kOutOfRange;
  return header;
}

}  // namespace bleota::smp
