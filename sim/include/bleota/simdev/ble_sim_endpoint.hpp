// The simulated device's end of the ble-sim protocol (docs/spec/ble-sim.md): a Unix-domain
// SOCK_SEQPACKET socket where one central at a time "connects over BLE". For each connection it
// builds a BleLink with the profile the central names (and its overrides) and a
// BleDeviceSession on the SimDevice; WRITE messages queue Write Commands at the central's host,
// and a RUN message runs the link in the device's virtual time until a notification reaches the
// central (NOTIFY), the link has nothing left to do (IDLE: queued data, unacknowledged packets,
// a busy device or a pending reset are work), or the connection ends (DISCONNECTED). Between
// messages the link does not run, so virtual time stands still while the client is away.
//
// fd() is an epoll descriptor over the listening socket and the connected central, so the
// device's poll loop waits on one descriptor as for the other endpoints.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "bleota/host/ble_sim_protocol.hpp"
#include "bleota/simdev/ble_device_session.hpp"
#include "bleota/simdev/ble_link.hpp"
#include "bleota/simdev/smp_endpoint.hpp"

namespace bleota::sim {

struct BleSimEndpointOptions {
  std::filesystem::path socket_path;
  // Pace the link's virtual time to wall time while it runs (a progress bar moves at BLE speed).
  bool realtime = false;
  // Log lines ("[12.345678 s] ble-sim: central connected ..."); may be empty.
  std::function<void(const std::string& line)> log;
};

// The Write Commands a central may queue without a RUN (a whole window of requests at MTU 23 is
// a few hundred).
inline constexpr size_t kBleSimMaxQueuedWrites = 8192;

class BleSimEndpoint final : public SmpEndpoint {
 public:
  // Listens on options.socket_path. A socket file nobody listens on (left by a killed device)
  // is replaced. Throws host::HostError: kUsage for a path too long for a Unix socket address,
  // kIo when the path is taken (another device listens there, or it is not a socket) or the
  // socket cannot be made.
  explicit BleSimEndpoint(BleSimEndpointOptions options);
  ~BleSimEndpoint() override;  // ends a connection and removes the socket file
  BleSimEndpoint(const BleSimEndpoint&) = delete;
  BleSimEndpoint& operator=(const BleSimEndpoint&) = delete;

  int fd() const override { return epoll_fd_; }
  std::string description() const override { return "ble-sim " + options_.socket_path.string(); }
  // Accepts a central, or handles the connected central's messages (all that are waiting).
  void Service(SimDevice& device) override;

  bool central_connected() const { return client_ != nullptr; }
  // Connections accepted with CONNECTED, over the endpoint's life.
  uint64_t connections() const { return connections_; }

 private:
  struct Client {
    int fd = -1;
    SimDevice* device = nullptr;                // the device Service was called with
    std::unique_ptr<BleLink> link;              // set by CONNECT
    std::unique_ptr<BleDeviceSession> session;  // the device side of link
    std::deque<std::vector<uint8_t>> writes;    // queued at the central's host
    std::string profile;
    uint64_t runs = 0;
  };

  void Accept(SimDevice& device);
  // Handles the connected central's waiting messages.
  void ServiceClient(SimDevice& device);
  // Handles one message of the central; false when the connection was closed.
  bool Handle(SimDevice& device, const host::BleSimMessage& message);
  bool OnConnect(SimDevice& device, const host::BleSimConnect& request);
  bool OnWrite(const host::BleSimWrite& write);
  bool OnRun(SimDevice& device);
  // Moves queued writes into the link's TX buffers while they take them.
  void FeedWrites();
  bool HasWork(SimDevice& device) const;
  void Pace(std::chrono::steady_clock::time_point wall_start, uint64_t virtual_start,
            uint64_t virtual_next) const;
  // Sends a message to the central; false (and the connection is closed) when it is gone.
  bool SendToClient(const host::BleSimMessage& message);
  // ERROR, then close.
  void Refuse(host::BleSimErrorKind kind, const std::string& text);
  // Ends the connection: a reset the device owes its central is carried out first; DISCONNECTED
  // is sent when `tell` (the central is still there).
  void EndConnection(SimDevice& device, host::BleSimDisconnectReason reason, bool tell);
  void CloseClient();
  void Log(const std::string& line) const;
  uint64_t now_us() const;

  BleSimEndpointOptions options_;
  int listen_fd_ = -1;
  int epoll_fd_ = -1;
  uint64_t socket_inode_ = 0;  // the socket file this endpoint made (removed at the end)
  std::unique_ptr<Client> client_;
  uint64_t connections_ = 0;
};

// The protocol's reason for a link's disconnect reason.
host::BleSimDisconnectReason BleSimReasonOf(BleDisconnectReason reason);

}  // namespace bleota::sim
