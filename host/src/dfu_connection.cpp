#include "bleota/host/dfu_connection.hpp"

#include "bleota/host/error.hpp"

namespace bleota::host {

std::unique_ptr<SmpTransport> OpenDfuTransport(const DfuConnectionOptions& options) {
  std::string kind = options.transport;
  if (kind.empty()) kind = options.device.empty() ? "udp" : "serial";
  if (kind == "udp") {
    if (!options.device.empty()) ThrowUsage("--device is for --transport serial, not udp");
    if (options.baud_given) ThrowUsage("--baud is for --transport serial, not udp");
    return std::make_unique<SmpUdpTransport>(ParseUdpEndpoint(options.address));
  }
  if (kind == "serial") {
    if (options.device.empty()) ThrowUsage("--transport serial needs --device PATH");
    if (options.address_given) ThrowUsage("--address is for --transport udp, not serial");
    return std::make_unique<SmpSerialTransport>(options.device, options.baud);
  }
  ThrowUsage("--transport: '" + kind + "' is not one of udp, serial");
}

}  // namespace bleota::host
