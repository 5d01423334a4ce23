#include "direct_transport.hpp"

#include <utility>

namespace bleota::bench {

void DirectTransport::Send(std::span<const uint8_t> packet) {
  std::vector<uint8_t> reply = device_.HandleSmp(packet);
  if (!reply.empty()) replies_.push_back(std::move(reply));
  if (device_.reset_requested()) {
    reset_started_us_ = device_.soc().clock().now_us();
    device_.RunRequestedReset();
    reset_booted_us_ = device_.soc().clock().now_us();
  }
}

std::optional<std::vector<uint8_t>> DirectTransport::Receive(std::chrono::milliseconds) {
  // Every reply is produced inside Send: none can arrive later, whatever the timeout.
  if (replies_.empty()) return std::nullopt;
  std::vector<uint8_t> reply = std::move(replies_.front());
  replies_.pop_front();
  return reply;
}

}  // namespace bleota::bench
