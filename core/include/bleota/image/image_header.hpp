// The MCUboot image header and the layout of an image inside a slot (docs/spec/image-format.md).
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/readable.hpp"
#include "bleota/result.hpp"
#include "bleota/status.hpp"

namespace bleota::image {

inline constexpr uint32_t kImageMagic = 0x96f3b83d;
inline constexpr uint32_t kImageHeaderSize = 32;  // the encoded header; hdr_size may be larger
inline constexpr uint16_t kTlvInfoMagic = 0x6907;
inline constexpr uint16_t kTlvProtInfoMagic = 0x6908;
inline constexpr uint32_t kTlvInfoSize = 4;  // {magic u16, tlv_tot u16}

// Header flags.
inline constexpr uint32_t kFlagPic = 0x1;
inline constexpr uint32_t kFlagEncryptedAes128 = 0x4;
inline constexpr uint32_t kFlagEncryptedAes256 = 0x8;
inline constexpr uint32_t kFlagNonBootable = 0x10;
inline constexpr uint32_t kFlagRamLoad = 0x20;
inline constexpr uint32_t kFlagRomFixed = 0x100;
inline constexpr uint32_t kFlagCompressedLzma1 = 0x200;
inline constexpr uint32_t kFlagCompressedLzma2 = 0x400;
inline constexpr uint32_t kFlagCompressedArmThumbFlt = 0x800;
inline constexpr uint32_t kFlagsEncrypted = kFlagEncryptedAes128 | kFlagEncryptedAes256;
inline constexpr uint32_t kFlagsCompressed =
    kFlagCompressedLzma1 | kFlagCompressedLzma2 | kFlagCompressedArmThumbFlt;
inline constexpr uint32_t kFlagsKnown =
    kFlagPic | kFlagsEncrypted | kFlagNonBootable | kFlagRamLoad | kFlagRomFixed | kFlagsCompressed;

struct ImageVersion {
  uint8_t major = 0;
  uint8_t minor = 0;
  uint16_t revision = 0;
  uint32_t build = 0;
};

enum class VersionOrder : uint8_t {
  kWithBuild,    // major, minor, revision, then build
  kIgnoreBuild,  // major, minor, revision only (MCUboot's default upgrade rule)
};

// <0, 0 or >0 as `a` is older than, equal to or newer than `b`.
int CompareImageVersions(const ImageVersion& a, const ImageVersion& b,
                         VersionOrder order = VersionOrder::kWithBuild);

struct ImageHeader {
  uint32_t magic = 0;
  uint32_t load_addr = 0;
  uint16_t hdr_size = 0;
  uint16_t protect_tlv_size = 0;
  uint32_t img_size = 0;
  uint32_t flags = 0;
  ImageVersion version;
};

// Field-by-field decode and encode of the 32 header bytes; no checks.
ImageHeader DecodeImageHeader(std::span<const uint8_t, kImageHeaderSize> bytes);
void EncodeImageHeader(const ImageHeader& header, std::span<uint8_t, kImageHeaderSize> bytes);

// AES key size the flags ask for: 16, 32, 0 when not encrypted. Both AES bits set: 0xFF (invalid).
uint8_t EncryptionKeySize(uint32_t flags);
inline constexpr uint8_t kInvalidKeySize = 0xFF;

// Where a check failed, for messages such as "img_size 300000 exceeds slot size 262144".
// `field` names the header/TLV field, `value` its value (or the end offset it implies) and
// `limit` the bound or expected value it broke.
struct ImageFault {
  StatusCode code = StatusCode::kOk;
  const char* field = "";
  uint32_t value = 0;
  uint32_t limit = 0;
};

// Sets *fault (when given) and returns `code`.
Status ReportFault(ImageFault* fault, StatusCode code, const char* field, uint32_t value,
                   uint32_t limit);

// A header whose areas were all checked against the readable's size. All offsets are from the
// start of the image and every area lies inside [0, readable.size()).
struct ImageLayout {
  ImageHeader header;
  uint32_t payload_offset = 0;        // == hdr_size
  uint32_t payload_size = 0;          // == img_size
  uint32_t protected_tlv_offset = 0;  // == hdr_size + img_size (info header of the protected area)
  uint32_t protected_tlv_size = 0;    // incl. its info header; 0 when there is none
  uint32_t tlv_offset = 0;            // info header of the unprotected area
  uint32_t tlv_size = 0;              // incl. its info header
  uint32_t tlv_end = 0;               // end of the image proper (trailer/padding may follow)
  uint32_t unknown_flags = 0;         // flag bits outside kFlagsKnown (the verifier refuses them)

  // The hashed region is [0, hash_region_end()).
  uint32_t hash_region_end() const { return tlv_offset; }
  bool encrypted() const { return (header.flags & kFlagsEncrypted) != 0; }
};

// Reads and checks the header and both TLV info headers, in this order (first failure wins):
//   bounds (32 header bytes), header_magic, header_size (hdr_size >= 32),
//   bounds (hdr_size + img_size), bounds (protected info header), tlv_prot_magic,
//   protect_tlv_size (== protected tlv_tot, >= 4), bounds (protected area),
//   bounds (unprotected info header), tlv_magic, tlv_bounds (tlv_tot >= 4), bounds (area).
// Flags are not judged here: ImageLayout::unknown_flags reports the unknown ones.
Result<ImageLayout> ParseImageHeader(Readable& image, ImageFault* fault = nullptr);

}  // namespace bleota::image
