#include "host_test_support.hpp"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <random>
#include <sstream>

#include "bleota/host/cli.hpp"

namespace bleota::host::test {

std::filesystem::path VectorDir() { return BLEOTA_VECTOR_DIR; }

const nlohmann::json& Manifest() {
  static const nlohmann::json manifest = [] {
    std::ifstream in(VectorDir() / "manifest.json");
    return nlohmann::json::parse(in);
  }();
  return manifest;
}

const nlohmann::json& ManifestImage(const std::string& name) {
  for (const auto& image : Manifest()["images"]) {
    if (image["name"] == name) return image;
  }
  ADD_FAILURE() << "no manifest image " << name;
  static const nlohmann::json empty;
  return empty;
}

const nlohmann::json& ManifestKey(const std::string& name) {
  for (const auto& key : Manifest()["keys"]) {
    if (key["name"] == name) return key;
  }
  ADD_FAILURE() << "no manifest key " << name;
  static const nlohmann::json empty;
  return empty;
}

std::vector<uint8_t> ReadBytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  EXPECT_TRUE(in.good()) << path;
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

std::vector<uint8_t> VectorBytes(const std::string& relative) {
  return ReadBytes(VectorDir() / relative);
}

std::vector<uint8_t> FromHex(const std::string& hex) {
  std::vector<uint8_t> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string ToHex(const std::vector<uint8_t>& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 0xf];
  }
  return out;
}

TempDir::TempDir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() /
          ("bleota_host_test_" + std::to_string(::getpid()) + "_" + std::to_string(rd()));
  std::filesystem::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

CliRun RunBleota(const std::vector<std::string>& args) {
  std::vector<std::string> full = {"bleota"};
  full.insert(full.end(), args.begin(), args.end());
  std::ostringstream out;
  std::ostringstream err;
  CliRun run;
  run.code = RunCli(full, out, err);
  run.out = out.str();
  run.err = err.str();
  return run;
}

namespace {

std::string ShellQuote(const std::string& arg) {
  std::string quoted = "'";
  for (char c : arg) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

CliRun RunBleotaProcess(const std::vector<std::string>& args) {
  TempDir dir;
  std::string command = ShellQuote(BLEOTA_CLI_PATH);
  // Appended piecewise: GCC 12 warns falsely (-Wrestrict) on " " + std::string at -O2.
  for (const std::string& arg : args) {
    command += ' ';
    command += ShellQuote(arg);
  }
  command += " >";
  command += ShellQuote(dir.file("out"));
  command += " 2>";
  command += ShellQuote(dir.file("err"));
  const int status = std::system(command.c_str());
  CliRun run;
  run.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  run.out = ReadText(dir.file("out"));
  run.err = ReadText(dir.file("err"));
  return run;
}

std::vector<std::string> BleotaSignArgs(const nlohmann::json& image, const std::string& output) {
  std::vector<std::string> args = {"image"};  // then "sign" and imgtool's options
  const auto& sign_args = image["imgtool_sign_args"];
  for (size_t i = 0; i + 1 < sign_args.size(); ++i) {  // the last one is the output
    std::string arg = sign_args[i];
    if (arg.rfind("keys/", 0) == 0 || arg.rfind("payloads/", 0) == 0) {
      arg = (VectorDir() / arg).string();
    }
    args.push_back(arg);
  }
  args.push_back(output);
  return args;
}

}  // namespace bleota::host::test
