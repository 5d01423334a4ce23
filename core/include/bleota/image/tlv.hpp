// Bounded iteration over an image's TLV areas, reading only each entry's 4-byte header from the
// Readable; values are read on demand into caller buffers.
#pragma once

#include <cstdint>

#include "bleota/bytes.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/readable.hpp"
#include "bleota/result.hpp"
#include "bleota/status.hpp"

namespace bleota::image {

// TLV types (MCUboot's IMAGE_TLV_*).
inline constexpr uint16_t kTlvKeyHash = 0x01;
inline constexpr uint16_t kTlvPubKey = 0x02;
inline constexpr uint16_t kTlvSha256 = 0x10;
inline constexpr uint16_t kTlvSha384 = 0x11;
inline constexpr uint16_t kTlvSha512 = 0x12;
inline constexpr uint16_t kTlvRsa2048Pss = 0x20;
inline constexpr uint16_t kTlvEcdsa224 = 0x21;
inline constexpr uint16_t kTlvEcdsaSig = 0x22;
inline constexpr uint16_t kTlvRsa3072Pss = 0x23;
inline constexpr uint16_t kTlvEd25519 = 0x24;
inline constexpr uint16_t kTlvSigPure = 0x25;
inline constexpr uint16_t kTlvEncRsa2048 = 0x30;
inline constexpr uint16_t kTlvEncKw = 0x31;
inline constexpr uint16_t kTlvEncEc256 = 0x32;
inline constexpr uint16_t kTlvEncX25519 = 0x33;
inline constexpr uint16_t kTlvEncX25519Sha512 = 0x34;
inline constexpr uint16_t kTlvDependency = 0x40;
inline constexpr uint16_t kTlvSecCnt = 0x50;
inline constexpr uint16_t kTlvBootRecord = 0x60;
inline constexpr uint16_t kTlvDecompSize = 0x70;
inline constexpr uint16_t kTlvDecompSha = 0x71;
inline constexpr uint16_t kTlvDecompSignature = 0x72;
inline constexpr uint16_t kTlvCompDecSize = 0x73;
inline constexpr uint16_t kTlvUuidVid = 0x74;
inline constexpr uint16_t kTlvUuidCid = 0x75;

inline constexpr uint32_t kTlvEntryHeaderSize = 4;  // {type u16, len u16}
inline constexpr uint16_t kSecCntValueSize = 4;
inline constexpr uint16_t kDependencyValueSize = 12;  // image_id u8, pad[3], version(8)

enum class TlvArea : uint8_t { kProtected, kUnprotected, kBoth };

struct TlvEntry {
  uint16_t type = 0;
  uint16_t length = 0;
  uint32_t value_offset = 0;  // from the start of the image
  bool is_protected = false;
};

// Walks one area (or the protected then the unprotected area) of a layout that
// ParseImageHeader checked. Every entry's header and value must lie inside its area, else Next()
// fails with kImageTlvBounds.
class TlvIterator {
 public:
  TlvIterator(Readable& image, const ImageLayout& layout, TlvArea area);

  // true: `entry` holds the next entry. false: the walk is over. Error: kImageTlvBounds or a
  // read failure; the iterator then stays failed.
  Result<bool> Next(TlvEntry& entry, ImageFault* fault = nullptr);

 private:
  bool EnterNextArea();

  Readable& image_;
  TlvArea area_;
  uint32_t unprotected_begin_ = 0;  // first entry of the unprotected area
  uint32_t unprotected_end_ = 0;
  bool in_protected_ = false;
  bool done_ = false;
  StatusCode failure_ = StatusCode::kOk;  // returned again by every later Next()
  uint32_t cursor_ = 0;
  uint32_t area_end_ = 0;
};

// Reads the whole value of `entry` into out[0, entry.length). kResourceExhausted when `out` is
// shorter than the value.
Status ReadTlvValue(Readable& image, const TlvEntry& entry, ByteSpan out);

struct ImageDependency {
  uint8_t image_id = 0;
  ImageVersion min_version;
};

inline constexpr uint8_t kMaxDependencies = 4;

// SEC_CNT and DEPENDENCY TLVs, taken from the protected area only (unprotected copies are
// not covered by the hash and are ignored).
struct ProtectedTlvs {
  bool has_security_counter = false;
  uint32_t security_counter = 0;
  uint8_t dependency_count = 0;
  ImageDependency dependencies[kMaxDependencies];
};

// Fails with kImageTlvBounds on a walk error or a SEC_CNT/DEPENDENCY of the wrong length, and
// kImageUnsupported on a second SEC_CNT or more than kMaxDependencies dependencies.
Result<ProtectedTlvs> ReadProtectedTlvs(Readable& image, const ImageLayout& layout,
                                        ImageFault* fault = nullptr);

}  // namespace bleota::image
