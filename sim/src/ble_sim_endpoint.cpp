#include "bleota/simdev/ble_sim_endpoint.hpp"

#include <sys/epoll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <thread>
#include <variant>

#include "bleota/host/error.hpp"
#include "bleota/host/unix_socket_address.hpp"
#include "bleota/smp/ble_reassembly.hpp"

namespace bleota::sim {

using host::BleSimDisconnectReason;
using host::BleSimErrorKind;
using Clock = std::chrono::steady_clock;

namespace {

// A RUN that takes more link steps than this is stuck (a 256 KiB upload takes a few thousand).
constexpr uint64_t kMaxStepsPerRun = 20'000'000;
// How long a send may wait for a central that does not read.
constexpr int kSendWaitMs = 2000;

// True when something accepts connections on `address`.
bool SomeoneListens(const host::UnixSocketAddress& address) {
  const int probe = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (probe < 0) return false;
  const bool listens = connect(probe, address.get(), address.size()) == 0;
  close(probe);
  return listens;
}

std::string KnownProfiles() {
  std::string names;
  for (const BleProfile& profile : BleProfiles()) {
    if (!names.empty()) names += ", ";
    names += profile.name;
  }
  return names;
}

std::string Seconds(uint64_t us) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6f", static_cast<double>(us) / 1e6);
  return text;
}

BlePhy PhyOf(host::BleSimPhy phy) {
  return phy == host::BleSimPhy::k2M ? BlePhy::k2M : BlePhy::k1M;
}

host::BleSimPhy PhyOf(BlePhy phy) {
  return phy == BlePhy::k2M ? host::BleSimPhy::k2M : host::BleSimPhy::k1M;
}

}  // namespace

host::BleSimDisconnectReason BleSimReasonOf(BleDisconnectReason reason) {
  switch (reason) {
    case BleDisconnectReason::kCentral:
      return BleSimDisconnectReason::kClient;
    case BleDisconnectReason::kSupervisionTimeout:
      return BleSimDisconnectReason::kSupervisionTimeout;
    case BleDisconnectReason::kDeviceReset:
      return BleSimDisconnectReason::kDeviceReset;
    case BleDisconnectReason::kPeripheral:
    case BleDisconnectReason::kNone:
      break;
  }
  return BleSimDisconnectReason::kPeripheral;
}

BleSimEndpoint::BleSimEndpoint(BleSimEndpointOptions options) : options_(std::move(options)) {
  const std::string path = options_.socket_path.string();
  if (path.empty()) host::ThrowUsage("--ble-sim needs a socket path");
  const host::UnixSocketAddress address(options_.socket_path);
  struct stat existing {};
  if (lstat(path.c_str(), &existing) == 0) {
    if (!S_ISSOCK(existing.st_mode)) {
      host::ThrowIo("--ble-sim: " + path + " exists and is not a socket; choose another path");
    }
    if (SomeoneListens(address)) {
      host::ThrowIo("--ble-sim: another device already listens on " + path);
    }
    unlink(path.c_str());  // left behind by a device that was killed
  }
  listen_fd_ = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  if (listen_fd_ < 0) {
    host::ThrowIo(std::string("cannot create a Unix socket: ") + std::strerror(errno));
  }
  if (bind(listen_fd_, address.get(), address.size()) != 0 || listen(listen_fd_, 4) != 0) {
    const std::string reason = std::strerror(errno);
    close(listen_fd_);
    host::ThrowIo("--ble-sim: cannot listen on " + path + ": " + reason);
  }
  struct stat made {};
  if (stat(path.c_str(), &made) == 0) socket_inode_ = made.st_ino;
  epoll_fd_ = epoll_create1(EPOLL_CLOEXEC);
  epoll_event event{};
  event.events = EPOLLIN;
  event.data.fd = listen_fd_;
  if (epoll_fd_ < 0 || epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, listen_fd_, &event) != 0) {
    const std::string reason = std::strerror(errno);
    if (epoll_fd_ >= 0) close(epoll_fd_);
    close(listen_fd_);
    unlink(path.c_str());
    host::ThrowIo("cannot make an epoll descriptor: " + reason);
  }
}

BleSimEndpoint::~BleSimEndpoint() {
  // The session refers to the device, which may be gone by now: drop the connection without
  // running the link.
  CloseClient();
  if (epoll_fd_ >= 0) close(epoll_fd_);
  if (listen_fd_ >= 0) close(listen_fd_);
  struct stat now {};
  const std::string path = options_.socket_path.string();
  if (stat(path.c_str(), &now) == 0 && now.st_ino == socket_inode_) unlink(path.c_str());
}

void BleSimEndpoint::Log(const std::string& line) const {
  if (options_.log) options_.log("[" + Seconds(now_us()) + " s] ble-sim: " + line);
}

uint64_t BleSimEndpoint::now_us() const {
  return client_ && client_->link ? client_->link->now_us() : 0;
}

void BleSimEndpoint::Service(SimDevice& device) {
  // The connected central first: a central that left (DISCONNECT, or its socket closed) makes
  // room for the next one, which a script may start at once.
  ServiceClient(device);
  Accept(device);
  ServiceClient(device);
}

void BleSimEndpoint::ServiceClient(SimDevice& device) {
  std::vector<uint8_t> record(host::kBleSimMaxMessageSize + 1);
  while (client_) {
    const ssize_t n = recv(client_->fd, record.data(), record.size(), MSG_DONTWAIT);
    if (n < 0) {
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      if (errno == EINTR) continue;
    }
    if (n <= 0) {
      // The central went away (or its socket broke): the connection ends.
      EndConnection(device, BleSimDisconnectReason::kClient, false);
      return;
    }
    const host::BleSimDecodeResult decoded =
        host::DecodeBleSimMessage(std::span<const uint8_t>(record.data(), static_cast<size_t>(n)));
    if (!decoded.message) {
      Refuse(BleSimErrorKind::kProtocol, decoded.error);
      return;
    }
    if (!host::IsCentralMessage(host::BleSimTypeOf(*decoded.message))) {
      Refuse(BleSimErrorKind::kProtocol,
             std::string(host::BleSimTypeName(host::BleSimTypeOf(*decoded.message))) +
                 " is a peripheral's message");
      return;
    }
    if (!Handle(device, *decoded.message)) return;
  }
}

void BleSimEndpoint::Accept(SimDevice& device) {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
    if (fd < 0) {
      if (errno == EINTR) continue;
      return;  // EAGAIN: nobody waits; other errors concern that one central only
    }
    if (client_) {
      // One central at a time: tell this one why, and close.
      const std::vector<uint8_t> busy = host::EncodeBleSimMessage(host::BleSimError{
          BleSimErrorKind::kBusy, "another central is connected to this device; try again later"});
      send(fd, busy.data(), busy.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      // Take what it sent already (its CONNECT): closing with unread input would make its
      // first read fail with ECONNRESET instead of showing the ERROR.
      uint8_t drop[64];
      while (recv(fd, drop, sizeof(drop), MSG_DONTWAIT) > 0) {
      }
      close(fd);
      continue;
    }
    epoll_event event{};
    event.events = EPOLLIN;
    event.data.fd = fd;
    if (epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, fd, &event) != 0) {
      close(fd);
      continue;
    }
    client_ = std::make_unique<Client>();
    client_->fd = fd;
    client_->device = &device;
  }
}

bool BleSimEndpoint::Handle(SimDevice& device, const host::BleSimMessage& message) {
  if (const auto* connect = std::get_if<host::BleSimConnect>(&message)) {
    return OnConnect(device, *connect);
  }
  if (!client_->link) {
    Refuse(BleSimErrorKind::kProtocol,
           std::string(host::BleSimTypeName(host::BleSimTypeOf(message))) +
               " before CONNECT: the first message is CONNECT");
    return false;
  }
  if (const auto* write = std::get_if<host::BleSimWrite>(&message)) return OnWrite(*write);
  if (std::holds_alternative<host::BleSimRun>(message)) return OnRun(device);
  // DISCONNECT.
  EndConnection(device, BleSimDisconnectReason::kClient, true);
  return false;
}

bool BleSimEndpoint::OnConnect(SimDevice& device, const host::BleSimConnect& request) {
  if (client_->link) {
    Refuse(BleSimErrorKind::kProtocol, "CONNECT on a connection that is already connected");
    return false;
  }
  const BleProfile* profile = FindBleProfile(request.profile);
  if (profile == nullptr) {
    Refuse(BleSimErrorKind::kRefused,
           "unknown BLE profile '" + request.profile + "'; known profiles: " + KnownProfiles());
    return false;
  }
  BleLinkParams params = profile->params;
  const host::BleSimLinkOverrides& o = request.overrides;
  if (o.phy) params.phy = PhyOf(*o.phy);
  if (o.max_ll_payload) params.max_ll_payload = *o.max_ll_payload;
  if (o.att_mtu) params.att_mtu = *o.att_mtu;
  if (o.connection_interval_us) params.connection_interval_us = *o.connection_interval_us;
  if (o.max_packets_per_event) params.max_packets_per_event = *o.max_packets_per_event;
  if (o.packet_error_rate_ppm) params.packet_error_rate_ppm = *o.packet_error_rate_ppm;
  if (o.seed) params.seed = *o.seed;
  if (const std::string problem = params.Problem(); !problem.empty()) {
    Refuse(BleSimErrorKind::kRefused, "BLE link parameters of profile '" + request.profile +
                                          "' with the overrides: " + problem);
    return false;
  }
  client_->profile = profile->name;
  client_->link = std::make_unique<BleLink>(params);
  client_->session = std::make_unique<BleDeviceSession>(device, *client_->link);
  BleLink& link = *client_->link;
  if (!client_->session->Connect().ok()) {
    Log("a central was refused: the device is not advertising (" +
        std::string(DeviceModeName(device.mode())) + ")");
    EndConnection(device, BleSimDisconnectReason::kNotAdvertising, true);
    return false;
  }
  // The link's connection setup and ATT MTU exchange, in virtual time.
  uint64_t steps = 0;
  while (link.connected() && !link.mtu_exchanged() && ++steps < kMaxStepsPerRun) link.Step();
  // And the packets still unacknowledged after it, so the link is quiet at CONNECTED's time.
  while (link.connected() && HasWork(device) && ++steps < kMaxStepsPerRun) link.Step();
  if (!link.connected() || !link.mtu_exchanged()) {
    EndConnection(device, BleSimReasonOf(link.last_disconnect()), true);
    return false;
  }
  ++connections_;
  Log("central connected: profile " + client_->profile + " (" + BlePhyName(params.phy) +
      " PHY, LL payload " + std::to_string(params.max_ll_payload) + ", ATT MTU " +
      std::to_string(link.att_mtu()) + ", CI " + std::to_string(params.connection_interval_us) +
      " us" +
      (params.packet_error_rate_ppm != 0
           ? ", loss " + std::to_string(params.packet_error_rate_ppm) + " ppm"
           : std::string()) +
      ")");
  host::BleSimConnected connected;
  connected.att_mtu = link.att_mtu();
  connected.phy = PhyOf(params.phy);
  connected.encrypted = params.encrypted;
  connected.max_ll_payload = params.max_ll_payload;
  connected.max_packets_per_event = params.max_packets_per_event;
  connected.connection_interval_us = params.connection_interval_us;
  connected.packet_error_rate_ppm = params.packet_error_rate_ppm;
  connected.seed = params.seed;
  connected.virtual_time_us = link.now_us();
  connected.profile = client_->profile;
  return SendToClient(connected);
}

bool BleSimEndpoint::OnWrite(const host::BleSimWrite& write) {
  const size_t limit = smp::AttPayloadSize(client_->link->att_mtu());
  for (const std::vector<uint8_t>& value : write.values) {
    if (value.size() > limit) {
      Refuse(BleSimErrorKind::kProtocol,
             "a Write Command of " + std::to_string(value.size()) +
                 " bytes exceeds ATT_MTU - 3 = " + std::to_string(limit) + " of the connection");
      return false;
    }
  }
  if (client_->writes.size() + write.values.size() > kBleSimMaxQueuedWrites) {
    Refuse(BleSimErrorKind::kProtocol, "more than " + std::to_string(kBleSimMaxQueuedWrites) +
                                           " Write Commands queued without a RUN");
    return false;
  }
  client_->writes.insert(client_->writes.end(), write.values.begin(), write.values.end());
  return true;
}

void BleSimEndpoint::FeedWrites() {
  BleLink& link = *client_->link;
  while (!client_->writes.empty()) {
    if (link.TryWrite(client_->writes.front()) != BleWriteStatus::kQueued) return;
    client_->writes.pop_front();
  }
}

bool BleSimEndpoint::HasWork(SimDevice& device) const {
  const BleLink& link = *client_->link;
  return !client_->writes.empty() || !link.central_tx_idle() || link.has_write() ||
         !link.peripheral_tx_idle() || client_->session->device_busy() || device.reset_requested();
}

void BleSimEndpoint::Pace(Clock::time_point wall_start, uint64_t virtual_start,
                          uint64_t virtual_next) const {
  if (!options_.realtime || virtual_next <= virtual_start) return;
  const Clock::time_point due =
      wall_start + std::chrono::microseconds(virtual_next - virtual_start);
  if (due > Clock::now()) std::this_thread::sleep_until(due);
}

bool BleSimEndpoint::OnRun(SimDevice& device) {
  ++client_->runs;
  BleLink& link = *client_->link;
  const Clock::time_point wall_start = Clock::now();
  const uint64_t virtual_start = link.now_us();
  for (uint64_t steps = 0;; ++steps) {
    if (link.connected()) FeedWrites();
    if (std::optional<std::vector<uint8_t>> value = link.TakeNotification()) {
      return SendToClient(host::BleSimNotify{link.now_us(), std::move(*value)});
    }
    if (!link.connected()) {
      EndConnection(device, BleSimReasonOf(link.last_disconnect()), true);
      return false;
    }
    if (!HasWork(device)) return SendToClient(host::BleSimIdle{link.now_us()});
    if (steps >= kMaxStepsPerRun) {
      Refuse(BleSimErrorKind::kInternal, "the link ran " + std::to_string(kMaxStepsPerRun) +
                                             " steps without an end; the connection is closed");
      return false;
    }
    Pace(wall_start, virtual_start, link.next_step_us());
    link.Step();
  }
}

bool BleSimEndpoint::SendToClient(const host::BleSimMessage& message) {
  const std::vector<uint8_t> record = host::EncodeBleSimMessage(message);
  const Clock::time_point deadline = Clock::now() + std::chrono::milliseconds(kSendWaitMs);
  for (;;) {
    const ssize_t n = send(client_->fd, record.data(), record.size(), MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(record.size())) return true;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) && Clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
      continue;
    }
    // The central is gone (it may close right after DISCONNECT) or does not read: drop it
    // (its link ends with it).
    const bool gone = n < 0 && (errno == EPIPE || errno == ECONNRESET);
    if (!gone) {
      Log("the central does not take messages (" +
          std::string(n < 0 ? std::strerror(errno) : "short send") + "); connection closed");
    }
    if (gone && client_->device != nullptr &&
        host::BleSimTypeOf(message) != host::BleSimType::kError &&
        host::BleSimTypeOf(message) != host::BleSimType::kDisconnected) {
      EndConnection(*client_->device, BleSimDisconnectReason::kClient, false);
    } else {
      CloseClient();
    }
    return false;
  }
}

void BleSimEndpoint::Refuse(BleSimErrorKind kind, const std::string& text) {
  Log("refused the central: " + text);
  if (SendToClient(host::BleSimError{kind, host::BleSimErrorText(text)})) CloseClient();
}

void BleSimEndpoint::EndConnection(SimDevice& device, BleSimDisconnectReason reason, bool tell) {
  if (client_->link) {
    BleLink& link = *client_->link;
    // A reset whose reply went out happens whatever the central does next.
    for (uint64_t steps = 0;
         link.connected() && device.reset_requested() && steps < kMaxStepsPerRun; ++steps) {
      FeedWrites();
      link.Step();
    }
    if (link.connected()) {
      link.Disconnect(BleDisconnectReason::kCentral);
    } else if (reason == BleSimDisconnectReason::kClient &&
               link.last_disconnect() == BleDisconnectReason::kDeviceReset) {
      reason = BleSimDisconnectReason::kDeviceReset;
    }
    if (reason != BleSimDisconnectReason::kNotAdvertising) {
      const BleLinkStats& stats = link.stats();
      Log("central disconnected (" + std::string(host::BleSimDisconnectReasonName(reason)) + "): " +
          std::to_string(stats.writes_delivered) + " writes (" + std::to_string(stats.write_bytes) +
          " bytes), " + std::to_string(stats.notifications_delivered) + " notifications, " +
          std::to_string(stats.central_retransmissions + stats.peripheral_retransmissions) +
          " retransmissions");
    }
  }
  if (tell && !SendToClient(host::BleSimDisconnected{now_us(), reason})) return;
  CloseClient();
}

void BleSimEndpoint::CloseClient() {
  if (!client_) return;
  // The session detaches from the link and ends the connection; then the link goes.
  client_->session.reset();
  client_->link.reset();
  epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, client_->fd, nullptr);
  close(client_->fd);
  client_.reset();
}

}  // namespace bleota::sim
