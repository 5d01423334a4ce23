// Test double: an SMP device model for the DFU client tests. It answers echo, params, state
// read/write, erase, slot info, reset and upload the way Zephyr's mcumgr does (an upload request at
// another offset than expected is answered with the expected offset; offset 0 with the same sha
// resumes), and lets a test inject faults. Test code only: the product talks to the real device
// server.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bleota/host/smp_transport.hpp"
#include "bleota/smp/smp_header.hpp"

namespace bleota::host::test {

// Builds a reply packet for `request` (same version, op + 1, group, sequence, command).
std::vector<uint8_t> MakeReply(const smp::SmpHeader& request, const nlohmann::json& payload);

class FakeSmpDevice {
 public:
  uint32_t buf_size = 1024;
  uint32_t buf_count = 4;
  bool params_supported = true;
  // When set, the first upload request at offset 0 is answered as if this much was already
  // stored from an earlier session with the same sha.
  std::optional<uint32_t> resume_at;
  // An upload error for the request at this offset: {"err": {"group": 1, "rc": code}}.
  std::optional<std::pair<uint32_t, uint16_t>> fail_at;
  bool report_match = true;
  bool corrupt_match = false;  // answer match: false

  // The reply packet, or std::nullopt for a request the model ignores.
  std::optional<std::vector<uint8_t>> Handle(const std::vector<uint8_t>& request);

  // Forgets an upload in progress (a reboot): the next non-zero offset is answered with off 0.
  void Restart();

  const std::vector<uint8_t>& stored() const { return stored_; }
  uint32_t expected() const { return expected_; }
  bool complete() const { return started_ && expected_ == length_; }
  std::vector<nlohmann::json> upload_requests;  // payloads as received
  std::vector<nlohmann::json> state_writes;
  std::vector<nlohmann::json> erases;
  int resets = 0;

 private:
  nlohmann::json Upload(const nlohmann::json& request);

  bool started_ = false;
  uint32_t length_ = 0;
  uint32_t expected_ = 0;
  std::vector<uint8_t> sha_;
  std::vector<uint8_t> stored_;
};

// Test double: a packet transport whose "link" is a function the test supplies. Send passes the
// packet to `on_send`, which queues replies (or not, or twice, or later); Receive pops the
// queue, and an empty queue is a timeout (so tests never wait).
class ScriptedTransport final : public SmpTransport {
 public:
  using OnSend =
      std::function<void(const std::vector<uint8_t>&, std::deque<std::vector<uint8_t>>&)>;

  explicit ScriptedTransport(OnSend on_send, size_t max_packet = 2048)
      : on_send_(std::move(on_send)), max_packet_(max_packet) {}

  std::string name() const override { return "scripted"; }
  size_t max_packet_size() const override { return max_packet_; }
  size_t link_piece_size() const override { return piece_; }
  void Send(std::span<const uint8_t> packet) override {
    sent.emplace_back(packet.begin(), packet.end());
    on_send_(sent.back(), queue);
  }
  std::optional<std::vector<uint8_t>> Receive(std::chrono::milliseconds) override {
    if (queue.empty()) {
      ++timeouts;
      return std::nullopt;
    }
    std::vector<uint8_t> packet = std::move(queue.front());
    queue.pop_front();
    return packet;
  }
  void Resync() override { ++resyncs; }

  void set_piece_size(size_t piece) { piece_ = piece; }

  std::vector<std::vector<uint8_t>> sent;
  std::deque<std::vector<uint8_t>> queue;
  int timeouts = 0;
  int resyncs = 0;

 private:
  OnSend on_send_;
  size_t max_packet_;
  size_t piece_ = 0;
};

// A ScriptedTransport that hands every packet to `device` and queues its reply.
ScriptedTransport::OnSend DeviceLink(FakeSmpDevice& device);

}  // namespace bleota::host::test
