#include "bleota/host/smp_ble_sim_transport.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <optional>
#include <thread>
#include <type_traits>

#include "bleota/host/error.hpp"
#include "bleota/host/unix_socket_address.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// An SMP packet's length field is 16 bits: the largest packet a notification stream can carry.
constexpr size_t kMaxReplyPacket = 8 + 65535;

std::string VirtualSeconds(uint64_t us) {
  char text[32];
  std::snprintf(text, sizeof(text), "%.6f s", static_cast<double>(us) / 1e6);
  return text;
}

milliseconds Left(Clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
  return left.count() > 0 ? left : milliseconds(0);
}

}  // namespace

SmpBleSimTransport::SmpBleSimTransport(BleSimClientOptions options)
    : options_(std::move(options)),
      packet_buffer_(kMaxReplyPacket),
      reassembler_(ByteSpan(packet_buffer_.data(), packet_buffer_.size())) {
  if (options_.socket_path.empty()) ThrowUsage("--transport ble-sim needs --device SOCKET_PATH");
  if (!IsValidBleSimProfileName(options_.profile)) {
    ThrowUsage("--ble-profile: '" + BleSimErrorText(options_.profile) +
               "' is not a profile name (1..32 of A-Z a-z 0-9 . _ -)");
  }
  connected_.profile = options_.profile;
  if (std::optional<ConnectFailure> failure = TryConnect()) {
    throw HostError(failure->code, failure->message);
  }
}

SmpBleSimTransport::~SmpBleSimTransport() {
  if (fd_ >= 0) {
    try {
      SendMessage(BleSimDisconnect{});
    } catch (...) {
      // Leaving anyway: the device sees the socket close.
    }
  }
  Close();
}

std::string SmpBleSimTransport::name() const {
  return "ble-sim " + options_.socket_path + " (" + connected_.profile + ", ATT MTU " +
         std::to_string(connected_.att_mtu) + ")";
}

void SmpBleSimTransport::Close() {
  if (fd_ >= 0) close(fd_);
  fd_ = -1;
  run_pending_ = false;
}

std::optional<SmpBleSimTransport::ConnectFailure> SmpBleSimTransport::TryConnect() {
  Close();
  const std::string& path = options_.socket_path;
  const int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    return ConnectFailure{ExitCode::kTransport,
                          std::string("cannot create a Unix socket: ") + std::strerror(errno),
                          false};
  }
  std::optional<UnixSocketAddress> address;
  try {
    address.emplace(path);
  } catch (const HostError& e) {
    close(fd);
    const std::filesystem::path parent = std::filesystem::path(path).parent_path();
    std::error_code ignored;
    if (!parent.empty() && !std::filesystem::is_directory(parent, ignored)) {
      // Its directory does not exist (yet): the same as no socket.
      return ConnectFailure{
          ExitCode::kTransport,
          "no socket at " + path + ": start the simulated device with --ble-sim " + path, true};
    }
    // No device can listen there either (a file name too long for a socket address).
    return ConnectFailure{ExitCode::kUsage, "--device: " + std::string(e.what()), false};
  }
  if (connect(fd, address->get(), address->size()) != 0) {
    const int error = errno;
    close(fd);
    switch (error) {
      case ENOENT:
        return ConnectFailure{
            ExitCode::kTransport,
            "no socket at " + path + ": start the simulated device with --ble-sim " + path, true};
      case ECONNREFUSED: {
        struct stat info {};
        if (stat(path.c_str(), &info) == 0 && !S_ISSOCK(info.st_mode)) {
          return ConnectFailure{ExitCode::kTransport,
                                path +
                                    " is not a socket: give the path of the simulated "
                                    "device's --ble-sim socket",
                                false};
        }
        return ConnectFailure{ExitCode::kTransport,
                              "nothing listens on " + path +
                                  " (a socket file left behind: is the simulated device running?)",
                              true};
      }
      case EPROTOTYPE:
      case ENOTSOCK:
        return ConnectFailure{ExitCode::kTransport,
                              path + " is not a ble-sim socket (a Unix SOCK_SEQPACKET socket)",
                              false};
      default:
        return ConnectFailure{ExitCode::kTransport,
                              "cannot connect to " + path + ": " + std::strerror(error), false};
    }
  }
  fd_ = fd;
  BleSimConnect request;
  request.profile = options_.profile;
  request.overrides = options_.overrides;
  const std::vector<uint8_t> record = EncodeBleSimMessage(request);
  ssize_t sent = 0;
  do {
    sent = send(fd_, record.data(), record.size(), MSG_NOSIGNAL);
  } while (sent < 0 && errno == EINTR);
  // A device that refuses at once (busy) may have closed before CONNECT arrived: its answer is
  // still waiting to be read, so a broken pipe here is not the end.
  if (sent != static_cast<ssize_t>(record.size()) &&
      !(sent < 0 && (errno == EPIPE || errno == ECONNRESET))) {
    const std::string reason = sent < 0 ? std::strerror(errno) : "short send";
    Close();
    return ConnectFailure{ExitCode::kTransport, "sending CONNECT to " + path + " failed: " + reason,
                          false};
  }
  const std::optional<BleSimMessage> reply = ReadMessage(options_.connect_timeout);
  if (!reply) {
    const bool closed = fd_ < 0;
    Close();
    return ConnectFailure{
        ExitCode::kTransport,
        closed ? "the simulated device at " + path + " closed the connection during CONNECT"
               : "the simulated device at " + path + " did not answer CONNECT within " +
                     std::to_string(options_.connect_timeout.count()) + " ms",
        true};
  }
  if (const auto* connected = std::get_if<BleSimConnected>(&*reply)) {
    connected_ = *connected;
    virtual_now_us_ = connected->virtual_time_us;
    reassembler_.Reset();
    ++stats_.connections;
    diagnosis_.clear();
    return std::nullopt;
  }
  Close();
  if (const auto* disconnected = std::get_if<BleSimDisconnected>(&*reply)) {
    ++stats_.disconnects;
    virtual_now_us_ = disconnected->virtual_time_us;
    if (disconnected->reason == BleSimDisconnectReason::kNotAdvertising) {
      return ConnectFailure{ExitCode::kTransport,
                            "the simulated device at " + path +
                                " is not advertising (it is off or halted, or its application "
                                "stopped advertising)",
                            true};
    }
    return ConnectFailure{ExitCode::kTransport,
                          "the simulated device at " + path + " ended the connection at once (" +
                              BleSimDisconnectReasonName(disconnected->reason) + ")",
                          true};
  }
  if (const auto* error = std::get_if<BleSimError>(&*reply)) {
    const std::string message =
        "the simulated device at " + path + " refused the connection: " + error->text;
    switch (error->kind) {
      case BleSimErrorKind::kRefused:
        return ConnectFailure{ExitCode::kUsage, message, false};
      case BleSimErrorKind::kBusy:
        return ConnectFailure{ExitCode::kTransport, message, true};
      default:
        return ConnectFailure{ExitCode::kTransport, message, false};
    }
  }
  return ConnectFailure{ExitCode::kTransport,
                        std::string("the simulated device answered CONNECT with ") +
                            BleSimTypeName(BleSimTypeOf(*reply)),
                        false};
}

void SmpBleSimTransport::SendMessage(const BleSimMessage& message) {
  const std::vector<uint8_t> record = EncodeBleSimMessage(message);
  for (;;) {
    const ssize_t n = send(fd_, record.data(), record.size(), MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(record.size())) return;
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EPIPE || errno == ECONNRESET)) {
      // The device process went away (killed: a power cut); Resync connects again.
      Close();
      diagnosis_ = "the simulated device closed the connection (its process ended?)";
      return;
    }
    ThrowTransport(std::string("sending a ") + BleSimTypeName(BleSimTypeOf(message)) +
                   " message to " + options_.socket_path +
                   " failed: " + (n < 0 ? std::strerror(errno) : "short send"));
  }
}

std::optional<BleSimMessage> SmpBleSimTransport::ReadMessage(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  std::vector<uint8_t> record(kBleSimMaxMessageSize + 1);
  bool reset_seen = false;
  for (;;) {
    pollfd p{fd_, POLLIN, 0};
    const int ready = poll(&p, 1, static_cast<int>(Left(deadline).count()));
    if (ready < 0) {
      if (errno == EINTR) continue;
      ThrowTransport("waiting for " + options_.socket_path + " failed: " + std::strerror(errno));
    }
    if (ready == 0) return std::nullopt;
    const ssize_t n = recv(fd_, record.data(), record.size(), 0);
    if (n < 0) {
      if (errno == EINTR || errno == EAGAIN) continue;
      // The device closed with our message unread: that is reported once, before what it
      // sent (an ERROR) can be read.
      if (errno == ECONNRESET && !reset_seen) {
        reset_seen = true;
        continue;
      }
      if (errno != ECONNRESET) {
        ThrowTransport("receiving from " + options_.socket_path +
                       " failed: " + std::strerror(errno));
      }
    }
    if (n <= 0) {
      Close();
      diagnosis_ =
          "the simulated device closed the connection without a DISCONNECTED message "
          "(its process ended?)";
      return std::nullopt;
    }
    record.resize(static_cast<size_t>(n));
    BleSimDecodeResult decoded = DecodeBleSimMessage(record);
    if (!decoded.message || IsCentralMessage(BleSimTypeOf(*decoded.message))) {
      Close();
      ThrowTransport(
          "the simulated device at " + options_.socket_path + " sent a malformed message: " +
          (decoded.message
               ? std::string("a central's ") + BleSimTypeName(BleSimTypeOf(*decoded.message))
               : decoded.error));
    }
    return std::move(decoded.message);
  }
}

void SmpBleSimTransport::Send(std::span<const uint8_t> packet) {
  if (packet.size() > kBleSimMaxSmpPacket) {
    ThrowUsage("an SMP packet of " + std::to_string(packet.size()) + " bytes exceeds the " +
               std::to_string(kBleSimMaxSmpPacket) + "-byte limit of ble-sim");
  }
  if (fd_ < 0) return;  // the link is down: lost, as on air; a timeout and Resync follow
  const size_t piece = link_piece_size();
  BleSimWrite write;
  for (size_t at = 0; at < packet.size(); at += piece) {
    const size_t n = std::min(piece, packet.size() - at);
    write.values.emplace_back(packet.begin() + at, packet.begin() + at + n);
  }
  if (write.values.empty()) return;
  stats_.writes += write.values.size();
  stats_.write_bytes += packet.size();
  SendMessage(write);
}

std::optional<std::vector<uint8_t>> SmpBleSimTransport::Receive(milliseconds timeout) {
  const Clock::time_point deadline = Clock::now() + timeout;
  for (;;) {
    if (!received_.empty()) {
      std::vector<uint8_t> packet = std::move(received_.front());
      received_.pop_front();
      return packet;
    }
    if (fd_ < 0) return std::nullopt;  // disconnected: nothing can come until Resync
    if (!run_pending_) {
      SendMessage(BleSimRun{});
      if (fd_ < 0) return std::nullopt;
      run_pending_ = true;
    }
    const std::optional<BleSimMessage> message = ReadMessage(Left(deadline));
    if (!message) return std::nullopt;
    if (const auto* notify = std::get_if<BleSimNotify>(&*message)) {
      run_pending_ = false;
      virtual_now_us_ = notify->virtual_time_us;
      ++stats_.notifications;
      Reassemble(notify->value);
    } else if (const auto* idle = std::get_if<BleSimIdle>(&*message)) {
      run_pending_ = false;
      virtual_now_us_ = idle->virtual_time_us;
      if (received_.empty()) {
        // Nothing is queued or in progress on the device: no reply can come.
        diagnosis_ = "the link went idle at virtual time " + VirtualSeconds(virtual_now_us_) +
                     " without a reply (the device dropped the request?)";
        return std::nullopt;
      }
    } else if (const auto* disconnected = std::get_if<BleSimDisconnected>(&*message)) {
      OnDisconnected(*disconnected);
    } else if (const auto* error = std::get_if<BleSimError>(&*message)) {
      Close();
      ThrowTransport("the simulated device at " + options_.socket_path + " reported a " +
                     BleSimErrorKindName(error->kind) + " error: " + error->text);
    } else {
      Close();
      ThrowTransport(std::string("the simulated device sent an unexpected ") +
                     BleSimTypeName(BleSimTypeOf(*message)) + " message");
    }
  }
}

void SmpBleSimTransport::OnDisconnected(const BleSimDisconnected& message) {
  ++stats_.disconnects;
  virtual_now_us_ = message.virtual_time_us;
  diagnosis_ = std::string("the device ended the BLE connection (") +
               BleSimDisconnectReasonName(message.reason) + ") at virtual time " +
               VirtualSeconds(message.virtual_time_us);
  Close();
}

void SmpBleSimTransport::Reassemble(std::span<const uint8_t> value) {
  ConstByteSpan rest(value.data(), value.size());
  while (!rest.empty()) {
    const smp::BleReassemblyStep step = reassembler_.Feed(rest);
    if (step.event == smp::BleEvent::kPacket) {
      const ConstByteSpan packet = reassembler_.packet();
      received_.emplace_back(packet.begin(), packet.end());
    } else if (step.event == smp::BleEvent::kError) {
      ++dropped_;
    }
    if (step.consumed == 0) break;
    rest = rest.subspan(step.consumed);
  }
}

void SmpBleSimTransport::Resync() {
  if (fd_ >= 0) return;  // the link is up: nothing was lost on it
  reassembler_.Reset();
  const Clock::time_point deadline = Clock::now() + options_.connect_timeout;
  for (;;) {
    std::optional<ConnectFailure> failure = TryConnect();
    if (!failure) return;
    diagnosis_ = "reconnecting failed: " + failure->message;
    if (!failure->retry || Clock::now() >= deadline) return;
    std::this_thread::sleep_for(milliseconds(20));
  }
}

}  // namespace bleota::host
