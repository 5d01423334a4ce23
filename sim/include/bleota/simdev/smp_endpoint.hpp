// A host-side SMP endpoint of the simulated device (a UDP socket, a serial pty): the link the
// device's SMP transports talk through. The simulator's poll loop waits on fd() and calls
// Service() when it is readable.
#pragma once

#include <string>

#include "bleota/simdev/sim_device.hpp"

namespace bleota::sim {

class SmpEndpoint {
 public:
  virtual ~SmpEndpoint() = default;
  virtual int fd() const = 0;
  // "udp 127.0.0.1:40123", "serial /dev/pts/5": for log lines.
  virtual std::string description() const = 0;
  // Reads what is available and gives it to the device; when a reply leaves a reset pending,
  // resets the device before feeding it more. Never throws for client input; throws
  // host::HostError for a broken endpoint.
  virtual void Service(SimDevice& device) = 0;
};

}  // namespace bleota::sim
