#include "bleota/host/c_array.hpp"

#include "bleota/host/error.hpp"
#include "bleota/host/image_names.hpp"

namespace bleota::host {

std::string FormatCArray(std::string_view name, std::span<const uint8_t> bytes,
                         std::string_view comment) {
  const bool identifier =
      !name.empty() && !(name[0] >= '0' && name[0] <= '9') &&
      name.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_") ==
          std::string_view::npos;
  if (!identifier) ThrowUsage("'" + std::string(name) + "' is not a C identifier");
  if (comment.find("*/") != std::string_view::npos) ThrowUsage("comment must not contain */");
  std::string out = "/* " + std::string(comment) + " */\n";
  out += "const unsigned char " + std::string(name) + "[] = {";
  for (size_t i = 0; i < bytes.size(); ++i) {
    out += i % 8 == 0 ? "\n    " : " ";
    out += "0x" + HexBytes(&bytes[i], 1) + ",";
  }
  out += "\n};\n";
  out +=
      "const unsigned int " + std::string(name) + "_len = " + std::to_string(bytes.size()) + ";\n";
  return out;
}

}  // namespace bleota::host
