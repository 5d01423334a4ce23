// Shared helpers of the host tool tests: the imgtool vector manifest, files, temporary
// directories and running the CLI in-process or as a subprocess.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace bleota::host::test {

std::filesystem::path VectorDir();
const nlohmann::json& Manifest();
// The manifest entry of an image by name (fails the test if missing).
const nlohmann::json& ManifestImage(const std::string& name);
const nlohmann::json& ManifestKey(const std::string& name);

std::vector<uint8_t> ReadBytes(const std::filesystem::path& path);
std::vector<uint8_t> VectorBytes(const std::string& relative);
std::vector<uint8_t> FromHex(const std::string& hex);
std::string ToHex(const std::vector<uint8_t>& bytes);

// A fresh directory removed at the end of the test.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  std::filesystem::path path() const { return path_; }
  std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  std::filesystem::path path_;
};

struct CliRun {
  int code = -1;
  std::string out;
  std::string err;
};

// RunCli in-process; args exclude the program name.
CliRun RunBleota(const std::vector<std::string>& args);
// The built `bleota` executable as a subprocess; returns its exit code (stdout/stderr to files).
CliRun RunBleotaProcess(const std::vector<std::string>& args);

// "image" + imgtool_sign_args of a manifest entry: vector-relative paths made absolute, the
// output replaced by `output`.
std::vector<std::string> BleotaSignArgs(const nlohmann::json& image, const std::string& output);

}  // namespace bleota::host::test
