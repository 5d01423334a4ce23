#include "bleota/host/sign_args.hpp"

#include <string>

#include "bleota/host/error.hpp"
#include "bleota/host/number_parse.hpp"

namespace bleota::host {
namespace {

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

int HexDigit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

uint32_t ParseSecurityCounter(std::string_view text, const ImageVersion& version) {
  if (text == "auto") return AutoSecurityCounter(version);
  return ParseU32(text, "--security-counter");
}

std::vector<Dependency> ParseDependencies(std::string_view text) {
  const std::string context = " in --dependencies '" + std::string(text) + "'";
  std::vector<Dependency> out;
  std::string_view rest = Trim(text);
  while (!rest.empty()) {
    if (rest.front() != '(') ThrowUsage("expected '(image_id,version)'" + context);
    const size_t close = rest.find(')');
    if (close == std::string_view::npos) ThrowUsage("missing ')'" + context);
    const std::string_view inner = rest.substr(1, close - 1);
    const size_t comma = inner.find(',');
    if (comma == std::string_view::npos) ThrowUsage("expected 'image_id,version'" + context);
    Dependency dependency;
    dependency.image_id = static_cast<uint8_t>(
        ParseUnsigned(Trim(inner.substr(0, comma)), "--dependencies image_id", 0xff));
    dependency.version = ParseVersion(Trim(inner.substr(comma + 1)));
    out.push_back(dependency);
    rest = Trim(rest.substr(close + 1));
    if (!rest.empty()) {
      if (rest.front() != ',') ThrowUsage("expected ',' between dependencies" + context);
      rest = Trim(rest.substr(1));
      if (rest.empty()) ThrowUsage("trailing ','" + context);
    }
  }
  if (out.empty()) ThrowUsage("no dependency" + context);
  return out;
}

CustomTlv ParseCustomTlv(std::string_view tag, std::string_view value) {
  CustomTlv tlv;
  tlv.type = static_cast<uint16_t>(ParseUnsigned(tag, "--custom-tlv tag", 0xffff));
  if (value.size() >= 2 && value[0] == '0' && (value[1] == 'x' || value[1] == 'X')) {
    const std::string_view hex = value.substr(2);
    if (hex.size() % 2 != 0) {
      ThrowUsage("--custom-tlv value '" + std::string(value) + "' has an odd number of digits");
    }
    for (size_t i = 0; i < hex.size(); i += 2) {
      const int hi = HexDigit(hex[i]);
      const int lo = HexDigit(hex[i + 1]);
      if (hi < 0 || lo < 0) {
        ThrowUsage("--custom-tlv value '" + std::string(value) + "' is not hex");
      }
      tlv.value.push_back(static_cast<uint8_t>(hi << 4 | lo));
    }
  } else {
    tlv.value.assign(value.begin(), value.end());
  }
  return tlv;
}

}  // namespace bleota::host
