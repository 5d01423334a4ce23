#include "bleota/image/tlv.hpp"

namespace bleota::image {

TlvIterator::TlvIterator(Readable& image, const ImageLayout& layout, TlvArea area)
    : image_(image),
      area_(area),
      unprotected_begin_(layout.tlv_offset + kTlvInfoSize),
      unprotected_end_(layout.tlv_end) {
  const bool start_protected = area != TlvArea::kUnprotected && layout.protected_tlv_size != 0;
  if (start_protected) {
    in_protected_ = true;
    cursor_ = layout.protected_tlv_offset + kTlvInfoSize;
    area_end_ = layout.protected_tlv_offset + layout.protected_tlv_size;
  } else if (area == TlvArea::kProtected) {
    done_ = true;
  } else {
    cursor_ = unprotected_begin_;
    area_end_ = unprotected_end_;
  }
}

bool TlvIterator::EnterNextArea() {
  if (in_protected_ && area_ == TlvArea::kBoth) {
    in_protected_ = false;
    cursor_ = unprotected_begin_;
    area_end_ = unprotected_end_;
    return true;
  }
  done_ = true;
  return false;
}

Result<bool> TlvIterator::Next(TlvEntry& entry, ImageFault* fault) {
  if (failure_ != StatusCode::kOk) return failure_;
  while (!done_ && cursor_ == area_end_) {
    EnterNextArea();
  }
  if (done_) return false;

  // The layout was checked against the image, so area_end_ <= image size and cursor_ <=
  // area_end_: the subtractions below cannot wrap.
  const char* field = in_protected_ ? "protected_tlv_len" : "tlv_len";
  if (area_end_ - cursor_ < kTlvEntryHeaderSize) {
    failure_ = StatusCode::kImageTlvBounds;
    return ReportFault(fault, StatusCode::kImageTlvBounds, field, cursor_ + kTlvEntryHeaderSize,
                       area_end_);
  }
  uint8_t header[kTlvEntryHeaderSize];
  Status status = image_.Read(cursor_, header);
  if (!status.ok()) {
    failure_ = status.code();
    return status;
  }
  const uint16_t type = LoadLe16(header);
  const uint16_t length = LoadLe16(header + 2);
  const uint32_t value_offset = cursor_ + kTlvEntryHeaderSize;
  if (length > area_end_ - value_offset) {
    failure_ = StatusCode::kImageTlvBounds;
    return ReportFault(fault, StatusCode::kImageTlvBounds, field, value_offset + length, area_end_);
  }
  entry.type = type;
  entry.length = length;
  entry.value_offset = value_offset;
  entry.is_protected = in_protected_;
  cursor_ = value_offset + length;
  return true;
}

Status ReadTlvValue(Readable& image, const TlvEntry& entry, ByteSpan out) {
  if (out.size() < entry.length) return StatusCode::kResourceExhausted;
  return image.Read(entry.value_offset, out.first(entry.length));
}

namespace {

ImageVersion DecodeVersion(const uint8_t* p) {
  ImageVersion version;
  version.major = p[0];
  version.minor = p[1];
  version.revision = LoadLe16(p + 2);
  version.build = LoadLe32(p + 4);
  return version;
}

}  // namespace

Result<ProtectedTlvs> ReadProtectedTlvs(Readable& image, const ImageLayout& layout,
                                        ImageFault* fault) {
  ProtectedTlvs result;
  TlvIterator it(image, layout, TlvArea::kProtected);
  TlvEntry entry;
  while (true) {
    BLEOTA_ASSIGN_OR_RETURN(const bool more, it.Next(entry, fault));
    if (!more) break;
    if (entry.type == kTlvSecCnt) {
      if (entry.length != kSecCntValueSize) {
        return ReportFault(fault, StatusCode::kImageTlvBounds, "sec_cnt_len", entry.length,
                           kSecCntValueSize);
      }
      if (result.has_security_counter) {
        return ReportFault(fault, StatusCode::kImageUnsupported, "sec_cnt_count", 2, 1);
      }
      uint8_t value[kSecCntValueSize];
      BLEOTA_TRY(ReadTlvValue(image, entry, value));
      result.has_security_counter = true;
      result.security_counter = LoadLe32(value);
    } else if (entry.type == kTlvDependency) {
      if (entry.length != kDependencyValueSize) {
        return ReportFault(fault, StatusCode::kImageTlvBounds, "dependency_len", entry.length,
                           kDependencyValueSize);
      }
      if (result.dependency_count == kMaxDependencies) {
        return ReportFault(fault, StatusCode::kImageUnsupported, "dependency_count",
                           kMaxDependencies + 1u, kMaxDependencies);
      }
      uint8_t value[kDependencyValueSize];
      BLEOTA_TRY(ReadTlvValue(image, entry, value));
      ImageDependency& dependency = result.dependencies[result.dependency_count++];
      dependency.image_id = value[0];
      dependency.min_version = DecodeVersion(value + 4);
    }
  }
  return result;
}

}  // namespace bleota::image
