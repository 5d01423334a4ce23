// SMP over a simulated BLE link (`bleota dfu --transport ble-sim`): the client is the central of
// a BLE connection that a separately running simulated device models in its virtual time
// (docs/spec/ble-sim.md). Each SMP packet goes out as Write Commands of at most ATT_MTU - 3
// bytes in one WRITE message; notifications are reassembled into SMP packets. Receive asks the
// device to run the link (RUN) until a notification reaches the central or the link has nothing
// left to do (then it returns at once: no reply can come). A device reset ends the connection;
// Resync connects again, so uploads resume as over the other transports.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "bleota/host/ble_sim_protocol.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_transport.hpp"
#include "bleota/smp/ble_reassembly.hpp"

namespace bleota::host {

inline constexpr const char* kBleSimDefaultProfile = "2m-dle";
// The largest SMP packet sent: one WRITE message carries it at every ATT_MTU (23: 410 writes).
inline constexpr size_t kBleSimMaxSmpPacket = 8192;

struct BleSimClientOptions {
  std::string socket_path;
  std::string profile = kBleSimDefaultProfile;
  BleSimLinkOverrides overrides;
  // How long connecting (and reconnecting in Resync) may wait for the device.
  std::chrono::milliseconds connect_timeout{5000};
};

// What the link did, as the central saw it.
struct BleSimLinkStats {
  uint64_t writes = 0;         // Write Commands sent
  uint64_t write_bytes = 0;    // their value bytes
  uint64_t notifications = 0;  // notifications received
  uint64_t connections = 0;    // successful CONNECTs (reconnects included)
  uint64_t disconnects = 0;    // DISCONNECTED messages
};

class SmpBleSimTransport final : public SmpTransport {
 public:
  // Connects and sends CONNECT. Throws HostError: kUsage for a socket path that does not fit a
  // Unix socket address, an invalid profile name, or a device that refuses the profile or the
  // link parameters (its message lists the profiles it knows); kTransport when there is no
  // socket, nothing listens, the device is not advertising or another central is connected.
  explicit SmpBleSimTransport(BleSimClientOptions options);
  ~SmpBleSimTransport() override;
  SmpBleSimTransport(const SmpBleSimTransport&) = delete;
  SmpBleSimTransport& operator=(const SmpBleSimTransport&) = delete;

  // "ble-sim /tmp/dev.sock (2m-dle, ATT MTU 247)"
  std::string name() const override;
  size_t max_packet_size() const override { return kBleSimMaxSmpPacket; }
  size_t link_piece_size() const override { return smp::AttPayloadSize(connected_.att_mtu); }
  // While the link is down (a device reset ended it), packets are lost as on air.
  void Send(std::span<const uint8_t> packet) override;
  std::optional<std::vector<uint8_t>> Receive(std::chrono::milliseconds timeout) override;
  // Connects again when the device ended the connection (up to options.connect_timeout).
  void Resync() override;
  std::string diagnosis() const override { return diagnosis_; }
  size_t dropped_input() const override { return dropped_; }

  bool connected() const { return fd_ >= 0; }
  // The parameters of the current (or last) connection.
  const BleSimConnected& link() const { return connected_; }
  // The latest virtual time the central has seen (CONNECTED, NOTIFY, IDLE, DISCONNECTED).
  uint64_t virtual_now_us() const { return virtual_now_us_; }
  const BleSimLinkStats& stats() const { return stats_; }

 private:
  // Connects and exchanges CONNECT/CONNECTED; on failure returns the reason and the exit code
  // it maps to (nothing is thrown, so Resync can retry).
  struct ConnectFailure {
    ExitCode code;
    std::string message;
    bool retry;  // the device may come back (not advertising, nothing listening yet)
  };
  std::optional<ConnectFailure> TryConnect();
  void Close();
  void SendMessage(const BleSimMessage& message);
  // One message from the device within `timeout` (std::nullopt: none came). Throws
  // HostError(kTransport) for a malformed message or a broken socket.
  std::optional<BleSimMessage> ReadMessage(std::chrono::milliseconds timeout);
  void OnDisconnected(const BleSimDisconnected& message);
  // Feeds a notification value to the reassembler; complete packets go to received_.
  void Reassemble(std::span<const uint8_t> value);

  BleSimClientOptions options_;
  int fd_ = -1;
  BleSimConnected connected_;
  bool run_pending_ = false;  // a RUN was sent and its answer (NOTIFY, IDLE...) has not come
  uint64_t virtual_now_us_ = 0;
  std::vector<uint8_t> packet_buffer_;
  smp::BleReassembler reassembler_;
  std::deque<std::vector<uint8_t>> received_;
  std::string diagnosis_;
  size_t dropped_ = 0;
  BleSimLinkStats stats_;
};

}  // namespace bleota::host
