// Simulated hardware watchdog on the virtual clock. Like real parts (nRF52 WDT, STM32 IWDG): once
// started it cannot be stopped or reconfigured until a reset that resets it; a kick reloads the
// full period; a kick that comes after the deadline is too late (the reset already happened).
#pragma once

#include <cstdint>

#include "bleota/sim/virtual_clock.hpp"
#include "bleota/status.hpp"

namespace bleota::sim {

class SimWatchdog {
 public:
  explicit SimWatchdog(const VirtualClock& clock) : clock_(clock) {}

  // kInvalidArgument for a zero period; kFailedPrecondition when already running (the period
  // stays the one set first).
  Status Start(uint32_t period_ms);
  // Reloads the counter; no effect when stopped or already expired.
  void Kick();

  bool running() const { return running_; }
  uint32_t period_ms() const { return period_ms_; }
  // Virtual time at which the watchdog resets the device (meaningful while running).
  uint64_t deadline_us() const { return deadline_us_; }
  // True when running and virtual time reached the deadline: a watchdog reset is due.
  bool Expired() const { return running_ && clock_.now_us() >= deadline_us_; }
  uint32_t kick_count() const { return kick_count_; }

  // Only a reset that resets the watchdog block calls this (see SimSoc::Reset).
  void Stop();

 private:
  const VirtualClock& clock_;
  bool running_ = false;
  uint32_t period_ms_ = 0;
  uint64_t deadline_us_ = 0;
  uint32_t kick_count_ = 0;
};

}  // namespace bleota::sim
