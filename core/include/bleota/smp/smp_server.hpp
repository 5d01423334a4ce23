// The SMP request dispatcher: checks a request packet, hands it to its group, and builds the
// response packet (same version, op + 1, same group, sequence and command), or the error reply
// of the request's version (docs/spec/smp.md, "Server").
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "bleota/bytes.hpp"
#include "bleota/result.hpp"
#include "bleota/smp/smp_group.hpp"

namespace bleota::smp {

class SmpServer {
 public:
  // `groups` must outlive the server; a group id appears once.
  explicit SmpServer(std::span<SmpGroup* const> groups) : groups_(groups) {}

  // Handles one whole request packet (header + payload, exactly as DecodeSmpPacket checks it)
  // and writes the response packet into `response`. Returns the response size; 0 when the
  // request cannot be answered (no valid header, or a response op). `response` must hold at
  // least kSmpHeaderSize + 16 bytes (an error reply); a response that does not fit is replaced
  // by a kNoMemory error reply.
  Result<size_t> Handle(ConstByteSpan request, ByteSpan response);

 private:
  SmpGroup* Find(uint16_t group_id) const;

  std::span<SmpGroup* const> groups_;
};

}  // namespace bleota::smp
