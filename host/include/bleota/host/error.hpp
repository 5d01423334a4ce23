// Errors of the host tools. Each error carries the process exit code the CLI returns for it, so a
// failure deep in a library function still ends with the documented code (docs/cli.md).
#pragma once

#include <stdexcept>
#include <string>

namespace bleota::host {

enum class ExitCode : int {
  kOk = 0,
  kVerifyFailed = 1,  // the image was checked and rejected (or could not be decrypted)
  kUsage = 2,         // bad or missing option, bad value (version string, number, choice)
  kIo = 3,            // a file is missing, unreadable, too large, or cannot be written
  kKey = 4,           // a key file cannot be parsed or has the wrong type for the operation
  kImage = 5,         // an input image/payload is malformed or does not fit (slot size, header)
  kInternal = 6,      // a crypto backend call failed unexpectedly
  kDevice = 7,        // dfu: the device answered with an error code (rc), or an unusable reply
  kTransport = 8,     // dfu: no reply in time, or the link (socket, serial port) failed
};

class HostError : public std::runtime_error {
 public:
  HostError(ExitCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  ExitCode code() const { return code_; }

 private:
  ExitCode code_;
};

[[noreturn]] inline void ThrowUsage(const std::string& m) { throw HostError(ExitCode::kUsage, m); }
[[noreturn]] inline void ThrowIo(const std::string& m) { throw HostError(ExitCode::kIo, m); }
[[noreturn]] inline void ThrowKey(const std::string& m) { throw HostError(ExitCode::kKey, m); }
[[noreturn]] inline void ThrowImage(const std::string& m) { throw HostError(ExitCode::kImage, m); }
[[noreturn]] inline void ThrowInternal(const std::string& m) {
  throw HostError(ExitCode::kInternal, m);
}
[[noreturn]] inline void ThrowDevice(const std::string& m) {
  throw HostError(ExitCode::kDevice, m);
}
[[noreturn]] inline void ThrowTransport(const std::string& m) {
  throw HostError(ExitCode::kTransport, m);
}

}  // namespace bleota::host
