// SMP over a serial console for the simulated device: a pseudo-terminal in raw mode (in a cooked
// tty 0x04, the continuation mark, would be end-of-file) whose slave path a client opens like a
// USB serial port. Frames are the SMP console framing (docs/spec/smp.md, "Serial").
#pragma once

#include <cstdint>
#include <string>

#include "bleota/simdev/smp_endpoint.hpp"
#include "bleota/smp/smp_link.hpp"

namespace bleota::sim {

class PtyEndpoint final : public SmpEndpoint, public smp::SmpLinkSink {
 public:
  // Creates the pty. Throws host::HostError(kIo).
  PtyEndpoint();
  ~PtyEndpoint() override;
  PtyEndpoint(const PtyEndpoint&) = delete;
  PtyEndpoint& operator=(const PtyEndpoint&) = delete;

  int fd() const override { return master_; }
  std::string description() const override { return "serial " + slave_path_; }
  void Service(SimDevice& device) override;
  // The device's serial output (one line per call).
  Status Send(ConstByteSpan bytes) override;

  const std::string& slave_path() const { return slave_path_; }

 private:
  int master_ = -1;
  int slave_ = -1;  // kept open so the master never sees a hang-up between clients
  std::string slave_path_;
};

}  // namespace bleota::sim
