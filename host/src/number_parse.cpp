#include "bleota/host/number_parse.hpp"

#include <string>

#include "bleota/host/error.hpp"

namespace bleota::host {

uint64_t ParseUnsigned(std::string_view text, std::string_view field, uint64_t max) {
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on "'" + std::string at -O2.
  std::string quoted(1, '\'');
  quoted.append(text);
  quoted += '\'';
  std::string_view digits = text;
  unsigned base = 10;
  if (digits.size() > 2 && digits[0] == '0' && (digits[1] == 'x' || digits[1] == 'X')) {
    base = 16;
    digits.remove_prefix(2);
  }
  if (digits.empty()) ThrowUsage(std::string(field) + ": " + quoted + " is not a number");
  uint64_t value = 0;
  for (char c : digits) {
    unsigned digit;
    if (c >= '0' && c <= '9') {
      digit = static_cast<unsigned>(c - '0');
    } else if (base == 16 && c >= 'a' && c <= 'f') {
      digit = static_cast<unsigned>(c - 'a' + 10);
    } else if (base == 16 && c >= 'A' && c <= 'F') {
      digit = static_cast<unsigned>(c - 'A' + 10);
    } else {
      ThrowUsage(std::string(field) + ": " + quoted + " is not a number");
    }
    if (value > (max - digit) / base) {
      ThrowUsage(std::string(field) + ": " + quoted + " is out of range (max " +
                 std::to_string(max) + ")");
    }
    value = value * base + digit;
  }
  return value;
}

}  // namespace bleota::host
