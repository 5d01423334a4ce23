#include "bleota/host/image_inspect.hpp"

#include <sstream>

#include "bleota/host/error.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/version.hpp"
#include "bleota/readable.hpp"

namespace bleota::host {
namespace {

[[noreturn]] void ThrowImageFault(Status status, const image::ImageFault& fault) {
  std::string message =
      std::string(status.name()) + ": " + std::string(CheckMeaning(status.code()));
  const std::string detail = DescribeFault(fault);
  if (!detail.empty()) message += " (" + detail + ")";
  ThrowImage(message);
}

std::vector<TlvReport> ReadArea(Readable& readable, const image::ImageLayout& layout,
                                image::TlvArea area) {
  std::vector<TlvReport> out;
  image::TlvIterator it(readable, layout, area);
  image::TlvEntry entry;
  while (true) {
    image::ImageFault fault;
    Result<bool> next = it.Next(entry, &fault);
    if (!next.ok()) ThrowImageFault(next.status(), fault);
    if (!*next) break;
    TlvReport report;
    report.type = entry.type;
    report.length = entry.length;
    report.offset = entry.value_offset - image::kTlvEntryHeaderSize;
    report.is_protected = entry.is_protected;
    report.value.resize(entry.length);
    const Status read = image::ReadTlvValue(readable, entry, report.value);
    if (!read.ok()) ThrowImage(std::string("cannot read TLV value: ") + read.name());
    out.push_back(std::move(report));
  }
  return out;
}

// At least two digits, as the manifest writes TLV types ("0x01").
std::string TypeHex(uint16_t type) {
  std::string hex = HexNumber(type);
  return hex.size() == 3 ? "0x0" + hex.substr(2) : hex;
}

nlohmann::json TlvJson(const TlvReport& t) {
  return {{"type", t.type},
          {"type_hex", TypeHex(t.type)},
          {"name", TlvTypeName(t.type)},
          {"len", t.length},
          {"offset", t.offset},
          {"value_hex", HexBytes(t.value.data(), t.value.size())}};
}

std::string VersionText(const image::ImageVersion& v) { return FormatVersion(v); }

}  // namespace

const TlvReport* ImageReport::Find(uint16_t type) const {
  for (const TlvReport& t : tlvs) {
    if (t.type == type) return &t;
  }
  return nullptr;
}

std::string DescribeFault(const image::ImageFault& fault) {
  if (fault.field == nullptr || fault.field[0] == '\0') return "";
  switch (fault.code) {
    // Cryptographic checks: the field says what failed; there is no size or bound to show.
    case StatusCode::kImageHash:
    case StatusCode::kImageKeyHash:
    case StatusCode::kImagePubKey:
    case StatusCode::kImageSignature:
    case StatusCode::kImageEncKeyUnwrap:
      return std::string("field ") + fault.field;
    default:
      break;
  }
  return std::string(fault.field) + ": value " + std::to_string(fault.value) + ", limit " +
         std::to_string(fault.limit);
}

ImageReport InspectImage(std::span<const uint8_t> file) {
  if (file.size() > UINT32_MAX) ThrowImage("image file is larger than 4 GiB");
  MemoryReadable readable(file);
  image::ImageFault fault;
  Result<image::ImageLayout> layout = image::ParseImageHeader(readable, &fault);
  if (!layout.ok()) ThrowImageFault(layout.status(), fault);

  ImageReport report;
  report.file_size = static_cast<uint32_t>(file.size());
  report.layout = *layout;
  report.protected_tlvs = ReadArea(readable, report.layout, image::TlvArea::kProtected);
  report.tlvs = ReadArea(readable, report.layout, image::TlvArea::kUnprotected);
  for (const TlvReport& t : report.protected_tlvs) {
    if (t.type == image::kTlvSecCnt && t.length == image::kSecCntValueSize) {
      report.security_counter = LoadLe32(t.value.data());
    }
  }
  report.trailer = FindTrailer(file, report.layout.tlv_end);
  return report;
}

nlohmann::json ImageReportJson(const ImageReport& r) {
  const image::ImageHeader& h = r.layout.header;
  nlohmann::json j;
  j["file_size"] = r.file_size;
  j["header"] = {{"magic", h.magic},
                 {"load_addr", h.load_addr},
                 {"hdr_size", h.hdr_size},
                 {"protect_tlv_size", h.protect_tlv_size},
                 {"img_size", h.img_size},
                 {"flags", h.flags},
                 {"flag_names", FlagNames(h.flags)},
                 {"version", VersionText(h.version)},
                 {"version_fields",
                  {{"major", h.version.major},
                   {"minor", h.version.minor},
                   {"revision", h.version.revision},
                   {"build", h.version.build}}}};
  j["layout"] = {{"payload_offset", r.layout.payload_offset},
                 {"protected_tlv_area_offset", r.layout.protected_tlv_size != 0
                                                   ? nlohmann::json(r.layout.protected_tlv_offset)
                                                   : nlohmann::json(nullptr)},
                 {"tlv_area_offset", r.layout.tlv_offset},
                 {"tlv_area_tlv_tot", r.layout.tlv_size},
                 {"tlv_end", r.layout.tlv_end},
                 {"hash_region", {0, r.layout.hash_region_end()}}};
  j["protected_tlvs"] = nlohmann::json::array();
  for (const TlvReport& t : r.protected_tlvs) j["protected_tlvs"].push_back(TlvJson(t));
  j["tlvs"] = nlohmann::json::array();
  for (const TlvReport& t : r.tlvs) j["tlvs"].push_back(TlvJson(t));
  const TlvReport* sha = r.Find(image::kTlvSha256);
  j["sha256"] = sha ? nlohmann::json(HexBytes(sha->value.data(), sha->value.size())) : nullptr;
  j["security_counter"] = r.security_counter ? nlohmann::json(*r.security_counter) : nullptr;
  const TlvReport* keyhash = r.Find(image::kTlvKeyHash);
  j["keyhash"] =
      keyhash ? nlohmann::json(HexBytes(keyhash->value.data(), keyhash->value.size())) : nullptr;
  if (r.trailer) {
    const TrailerInfo& t = *r.trailer;
    const auto magic = BootMagic(t.max_align);
    j["trailer"] = {{"slot_size", t.slot_size},
                    {"magic_hex", HexBytes(magic.data(), magic.size())},
                    {"max_align", t.max_align},
                    {"magic_offset", t.magic_offset},
                    {"image_ok_offset", t.image_ok_offset},
                    {"image_ok", t.image_ok},
                    {"copy_done_offset", t.copy_done_offset},
                    {"copy_done", t.copy_done},
                    {"swap_info_offset", t.swap_info_offset},
                    {"swap_info", t.swap_info},
                    {"swap_size_offset", t.swap_size_offset},
                    {"swap_size", t.swap_size}};
  } else {
    j["trailer"] = nullptr;
  }
  return j;
}

std::string FormatImageReport(const ImageReport& r) {
  const image::ImageHeader& h = r.layout.header;
  std::ostringstream out;
  out << "header:\n";
  out << "  magic:            " << HexNumber(h.magic) << "\n";
  out << "  load_addr:        " << HexNumber(h.load_addr) << "\n";
  out << "  hdr_size:         " << HexNumber(h.hdr_size) << " (" << h.hdr_size << ")\n";
  out << "  protect_tlv_size: " << HexNumber(h.protect_tlv_size) << " (" << h.protect_tlv_size
      << ")\n";
  out << "  img_size:         " << HexNumber(h.img_size) << " (" << h.img_size << ")\n";
  out << "  flags:            " << HexNumber(h.flags);
  const std::vector<std::string> flags = FlagNames(h.flags);
  for (size_t i = 0; i < flags.size(); ++i) out << (i == 0 ? " (" : " | ") << flags[i];
  out << (flags.empty() ? "" : ")") << "\n";
  out << "  version:          " << VersionText(h.version) << "\n";
  out << "layout:\n";
  out << "  payload:          [" << r.layout.payload_offset << ", "
      << r.layout.payload_offset + r.layout.payload_size << ")\n";
  if (r.layout.protected_tlv_size != 0) {
    out << "  protected TLVs:   [" << r.layout.protected_tlv_offset << ", "
        << r.layout.protected_tlv_offset + r.layout.protected_tlv_size << ")\n";
  }
  out << "  TLVs:             [" << r.layout.tlv_offset << ", " << r.layout.tlv_end << ") tlv_tot "
      << r.layout.tlv_size << "\n";
  out << "  hash region:      [0, " << r.layout.hash_region_end() << ")\n";
  out << "  file size:        " << r.file_size << "\n";
  const auto print_tlvs = [&out](const char* title, const std::vector<TlvReport>& tlvs) {
    out << title << "\n";
    for (const TlvReport& t : tlvs) {
      out << "  " << TlvTypeName(t.type) << " (" << TypeHex(t.type) << ") offset " << t.offset
          << " len " << t.length;
      if (t.length <= 32) out << ": " << HexBytes(t.value.data(), t.value.size());
      out << "\n";
    }
  };
  if (!r.protected_tlvs.empty()) print_tlvs("protected TLVs:", r.protected_tlvs);
  print_tlvs("TLVs:", r.tlvs);
  if (const TlvReport* sha = r.Find(image::kTlvSha256)) {
    out << "hash (SHA256 TLV): " << HexBytes(sha->value.data(), sha->value.size()) << "\n";
  }
  if (r.security_counter) out << "security counter: " << *r.security_counter << "\n";
  if (r.trailer) {
    const TrailerInfo& t = *r.trailer;
    out << "trailer (slot size " << t.slot_size << ", max_align " << t.max_align << "):\n";
    out << "  magic at " << t.magic_offset << "\n";
    out << "  image_ok  at " << t.image_ok_offset << ": " << HexNumber(t.image_ok)
        << (t.image_ok == 0x01 ? " (set)" : "") << "\n";
    out << "  copy_done at " << t.copy_done_offset << ": " << HexNumber(t.copy_done) << "\n";
    out << "  swap_info at " << t.swap_info_offset << ": " << HexNumber(t.swap_info) << "\n";
    out << "  swap_size at " << t.swap_size_offset << ": " << HexNumber(t.swap_size) << "\n";
  } else {
    out << "trailer: none\n";
  }
  return out.str();
}

}  // namespace bleota::host
