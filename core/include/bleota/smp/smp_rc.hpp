// SMP result codes. Generic codes ("rc" in a reply, v1 and v2) are the mcumgr MGMT_ERR values;
// group codes travel in v2 as {"err": {"group", "rc"}} and are mapped to a generic code for v1
// clients by their group (SmpGroup::V1Rc). docs/spec/smp.md lists them.
#pragma once

#include <cstdint>

namespace bleota::smp {

enum class SmpRc : uint16_t {
  kOk = 0,
  kUnknown = 1,
  kNoMemory = 2,
  kInvalid = 3,
  kTimeout = 4,
  kNoEntry = 5,
  kBadState = 6,
  kTooLarge = 7,
  kNotSupported = 8,
  kCorrupt = 9,
  kBusy = 10,
  kAccessDenied = 11,
  kUnsupportedTooOld = 12,
  kUnsupportedTooNew = 13,
};

// A short stable name ("invalid", "not_supported"...) for logs and client messages.
const char* SmpRcName(SmpRc rc);

// What a command handler reports: success, a generic error, or an error of its group.
class SmpOutcome {
 public:
  static constexpr SmpOutcome Ok() { return SmpOutcome(); }
  static constexpr SmpOutcome Generic(SmpRc rc) {
    return SmpOutcome(0, static_cast<uint16_t>(rc), false);
  }
  static constexpr SmpOutcome Group(uint16_t group, uint16_t rc) {
    return SmpOutcome(group, rc, true);
  }

  constexpr bool ok() const { return rc_ == 0; }
  constexpr bool is_group_error() const { return group_error_; }
  constexpr uint16_t group() const { return group_; }
  constexpr uint16_t rc() const { return rc_; }

 private:
  constexpr SmpOutcome() = default;
  constexpr SmpOutcome(uint16_t group, uint16_t rc, bool group_error)
      : group_(group), rc_(rc), group_error_(group_error) {}

  uint16_t group_ = 0;
  uint16_t rc_ = 0;
  bool group_error_ = false;
};

}  // namespace bleota::smp
