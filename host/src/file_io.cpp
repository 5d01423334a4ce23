#include "bleota/host/file_io.hpp"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include "bleota/host/error.hpp"

namespace bleota::host {
namespace {

std::string Describe(std::string_view what, const std::filesystem::path& path) {
  return std::string(what) + " '" + path.string() + "'";
}

}  // namespace

std::vector<uint8_t> ReadFileBounded(const std::filesystem::path& path, size_t max_bytes,
                                     std::string_view what) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (ec || !std::filesystem::exists(status)) {
    ThrowIo("cannot open " + Describe(what, path) + ": no such file");
  }
  if (!std::filesystem::is_regular_file(status)) {
    ThrowIo("cannot read " + Describe(what, path) + ": not a regular file");
  }
  const uintmax_t size = std::filesystem::file_size(path, ec);
  if (ec) ThrowIo("cannot read " + Describe(what, path) + ": " + ec.message());
  if (size > max_bytes) {
    ThrowIo(Describe(what, path) + " is " + std::to_string(size) + " bytes, more than the " +
            std::to_string(max_bytes) + " allowed");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) ThrowIo("cannot open " + Describe(what, path) + ": " + std::strerror(errno));
  std::vector<uint8_t> data(static_cast<size_t>(size));
  in.read(reinterpret_cast<char*>(data.data()), static_cast<std::streamsize>(data.size()));
  if (static_cast<size_t>(in.gcount()) != data.size()) {
    ThrowIo("cannot read " + Describe(what, path) + ": short read");
  }
  // The file grew between stat and read: refuse rather than silently truncate.
  if (in.peek() != std::ifstream::traits_type::eof()) {
    ThrowIo(Describe(what, path) + " changed size while being read");
  }
  return data;
}

void WriteFileBytes(const std::filesystem::path& path, std::span<const uint8_t> data,
                    std::string_view what) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) ThrowIo("cannot create " + Describe(what, path) + ": " + std::strerror(errno));
  out.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
  out.close();
  if (!out) ThrowIo("cannot write " + Describe(what, path));
}

void WriteFileText(const std::filesystem::path& path, std::string_view text,
                   std::string_view what) {
  WriteFileBytes(path, std::span(reinterpret_cast<const uint8_t*>(text.data()), text.size()), what);
}

}  // namespace bleota::host
