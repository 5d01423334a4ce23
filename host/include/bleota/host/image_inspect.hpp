// `bleota image info`: what an image file holds (header, flags, TLVs with offsets, hash, security
// counter, trailer), read with the device's header parser and TLV iterator.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bleota/host/image_trailer.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/tlv.hpp"

namespace bleota::host {

struct TlvReport {
  uint16_t type = 0;
  uint16_t length = 0;
  uint32_t offset = 0;  // of the entry's 4-byte header, from the start of the file
  bool is_protected = false;
  std::vector<uint8_t> value;
};

struct ImageReport {
  uint32_t file_size = 0;
  image::ImageLayout layout;
  std::vector<TlvReport> protected_tlvs;
  std::vector<TlvReport> tlvs;
  std::optional<uint32_t> security_counter;
  std::optional<TrailerInfo> trailer;

  // The first unprotected TLV of `type`, or nullptr.
  const TlvReport* Find(uint16_t type) const;
};

// Parses the image. Throws HostError(kImage) naming the failed check id and field when the
// header or a TLV area is malformed.
ImageReport InspectImage(std::span<const uint8_t> file);

// Text for a terminal, and JSON whose keys follow the vector manifest (header, layout,
// protected_tlvs, tlvs, sha256, security_counter, keyhash, trailer).
std::string FormatImageReport(const ImageReport& report);
nlohmann::json ImageReportJson(const ImageReport& report);

// "img_size 300000 exceeds 262144" style detail for a fault from the device image code.
std::string DescribeFault(const image::ImageFault& fault);

}  // namespace bleota::host
