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

// The largest error reply: header + {"err": {"group": 65535, "rc": 65535}} (21 bytes of CBOR).
inline constexpr size_t kSmpMinResponseSize = kSmpHeaderSize + 21;

class SmpServer {
 public:
  // `groups` must outlive the server; a group id appears once.
  explicit SmpServer(std::span<SmpGroup* const> groups) : groups_(groups) {}

  // Handles one whole request packet (header + payload, exactly as DecodeSmpPacket checks it)
  // and writes the response packet into `response`. Returns the response size; 0 when the
  // request cannot be answered (fewer than 8 bytes, reserved bits set, op 4-7, or a response
  // op; versions 2-3 get a v2 kUnsupportedTooNew reply). `response` must hold at
  // least kSmpMinResponseSize bytes (kInvalidArgument otherwise); a response that does not fit
  // is replaced by a kTooLarge error reply (Zephyr's MGMT_ERR_EMSGSIZE).
  Result<size_t> Handle(ConstByteSpan request, ByteSpan response);

 private:
  SmpGroup* Find(uint16_t group_id) const;
  // Writes the error reply of `outcome` for `request` into `response`; returns its size.
  size_t WriteError(const SmpHeader& request, SmpOutcome outcome, ByteSpan response) const;

  std::span<SmpGroup* const> groups_;
};

}  // namespace bleota::smp
