#include "bleota/sim/sim_watchdog.hpp"

namespace bleota::sim {

Status SimWatchdog::Start(uint32_t period_ms) {
  if (period_ms == 0) return StatusCode::kInvalidArgument;
  if (running_) return StatusCode::kFailedPrecondition;
  running_ = true;
  period_ms_ = period_ms;
  deadline_us_ = clock_.now_us() + static_cast<uint64_t>(period_ms) * 1000;
  return Status::Ok();
}

void SimWatchdog::Kick() {
  if (!running_ || Expired()) return;
  deadline_us_ = clock_.now_us() + static_cast<uint64_t>(period_ms_) * 1000;
  ++kick_count_;
}

void SimWatchdog::Stop() {
  running_ = false;
  period_ms_ = 0;
  deadline_us_ = 0;
}

}  // namespace bleota::sim
