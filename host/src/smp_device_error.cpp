#include "bleota/host/smp_device_error.hpp"

#include "bleota/host/smp_message.hpp"
#include "bleota/host/smp_rc_names.hpp"

namespace bleota::host {

using nlohmann::json;

std::optional<SmpErrorCode> ReplyErrorCode(const json& payload, std::string_view what) {
  const auto err = payload.find("err");
  if (err != payload.end()) {
    if (!err->is_object()) {
      ThrowDevice("malformed reply to " + std::string(what) + ": field 'err' is a " +
                  err->type_name() + ", expected a map {group, rc}");
    }
    const std::string err_what = std::string(what) + " (err)";
    const auto group = ReplyUint(*err, "group", 0xFFFF, err_what);
    const auto rc = ReplyUint(*err, "rc", 0xFFFF, err_what);
    if (!group || !rc) {
      ThrowDevice("malformed reply to " + std::string(what) +
                  ": field 'err' needs both 'group' and 'rc'");
    }
    if (*rc != 0) {
      SmpErrorCode code{true, static_cast<uint16_t>(*group), static_cast<uint16_t>(*rc), {}};
      if (auto reason = ReplyText(payload, "rsn", what)) code.reason = *reason;
      return code;
    }
  }
  const auto rc = ReplyUint(payload, "rc", 0xFFFF, what);
  if (rc && *rc != 0) {
    SmpErrorCode code{false, 0, static_cast<uint16_t>(*rc), {}};
    if (auto reason = ReplyText(payload, "rsn", what)) code.reason = *reason;
    return code;
  }
  return std::nullopt;
}

namespace {

SmpRcDescription Describe(const SmpErrorCode& code) {
  return code.group_error ? DescribeGroupRc(code.group, code.rc) : DescribeGenericRc(code.rc);
}

}  // namespace

std::string DescribeSmpError(const SmpErrorCode& code) {
  const SmpRcDescription d = Describe(code);
  std::string text = code.group_error ? SmpGroupName(code.group) + " group rc " : "rc ";
  text += std::to_string(code.rc) + " (" + d.name + "): " + d.meaning;
  if (!code.reason.empty()) text += " (device says: " + code.reason + ")";
  if (!d.advice.empty()) text += "; " + d.advice;
  return text;
}

json SmpErrorJson(const SmpErrorCode& code) {
  const SmpRcDescription d = Describe(code);
  json j = {{"group_error", code.group_error},
            {"rc", code.rc},
            {"name", d.name},
            {"meaning", d.meaning},
            {"advice", d.advice}};
  j["group"] = code.group_error ? json(code.group) : json(nullptr);
  if (!code.reason.empty()) j["reason"] = code.reason;
  return j;
}

SmpDeviceError::SmpDeviceError(const std::string& what_failed, SmpErrorCode error)
    : HostError(ExitCode::kDevice,
                what_failed + " failed: the device answered " + DescribeSmpError(error)),
      error_(std::move(error)) {}

}  // namespace bleota::host
