// An error code in an SMP reply and the exception that carries it to the CLI (exit code 7,
// kDevice): v1 and generic v2 errors are {"rc": N[, "rsn": text]}, v2 group errors are
// {"err": {"group": G, "rc": N}}. Messages name the code, its meaning and what to do.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "bleota/host/error.hpp"

namespace bleota::host {

struct SmpErrorCode {
  bool group_error = false;  // v2 "err": rc is the group's own code
  uint16_t group = 0;
  uint16_t rc = 0;
  std::string reason;  // "rsn", when the device sent one

  friend bool operator==(const SmpErrorCode&, const SmpErrorCode&) = default;
};

// The error a reply payload carries, or std::nullopt for success (rc 0 or absent). Throws
// HostError(kDevice) when "rc"/"err" are present but malformed; `what` names the request.
std::optional<SmpErrorCode> ReplyErrorCode(const nlohmann::json& payload, std::string_view what);

// "image group rc 8 (hash_not_found): no image on the device has this hash; take the hash from
// `bleota dfu image list`".
std::string DescribeSmpError(const SmpErrorCode& code);

// {"group", "rc", "group_error", "name", "meaning"[, "reason"]} for --json error documents.
nlohmann::json SmpErrorJson(const SmpErrorCode& code);

class SmpDeviceError : public HostError {
 public:
  // `what_failed` says which request it was: "upload at offset 4096".
  SmpDeviceError(const std::string& what_failed, SmpErrorCode error);
  const SmpErrorCode& error() const { return error_; }

 private:
  SmpErrorCode error_;
};

}  // namespace bleota::host
