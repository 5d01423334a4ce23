// Link efficiency: the goodput of the real client upload (host::UploadImage, pipelined as
// `bleota dfu image upload` runs it: window 4, request packets filling whole ATT_MTU - 3 pieces,
// the device's params asked first) over the simulated BLE link, in virtual time, divided by the
// link model's limit (ModelLinkLimit) for the same inputs. The device's flash timing is off, so
// the link, not the flash, is what is measured.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "bleota/simdev/ble_link_limit.hpp"
#include "bleota/simdev/ble_link_params.hpp"

namespace bleota::bench {

struct LinkCase {
  std::string name;  // a BleProfile name, or that plus a variation ("2m-dle, 1% loss")
  sim::BleLinkParams params;
};

// Every BLE profile (BleProfiles()), then the default profile with 1% packet loss.
std::vector<LinkCase> LinkCases();

struct LinkResult {
  LinkCase link;
  sim::BleLinkLimit limit;
  uint32_t image_size = 0;
  uint64_t upload_us = 0;        // virtual time of UploadImage (params request to last reply)
  double goodput = 0;            // image bytes per second of upload_us
  double ratio = 0;              // goodput / limit.goodput_bytes_per_s
  double att_write_rate = 0;     // ATT bytes the central wrote per second (SMP framing included)
  size_t requests = 0;           // upload requests
  size_t max_chunk = 0;          // image bytes per full request
  size_t packet_limit = 0;       // largest request packet
  size_t window = 0;             // requests in flight
  size_t timeouts = 0;           // SMP timeouts (resends) during the upload
  uint64_t retransmissions = 0;  // LL packets sent again (loss or NAK), both directions
  uint64_t lost_packets = 0;
  uint64_t naks = 0;
};

// Throws host::HostError when the upload fails or the device does not take the image.
LinkResult MeasureLinkEfficiency(const LinkCase& link, uint32_t image_size);

}  // namespace bleota::bench
