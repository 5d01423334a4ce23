#include "bleota/host/smp_client.hpp"

#include <random>

#include "bleota/host/error.hpp"
#include "bleota/host/smp_device_error.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

uint8_t RandomSequence() {
  std::random_device device;
  return static_cast<uint8_t>(device() & 0xFF);
}

}  // namespace

SmpClient::SmpClient(SmpTransport& transport, SmpClientOptions options)
    : transport_(transport),
      options_(options),
      next_sequence_(options.first_sequence ? *options.first_sequence : RandomSequence()) {}

std::vector<uint8_t> SmpClient::Encode(const SmpCommand& command, uint8_t& sequence) {
  sequence = next_sequence_++;
  return EncodeSmpRequest(command, options_.version, sequence);
}

void SmpClient::SendPacket(std::span<const uint8_t> packet) {
  if (packet.size() > transport_.max_packet_size()) {
    ThrowUsage("SMP request of " + std::to_string(packet.size()) + " bytes exceeds the " +
               std::to_string(transport_.max_packet_size()) + "-byte packet limit of " +
               transport_.name());
  }
  transport_.Send(packet);
  ++stats_.requests_sent;
}

std::optional<SmpReply> SmpClient::ReceiveReply(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    const auto now = Clock::now();
    const auto left = std::chrono::duration_cast<milliseconds>(deadline - now);
    std::optional<std::vector<uint8_t>> packet =
        transport_.Receive(left.count() > 0 ? left : milliseconds(0));
    if (!packet) return std::nullopt;
    std::optional<SmpReply> reply = ParseSmpReply(*packet);
    if (reply) return reply;
    ++stats_.dropped_packets;  // not an SMP response (a request echoed back, garbage)
  }
}

nlohmann::json SmpClient::Call(const SmpCommand& command, std::string_view what) {
  uint8_t sequence = 0;
  const std::vector<uint8_t> packet = Encode(command, sequence);
  const unsigned tries = options_.retries + 1;
  for (unsigned attempt = 0; attempt < tries; ++attempt) {
    if (attempt > 0) {
      ++stats_.resends;
      transport_.Resync();
    }
    SendPacket(packet);
    const Clock::time_point deadline = Clock::now() + options_.timeout;
    for (;;) {
      const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      std::optional<SmpReply> reply = ReceiveReply(left);
      if (!reply) break;
      if (!ReplyAnswers(*reply, command, sequence)) {
        ++stats_.stale_replies;
        continue;
      }
      if (!reply->payload_error.empty()) {
        ThrowDevice("malformed reply to " + std::string(what) + ": " + reply->payload_error);
      }
      if (std::optional<SmpErrorCode> error = ReplyErrorCode(reply->payload, what)) {
        throw SmpDeviceError(std::string(what), *error);
      }
      return reply->payload;
    }
  }
  ThrowNoReply(what, tries);
}

void SmpClient::ThrowNoReply(std::string_view what, unsigned tries) const {
  std::string message = "no reply to " + std::string(what) + " from " + transport_.name() +
                        " after " + std::to_string(tries) + (tries == 1 ? " try" : " tries") +
                        " of " + std::to_string(options_.timeout.count()) + " ms";
  const std::string diagnosis = transport_.diagnosis();
  if (!diagnosis.empty()) message += ": " + diagnosis;
  message +=
      "; check that the device is running and reachable (--address, or --device and --baud), "
      "or raise --timeout/--retries";
  if (options_.version == smp::SmpVersion::kV2) {
    message += "; an old device may ignore SMP v2 requests (try --smp-version 1)";
  }
  ThrowTransport(message);
}

}  // namespace bleota::host
