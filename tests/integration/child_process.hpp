// Running the built executables from the integration tests: a command run to its end with its
// output captured, and a background process (the simulated device, a client to interrupt) that
// can be killed at any moment. Output goes to files, so nothing blocks on a full pipe.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace bleota::integration {

struct CommandResult {
  int exit_code = -1;  // -1: killed by a signal or timed out
  std::string out;
  std::string err;
};

std::string ReadText(const std::filesystem::path& path);

class ChildProcess {
 public:
  // Starts args[0] with stdout and stderr redirected to the given files. Aborts the test binary
  // if the process cannot be spawned.
  ChildProcess(const std::vector<std::string>& args, const std::filesystem::path& out,
               const std::filesystem::path& err);
  ~ChildProcess();  // kills (SIGKILL) a process still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }
  bool running();
  void Signal(int signal_number);
  // Waits for the exit; the exit code, or -1 when killed by a signal or when `timeout` passed
  // (the process is then killed).
  int Wait(std::chrono::milliseconds timeout);

 private:
  pid_t pid_ = -1;
  bool reaped_ = false;
  int exit_code_ = -1;
};

// Runs a command to its end (killed after `timeout`) in `dir`, which receives its output files
// (<name>.out, <name>.err).
CommandResult RunCommand(const std::vector<std::string>& args, const std::filesystem::path& dir,
                         const std::string& name,
                         std::chrono::milliseconds timeout = std::chrono::seconds(30));

// Polls `condition` every few milliseconds until it holds or `timeout` passes.
template <typename Condition>
bool WaitUntil(Condition condition, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!condition()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    struct timespec pause = {0, 2'000'000};
    nanosleep(&pause, nullptr);
  }
  return true;
}

}  // namespace bleota::integration
