// The client's SmpTransport straight into a SimDevice's SMP server, with no link between them:
// every packet reaches the device at once and its reply comes back at once, so the device's
// virtual clock (flash erases and programs) is the only time that passes. The end-to-end table
// uses it to show the flash bound alone. A reset the device accepted runs after its reply, as
// the device's main loop does; the boot's virtual time is recorded.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "bleota/host/smp_transport.hpp"
#include "bleota/simdev/sim_device.hpp"

namespace bleota::bench {

class DirectTransport final : public host::SmpTransport {
 public:
  explicit DirectTransport(sim::SimDevice& device) : device_(device) {}

  std::string name() const override { return "in-process (no link)"; }
  size_t max_packet_size() const override { return sim::kSmpBufferSize; }
  void Send(std::span<const uint8_t> packet) override;
  std::optional<std::vector<uint8_t>> Receive(std::chrono::milliseconds timeout) override;

  // The device clock when the last reset started and when its boot ended (0: no reset yet).
  uint64_t reset_started_us() const { return reset_started_us_; }
  uint64_t reset_booted_us() const { return reset_booted_us_; }

 private:
  sim::SimDevice& device_;
  std::deque<std::vector<uint8_t>> replies_;
  uint64_t reset_started_us_ = 0;
  uint64_t reset_booted_us_ = 0;
};

}  // namespace bleota::bench
