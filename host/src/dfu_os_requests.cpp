#include "bleota/host/dfu_os_requests.hpp"

#include "bleota/host/error.hpp"
#include "bleota/host/smp_device_error.hpp"
#include "bleota/host/smp_rc_names.hpp"
#include "bleota/smp/smp_rc.hpp"

namespace bleota::host {

using nlohmann::json;

namespace {

SmpCommand OsCommand(smp::SmpOp op, uint8_t id, json payload) {
  return SmpCommand{op, kSmpGroupOs, id, std::move(payload)};
}

// The smallest request packet that can carry upload data: header + a map with a few fields.
constexpr uint32_t kMinUsefulBufSize = 32;

}  // namespace

std::string OsEcho(SmpClient& client, const std::string& text) {
  const json reply =
      client.Call(OsCommand(smp::SmpOp::kWrite, kOsCommandEcho, {{"d", text}}), "echo");
  const std::optional<std::string> r = ReplyText(reply, "r", "echo");
  if (!r) ThrowDevice("malformed reply to echo: no field 'r'");
  return *r;
}

void OsReset(SmpClient& client, bool force) {
  json payload = json::object();
  if (force) payload["force"] = true;
  client.Call(OsCommand(smp::SmpOp::kWrite, kOsCommandReset, payload), "reset");
}

std::optional<DeviceParams> OsParams(SmpClient& client) {
  json reply;
  try {
    reply = client.Call(OsCommand(smp::SmpOp::kRead, kOsCommandParams, json::object()), "params");
  } catch (const SmpDeviceError& e) {
    if (!e.error().group_error &&
        e.error().rc == static_cast<uint16_t>(smp::SmpRc::kNotSupported)) {
      return std::nullopt;
    }
    throw;
  }
  const auto size = ReplyUint(reply, "buf_size", UINT32_MAX, "params");
  const auto count = ReplyUint(reply, "buf_count", UINT32_MAX, "params");
  if (!size || !count) ThrowDevice("malformed reply to params: needs 'buf_size' and 'buf_count'");
  if (*size < kMinUsefulBufSize || *count == 0) {
    ThrowDevice("unusable params from the device: buf_size " + std::to_string(*size) +
                " (at least " + std::to_string(kMinUsefulBufSize) + "), buf_count " +
                std::to_string(*count) + " (at least 1)");
  }
  return DeviceParams{static_cast<uint32_t>(*size), static_cast<uint32_t>(*count)};
}

std::string OsInfo(SmpClient& client, const std::string& format) {
  json payload = json::object();
  if (!format.empty()) payload["format"] = format;
  const json reply = client.Call(OsCommand(smp::SmpOp::kRead, kOsCommandInfo, payload), "info");
  const std::optional<std::string> output = ReplyText(reply, "output", "info");
  if (!output) ThrowDevice("malformed reply to info: no field 'output'");
  return *output;
}

}  // namespace bleota::host
