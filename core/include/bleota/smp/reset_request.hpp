// A device reset that an SMP command asked for. The OS group's reset command records it here and
// replies; the transport that carried the request reports it after the reply went out, and the
// device loop then resets (so the client gets its reply first, as with Zephyr's delayed reset).
#pragma once

namespace bleota::smp {

class ResetRequest {
 public:
  // `force`: the client asked to reset even if the device is busy (mcumgr "force").
  void Schedule(bool force) {
    pending_ = true;
    force_ = force_ || force;
  }
  bool pending() const { return pending_; }
  bool force() const { return force_; }
  // The device loop declined or performed the reset (a reset usually does not return).
  void Clear() {
    pending_ = false;
    force_ = false;
  }

 private:
  bool pending_ = false;
  bool force_ = false;
};

}  // namespace bleota::smp
