// One SMP management group (OS, image...) as the server sees it: a group id, a handler per
// request, and the v1 translation of the group's own error codes.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/smp/cbor_writer.hpp"
#include "bleota/smp/smp_header.hpp"
#include "bleota/smp/smp_rc.hpp"

namespace bleota::smp {

struct SmpRequest {
  SmpHeader header;       // checked by the server: op is kRead or kWrite, length matches
  ConstByteSpan payload;  // the CBOR payload (one map, not yet checked)
};

class SmpGroup {
 public:
  virtual uint16_t group_id() const = 0;

  // Handles one request of this group. On Ok() the handler has written the whole response map
  // into `response`; on an error what it wrote is discarded and the server writes the error reply.
  // Unknown command ids answer SmpOutcome::Generic(SmpRc::kNotSupported).
  virtual SmpOutcome Handle(const SmpRequest& request, CborWriter& response) = 0;

  // The generic code a v1 client gets for one of this group's codes.
  virtual SmpRc V1Rc(uint16_t group_rc) const = 0;

 protected:
  ~SmpGroup() = default;
};

}  // namespace bleota::smp
