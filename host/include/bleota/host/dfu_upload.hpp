// Pipelined image upload over an SmpClient (image group, command 1).
//
// Requests are sent with a window of up to min(buf_count, options.window) in flight. The device's
// reply to each names the offset it expects next: the expected one acknowledges the chunk; any
// other means "send from there" (a lost or reordered request, a resumed upload, a device that
// restarted), and the upload continues from that offset after dropping the requests in flight
// (their late replies are then ignored as stale). A timeout resends from the last acknowledged
// offset, up to the client's retries without progress. At the end the device's "match" (its
// SHA-256 of the upload against the first request's "sha") is checked when present.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>

#include <nlohmann/json.hpp>

#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/smp_client.hpp"

namespace bleota::host {

// Used when the device does not answer params (not_supported): a buffer every mcumgr server has.
inline constexpr DeviceParams kFallbackDeviceParams{512, 1};

struct UploadProgress {
  uint64_t acknowledged = 0;  // bytes the device confirmed
  uint64_t total = 0;
  double seconds = 0;  // since the upload started
};

struct UploadOptions {
  uint32_t image = 0;  // "image" of the first request
  size_t window = 4;   // upper bound of requests in flight (1..64); the device's buf_count too
  // Link piece size for packet sizing (BLE: ATT_MTU - 3); 0 takes the transport's.
  size_t piece_size = 0;
  // The device's buffers; std::nullopt: ask with params (kFallbackDeviceParams if unsupported).
  std::optional<DeviceParams> params;
  std::function<void(const UploadProgress&)> on_progress;
  // Called once, after params and before the first upload request (link timing: ble-sim).
  std::function<void()> on_start;
};

struct UploadResult {
  uint64_t size = 0;
  std::array<uint8_t, 32> sha256{};  // of the uploaded bytes, sent as "sha"
  DeviceParams params;
  bool params_from_device = false;
  size_t packet_limit = 0;  // largest request packet
  size_t max_chunk = 0;     // data bytes of a full request at offset 0 .. size
  size_t window = 0;
  size_t requests = 0;      // upload requests sent, resends included
  uint64_t bytes_sent = 0;  // data bytes sent, resends included
  size_t timeouts = 0;
  size_t resumes = 0;        // replies that asked for another offset
  size_t stale_replies = 0;  // replies to dropped or unknown requests
  std::optional<bool> match;
  double seconds = 0;

  nlohmann::json ToJson() const;
};

// Uploads `data` (the whole image file). Throws SmpDeviceError for a device error code,
// HostError(kTransport) when retries run out, HostError(kDevice) for malformed replies or a
// device that asks for an impossible offset or makes no progress, HostError(kVerifyFailed) when
// the device reports match=false, HostError(kUsage) for empty data or unusable limits.
UploadResult UploadImage(SmpClient& client, std::span<const uint8_t> data,
                         const UploadOptions& options);

}  // namespace bleota::host
