// The SMP OS management group (group 0): echo, reset, mcumgr parameters, OS/application info
// and bootloader info, with the requests, replies and codes of Zephyr's os_mgmt
// (docs/spec/smp.md, "OS group").
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "bleota/result.hpp"
#include "bleota/smp/reset_request.hpp"
#include "bleota/smp/smp_group.hpp"

namespace bleota::smp {

inline constexpr uint16_t kOsGroupId = 0;

enum class OsCommand : uint8_t {
  kEcho = 0,
  kReset = 5,
  kMcumgrParams = 6,
  kInfo = 7,
  kBootloaderInfo = 8,
};

// Zephyr's enum os_mgmt_err_code_t.
enum class OsGroupRc : uint16_t {
  kOk = 0,
  kUnknown = 1,
  kInvalidFormat = 2,
  kQueryYieldsNoAnswer = 3,
  kRtcNotSet = 4,
  kRtcCommandFailed = 5,
  kQueryResponseValueNotValid = 6,
};

// What the info command (7) reports, one string per format letter (empty: "unknown").
struct OsInfoStrings {
  std::string_view kernel_name;        // s
  std::string_view node_name;          // n
  std::string_view kernel_release;     // r
  std::string_view kernel_version;     // v
  std::string_view build_date_time;    // b
  std::string_view machine;            // m
  std::string_view processor;          // p
  std::string_view hardware_platform;  // i
  std::string_view operating_system;   // o
};

struct OsGroupConfig {
  // mcumgr parameters (6): the largest SMP packet the device takes (header included) and how
  // many requests a client may keep in flight.
  uint32_t buf_size = 0;
  uint32_t buf_count = 0;
  OsInfoStrings info;
};

// The longest info output: all nine strings and the spaces between them.
inline constexpr size_t kOsInfoMaxOutput = 256;
// What bootloader info reports: bleota's bootloader is not MCUboot (docs/spec/smp.md).
inline constexpr std::string_view kBootloaderName = "bleota";

class OsGroup final : public SmpGroup {
 public:
  // kInvalidArgument when buf_size is outside [kSmpMinResponseSize, kSmpMaxPacketSize],
  // buf_count is 0, or the info strings joined by spaces exceed kOsInfoMaxOutput. The strings
  // and `reset` must outlive the group.
  static Result<OsGroup> Create(const OsGroupConfig& config, ResetRequest& reset);

  uint16_t group_id() const override { return kOsGroupId; }
  SmpOutcome Handle(const SmpRequest& request, CborWriter& response) override;
  SmpRc V1Rc(uint16_t group_rc) const override;

 private:
  OsGroup(const OsGroupConfig& config, ResetRequest& reset) : config_(config), reset_(&reset) {}

  SmpOutcome Echo(const SmpRequest& request, CborWriter& response);
  SmpOutcome Reset(const SmpRequest& request, CborWriter& response);
  SmpOutcome McumgrParams(CborWriter& response);
  SmpOutcome Info(const SmpRequest& request, CborWriter& response);
  SmpOutcome BootloaderInfo(const SmpRequest& request, CborWriter& response);

  OsGroupConfig config_;
  ResetRequest* reset_;
};

}  // namespace bleota::smp
