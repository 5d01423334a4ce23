#include "bleota/image/image_header.hpp"

namespace bleota::image {

namespace {

int CompareField(uint32_t a, uint32_t b) { return a < b ? -1 : (a > b ? 1 : 0); }

// Reads a TLV info header {magic, tlv_tot} at `offset`, which must lie inside the image.
Status ReadTlvInfo(Readable& image, uint32_t offset, const char* field, uint16_t& magic,
                   uint16_t& tlv_tot, ImageFault* fault) {
  if (!RangeWithin(offset, kTlvInfoSize, image.size())) {
    return ReportFault(fault, StatusCode::kImageBounds, field, offset, image.size());
  }
  uint8_t info[kTlvInfoSize];
  BLEOTA_TRY(image.Read(offset, info));
  magic = LoadLe16(info);
  tlv_tot = LoadLe16(info + 2);
  return Status::Ok();
}

}  // namespace

int CompareImageVersions(const ImageVersion& a, const ImageVersion& b, VersionOrder order) {
  int result = CompareField(a.major, b.major);
  if (result == 0) result = CompareField(a.minor, b.minor);
  if (result == 0) result = CompareField(a.revision, b.revision);
  if (result == 0 && order == VersionOrder::kWithBuild) result = CompareField(a.build, b.build);
  return result;
}

ImageHeader DecodeImageHeader(std::span<const uint8_t, kImageHeaderSize> bytes) {
  const uint8_t* p = bytes.data();
  ImageHeader header;
  header.magic = LoadLe32(p + 0);
  header.load_addr = LoadLe32(p + 4);
  header.hdr_size = LoadLe16(p + 8);
  header.protect_tlv_size = LoadLe16(p + 10);
  header.img_size = LoadLe32(p + 12);
  header.flags = LoadLe32(p + 16);
  header.version.major = p[20];
  header.version.minor = p[21];
  header.version.revision = LoadLe16(p + 22);
  header.version.build = LoadLe32(p + 24);
  return header;
}

void EncodeImageHeader(const ImageHeader& header, std::span<uint8_t, kImageHeaderSize> bytes) {
  uint8_t* p = bytes.data();
  StoreLe32(p + 0, header.magic);
  StoreLe32(p + 4, header.load_addr);
  StoreLe16(p + 8, header.hdr_size);
  StoreLe16(p + 10, header.protect_tlv_size);
  StoreLe32(p + 12, header.img_size);
  StoreLe32(p + 16, header.flags);
  p[20] = header.version.major;
  p[21] = header.version.minor;
  StoreLe16(p + 22, header.version.revision);
  StoreLe32(p + 24, header.version.build);
  StoreLe32(p + 28, 0);
}

uint8_t EncryptionKeySize(uint32_t flags) {
  switch (flags & kFlagsEncrypted) {
    case 0:
      return 0;
    case kFlagEncryptedAes128:
      return 16;
    case kFlagEncryptedAes256:
      return 32;
    default:
      return kInvalidKeySize;
  }
}

Status ReportFault(ImageFault* fault, StatusCode code, const char* field, uint32_t value,
                   uint32_t limit) {
  if (fault != nullptr) {
    fault->code = code;
    fault->field = field;
    fault->value = value;
    fault->limit = limit;
  }
  return code;
}

Result<ImageLayout> ParseImageHeader(Readable& image, ImageFault* fault) {
  const uint32_t size = image.size();
  if (size < kImageHeaderSize) {
    return ReportFault(fault, StatusCode::kImageBounds, "header", kImageHeaderSize, size);
  }
  uint8_t raw[kImageHeaderSize];
  BLEOTA_TRY(image.Read(0, raw));

  ImageLayout layout;
  layout.header = DecodeImageHeader(raw);
  const ImageHeader& h = layout.header;
  if (h.magic != kImageMagic) {
    return ReportFault(fault, StatusCode::kImageHeaderMagic, "magic", h.magic, kImageMagic);
  }
  if (h.hdr_size < kImageHeaderSize) {
    return ReportFault(fault, StatusCode::kImageHeaderSize, "hdr_size", h.hdr_size,
                       kImageHeaderSize);
  }
  // hdr_size <= size is known from here on, so size - hdr_size cannot wrap.
  if (!RangeWithin(h.hdr_size, h.img_size, size)) {
    return ReportFault(fault, StatusCode::kImageBounds, "img_size", h.img_size,
                       h.hdr_size <= size ? size - h.hdr_size : 0);
  }
  layout.payload_offset = h.hdr_size;
  layout.payload_size = h.img_size;
  layout.protected_tlv_offset = h.hdr_size + h.img_size;
  layout.unknown_flags = h.flags & ~kFlagsKnown;

  uint32_t offset = layout.protected_tlv_offset;
  uint16_t magic = 0;
  uint16_t tlv_tot = 0;
  if (h.protect_tlv_size != 0) {
    BLEOTA_TRY(ReadTlvInfo(image, offset, "protected_tlv_info", magic, tlv_tot, fault));
    if (magic != kTlvProtInfoMagic) {
      return ReportFault(fault, StatusCode::kImageProtTlvMagic, "protected_tlv_magic", magic,
                         kTlvProtInfoMagic);
    }
    if (tlv_tot != h.protect_tlv_size) {
      return ReportFault(fault, StatusCode::kImageProtectTlvSize, "protect_tlv_size",
                         h.protect_tlv_size, tlv_tot);
    }
    if (h.protect_tlv_size < kTlvInfoSize) {
      return ReportFault(fault, StatusCode::kImageProtectTlvSize, "protect_tlv_size",
                         h.protect_tlv_size, kTlvInfoSize);
    }
    if (!RangeWithin(offset, h.protect_tlv_size, size)) {
      return ReportFault(fault, StatusCode::kImageBounds, "protect_tlv_size", h.protect_tlv_size,
                         size - offset);
    }
    layout.protected_tlv_size = h.protect_tlv_size;
    offset += h.protect_tlv_size;
  }

  layout.tlv_offset = offset;
  BLEOTA_TRY(ReadTlvInfo(image, offset, "tlv_info", magic, tlv_tot, fault));
  if (magic != kTlvInfoMagic) {
    return ReportFault(fault, StatusCode::kImageTlvMagic, "tlv_magic", magic, kTlvInfoMagic);
  }
  if (tlv_tot < kTlvInfoSize) {
    return ReportFault(fault, StatusCode::kImageTlvBounds, "tlv_tot", tlv_tot, kTlvInfoSize);
  }
  if (!RangeWithin(offset, tlv_tot, size)) {
    return ReportFault(fault, StatusCode::kImageBounds, "tlv_tot", tlv_tot, size - offset);
  }
  layout.tlv_size = tlv_tot;
  layout.tlv_end = offset + tlv_tot;
  return layout;
}

}  // namespace bleota::image
