#include "bleota/smp/os_group.hpp"

#include "bleota/smp/cbor_reader.hpp"
#include "bleota/smp/smp_server.hpp"

namespace bleota::smp {
namespace {

// Info format letters in output order (Zephyr's os_mgmt_info: uname's order, with the build date
// after the kernel version), and the matching string of OsInfoStrings.
constexpr char kInfoLetters[] = "snrvbmpio";
constexpr size_t kInfoFields = sizeof(kInfoLetters) - 1;
constexpr std::string_view kUnknownField = "unknown";

std::string_view InfoField(const OsInfoStrings& info, size_t index) {
  switch (index) {
    case 0:
      return info.kernel_name;
    case 1:
      return info.node_name;
    case 2:
      return info.kernel_release;
    case 3:
      return info.kernel_version;
    case 4:
      return info.build_date_time;
    case 5:
      return info.machine;
    case 6:
      return info.processor;
    case 7:
      return info.hardware_platform;
    default:
      return info.operating_system;
  }
}

std::string_view Shown(std::string_view field) { return field.empty() ? kUnknownField : field; }

SmpOutcome Invalid() { return SmpOutcome::Generic(SmpRc::kInvalid); }
SmpOutcome NotSupported() { return SmpOutcome::Generic(SmpRc::kNotSupported); }
SmpOutcome GroupError(OsGroupRc rc) {
  return SmpOutcome::Group(kOsGroupId, static_cast<uint16_t>(rc));
}

// An optional text field of the request map: `found` false when absent; kInvalid when present
// but not text (or the key occurs twice).
SmpOutcome OptionalText(ConstByteSpan payload, std::string_view key, bool& found,
                        std::string_view& text) {
  found = false;
  Result<CborReader> value = CborReader(payload).FindKey(key);
  if (!value.ok()) {
    return value.status().code() == StatusCode::kNotFound ? SmpOutcome::Ok() : Invalid();
  }
  Result<std::string_view> read = value->ReadText();
  if (!read.ok()) return Invalid();
  found = true;
  text = *read;
  return SmpOutcome::Ok();
}

}  // namespace

Result<OsGroup> OsGroup::Create(const OsGroupConfig& config, ResetRequest& reset) {
  if (config.buf_size < kSmpMinResponseSize || config.buf_size > kSmpMaxPacketSize ||
      config.buf_count == 0) {
    return StatusCode::kInvalidArgument;
  }
  size_t output = kInfoFields - 1;  // the spaces
  for (size_t i = 0; i < kInfoFields; ++i) output += Shown(InfoField(config.info, i)).size();
  if (output > kOsInfoMaxOutput) return StatusCode::kInvalidArgument;
  return OsGroup(config, reset);
}

SmpRc OsGroup::V1Rc(uint16_t group_rc) const {
  // Zephyr's os_mgmt_translate_error_code.
  switch (static_cast<OsGroupRc>(group_rc)) {
    case OsGroupRc::kInvalidFormat:
      return SmpRc::kInvalid;
    case OsGroupRc::kQueryYieldsNoAnswer:
    case OsGroupRc::kRtcNotSet:
      return SmpRc::kNoEntry;
    default:
      return SmpRc::kUnknown;
  }
}

SmpOutcome OsGroup::Handle(const SmpRequest& request, CborWriter& response) {
  const bool read = request.header.op == SmpOp::kRead;
  const bool write = request.header.op == SmpOp::kWrite;
  // Ops as Zephyr registers them: echo read and write, reset write, the rest read.
  switch (static_cast<OsCommand>(request.header.command)) {
    case OsCommand::kEcho:
      return Echo(request, response);
    case OsCommand::kReset:
      return write ? Reset(request, response) : NotSupported();
    case OsCommand::kMcumgrParams:
      return read ? McumgrParams(response) : NotSupported();
    case OsCommand::kInfo:
      return read ? Info(request, response) : NotSupported();
    case OsCommand::kBootloaderInfo:
      return read ? BootloaderInfo(request, response) : NotSupported();
  }
  return NotSupported();
}

SmpOutcome OsGroup::Echo(const SmpRequest& request, CborWriter& response) {
  bool found = false;
  std::string_view text;
  const SmpOutcome outcome = OptionalText(request.payload, "d", found, text);
  if (!outcome.ok()) return outcome;
  if (!found) return Invalid();
  response.BeginMap(1);
  response.WriteText("r");
  response.WriteText(text);
  return SmpOutcome::Ok();
}

SmpOutcome OsGroup::Reset(const SmpRequest& request, CborWriter& response) {
  bool force = false;
  Result<CborReader> value = CborReader(request.payload).FindKey("force");
  if (value.ok()) {
    Result<bool> flag = value->ReadBool();
    if (!flag.ok()) return Invalid();
    force = *flag;
  } else if (value.status().code() != StatusCode::kNotFound) {
    return Invalid();
  }
  reset_->Schedule(force);
  response.BeginMap(0);
  return SmpOutcome::Ok();
}

SmpOutcome OsGroup::McumgrParams(CborWriter& response) {
  response.BeginMap(2);
  response.WriteText("buf_size");
  response.WriteUint(config_.buf_size);
  response.WriteText("buf_count");
  response.WriteUint(config_.buf_count);
  return SmpOutcome::Ok();
}

SmpOutcome OsGroup::Info(const SmpRequest& request, CborWriter& response) {
  bool found = false;
  std::string_view format;
  const SmpOutcome outcome = OptionalText(request.payload, "format", found, format);
  if (!outcome.ok()) return outcome;

  uint32_t selected = 0;  // bit i: kInfoLetters[i]
  for (const char letter : format) {
    if (letter == 'a') {
      selected = (1u << kInfoFields) - 1;
      continue;
    }
    const std::string_view letters(kInfoLetters, kInfoFields);
    const size_t index = letters.find(letter);
    if (index == std::string_view::npos) return GroupError(OsGroupRc::kInvalidFormat);
    selected |= 1u << index;
  }
  if (selected == 0) selected = 1;  // no format (or an empty one): the kernel name

  char output[kOsInfoMaxOutput];
  size_t length = 0;
  for (size_t i = 0; i < kInfoFields; ++i) {
    if ((selected & (1u << i)) == 0) continue;
    const std::string_view field = Shown(InfoField(config_.info, i));
    if (length != 0) output[length++] = ' ';
    // Fits: Create checked that all fields and separators do.
    for (const char c : field) output[length++] = c;
  }
  response.BeginMap(1);
  response.WriteText("output");
  response.WriteText(std::string_view(output, length));
  return SmpOutcome::Ok();
}

SmpOutcome OsGroup::BootloaderInfo(const SmpRequest& request, CborWriter& response) {
  bool found = false;
  std::string_view query;
  const SmpOutcome outcome = OptionalText(request.payload, "query", found, query);
  if (!outcome.ok()) return outcome;
  if (found) {
    // Queries ("mode"...) are MCUboot's; bleota's bootloader has no answer to them.
    return GroupError(OsGroupRc::kQueryYieldsNoAnswer);
  }
  response.BeginMap(1);
  response.WriteText("bootloader");
  response.WriteText(kBootloaderName);
  return SmpOutcome::Ok();
}

}  // namespace bleota::smp
