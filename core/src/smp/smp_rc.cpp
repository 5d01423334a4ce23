#include "bleota/smp/smp_rc.hpp"

namespace bleota::smp {

const char* SmpRcName(SmpRc rc) {
  switch (rc) {
    case SmpRc::kOk:
      return "ok";
    case SmpRc::kUnknown:
      return "unknown";
    case SmpRc::kNoMemory:
      return "no_memory";
    case SmpRc::kInvalid:
      return "invalid";
    case SmpRc::kTimeout:
      return "timeout";
    case SmpRc::kNoEntry:
      return "no_entry";
    case SmpRc::kBadState:
      return "bad_state";
    case SmpRc::kTooLarge:
      return "too_large";
    case SmpRc::kNotSupported:
      return "not_supported";
    case SmpRc::kCorrupt:
      return "corrupt";
    case SmpRc::kBusy:
      return "busy";
    case SmpRc::kAccessDenied:
      return "access_denied";
    case SmpRc::kUnsupportedTooOld:
      return "unsupported_too_old";
    case SmpRc::kUnsupportedTooNew:
      return "unsupported_too_new";
  }
  return "unrecognized";  // a value outside the enumerators (e.g. from a peer)
}

}  // namespace bleota::smp
