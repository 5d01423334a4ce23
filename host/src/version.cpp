#include "bleota/host/version.hpp"

#include <array>

#include "bleota/host/error.hpp"

namespace bleota::host {
namespace {

// One decimal field: "0" or a number without leading zeros, at most `max`.
uint32_t ParseField(std::string_view digits, const char* name, uint32_t max,
                    std::string_view text) {
  const std::string where = " in version '" + std::string(text) + "'";
  if (digits.empty()) ThrowUsage(std::string("version ") + name + " is empty" + where);
  for (char c : digits) {
    if (c < '0' || c > '9') {
      ThrowUsage(std::string("version ") + name + " '" + std::string(digits) +
                 "' is not a decimal number" + where +
                 " (expected major[.minor[.revision[+build]]])");
    }
  }
  if (digits.size() > 1 && digits[0] == '0') {
    ThrowUsage(std::string("version ") + name + " '" + std::string(digits) +
               "' has a leading zero" + where);
  }
  uint64_t value = 0;
  for (char c : digits) {
    value = value * 10 + static_cast<uint64_t>(c - '0');
    if (value > max) {
      ThrowUsage(std::string("version ") + name + " " + std::string(digits) +
                 " is out of range (0.." + std::to_string(max) + ")" + where);
    }
  }
  return static_cast<uint32_t>(value);
}

}  // namespace

ImageVersion ParseVersion(std::string_view text) {
  // Split into at most major . minor . revision + build; '+' is only allowed after revision.
  std::array<std::string_view, 4> parts{};
  size_t count = 0;
  std::string_view rest = text;
  const size_t plus = rest.find('+');
  std::string_view build;
  bool has_build = false;
  if (plus != std::string_view::npos) {
    build = rest.substr(plus + 1);
    rest = rest.substr(0, plus);
    has_build = true;
  }
  while (true) {
    const size_t dot = rest.find('.');
    if (count == 3) {
      ThrowUsage("version '" + std::string(text) +
                 "' has too many parts (expected major[.minor[.revision[+build]]])");
    }
    parts[count++] = rest.substr(0, dot);
    if (dot == std::string_view::npos) break;
    rest = rest.substr(dot + 1);
  }
  if (has_build && count != 3) {
    ThrowUsage("version '" + std::string(text) + "': a +build number needs major.minor.revision");
  }
  ImageVersion v;
  v.major = static_cast<uint8_t>(ParseField(parts[0], "major", 0xff, text));
  if (count > 1) v.minor = static_cast<uint8_t>(ParseField(parts[1], "minor", 0xff, text));
  if (count > 2) v.revision = static_cast<uint16_t>(ParseField(parts[2], "revision", 0xffff, text));
  if (has_build) v.build = ParseField(build, "build", 0xffffffffu, text);
  return v;
}

std::string FormatVersion(const ImageVersion& v) {
  return std::to_string(v.major) + "." + std::to_string(v.minor) + "." +
         std::to_string(v.revision) + "+" + std::to_string(v.build);
}

uint32_t AutoSecurityCounter(const ImageVersion& v) {
  return (static_cast<uint32_t>(v.major) << 24) | (static_cast<uint32_t>(v.minor) << 16) |
         v.revision;
}

}  // namespace bleota::host
