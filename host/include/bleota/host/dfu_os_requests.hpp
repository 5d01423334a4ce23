// The OS management group (0) requests the DFU client uses: echo, reset, mcumgr params, info.
// Each sends one request through SmpClient and checks the reply's fields.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "bleota/host/smp_client.hpp"

namespace bleota::host {

inline constexpr uint8_t kOsCommandEcho = 0;
inline constexpr uint8_t kOsCommandReset = 5;
inline constexpr uint8_t kOsCommandParams = 6;
inline constexpr uint8_t kOsCommandInfo = 7;

// The device's SMP buffers: a request packet (header + CBOR) must fit buf_size; buf_count
// requests may be in flight.
struct DeviceParams {
  uint32_t buf_size = 0;
  uint32_t buf_count = 0;

  friend bool operator==(const DeviceParams&, const DeviceParams&) = default;
};

// {"d": text} -> {"r": text}; returns "r".
std::string OsEcho(SmpClient& client, const std::string& text);

// {"force": true} only when `force`; the reply is {} (the device resets after answering).
void OsReset(SmpClient& client, bool force);

// std::nullopt when the device answers not_supported (older mcumgr servers); other errors throw.
// HostError(kDevice) when buf_size is below 32 bytes or buf_count is 0 (nothing fits).
std::optional<DeviceParams> OsParams(SmpClient& client);

// {"format": format} (omitted when empty) -> "output".
std::string OsInfo(SmpClient& client, const std::string& format);

}  // namespace bleota::host
