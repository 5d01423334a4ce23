// Names, meanings and advice for the result codes an SMP server returns: the generic codes
// ("rc" in v1 and v2 replies, mcumgr MGMT_ERR values) and the group codes of v2 {"err": {"group",
// "rc"}} replies for the OS (0) and image (1) groups (Zephyr's os_mgmt / img_mgmt numbering).
#pragma once

#include <cstdint>
#include <string>

namespace bleota::host {

inline constexpr uint16_t kSmpGroupOs = 0;
inline constexpr uint16_t kSmpGroupImage = 1;

struct SmpRcDescription {
  std::string name;     // stable snake_case name, "rc_42" for a code the table does not know
  std::string meaning;  // one sentence
  std::string advice;   // what the user can do; may be empty
};

SmpRcDescription DescribeGenericRc(uint16_t rc);
// A group's own code. Groups other than OS and image get a generic "group G error rc N".
SmpRcDescription DescribeGroupRc(uint16_t group, uint16_t rc);

// "os", "image", or "group 9".
std::string SmpGroupName(uint16_t group);

}  // namespace bleota::host
