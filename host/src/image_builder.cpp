#include "bleota/host/image_builder.hpp"

#include <mbedtls/aes.h>
#include <mbedtls/sha256.h>

#include <algorithm>
#include <array>
#include <string>

#include "bleota/bytes.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/image_key_wrap.hpp"
#include "bleota/host/image_signature.hpp"
#include "bleota/host/image_trailer.hpp"
#include "bleota/host/key_der.hpp"
#include "bleota/host/random.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/tlv.hpp"

namespace bleota::host {
namespace {

using Bytes = std::vector<uint8_t>;

constexpr uint16_t kVendorTlvMin = 0x00a0;
constexpr uint16_t kVendorTlvMax = 0xfffe;
constexpr uint32_t kMaxTlvAreaBytes = 0xffff;  // tlv_tot and protect_tlv_size are u16

// A TLV area being assembled: {magic, tlv_tot} then {type u16, len u16, value} entries.
class TlvArea {
 public:
  explicit TlvArea(uint16_t magic) : magic_(magic) {}

  void Add(uint16_t type, std::span<const uint8_t> value) {
    if (value.size() > kMaxTlvAreaBytes) {
      ThrowImage("TLV 0x" + Hex(type) + " value is " + std::to_string(value.size()) +
                 " bytes, more than a TLV can hold (65535)");
    }
    uint8_t header[image::kTlvEntryHeaderSize];
    StoreLe16(header, type);
    StoreLe16(header + 2, static_cast<uint16_t>(value.size()));
    entries_.insert(entries_.end(), header, header + sizeof(header));
    entries_.insert(entries_.end(), value.begin(), value.end());
  }

  // The area with its info header; empty when there are no entries (imgtool's TLV.get()).
  Bytes Encode(const char* field) const {
    if (entries_.empty()) return {};
    const size_t total = image::kTlvInfoSize + entries_.size();
    if (total > kMaxTlvAreaBytes) {
      ThrowImage(std::string(field) + " " + std::to_string(total) +
                 " exceeds the 65535 bytes its u16 field can hold");
    }
    Bytes out(image::kTlvInfoSize);
    StoreLe16(out.data(), magic_);
    StoreLe16(out.data() + 2, static_cast<uint16_t>(total));
    out.insert(out.end(), entries_.begin(), entries_.end());
    return out;
  }

  static std::string Hex(uint16_t v) {
    static constexpr char kDigits[] = "0123456789abcdef";
    std::string s;
    for (int shift = 12; shift >= 0; shift -= 4) s += kDigits[(v >> shift) & 0xf];
    return s;
  }

 private:
  uint16_t magic_;
  Bytes entries_;
};

std::array<uint8_t, 32> Sha256(std::span<const uint8_t> data) {
  std::array<uint8_t, 32> digest{};
  if (mbedtls_sha256_ret(data.data(), data.size(), digest.data(), /*is224=*/0) != 0) {
    ThrowInternal("mbedTLS SHA-256 failed");
  }
  return digest;
}

void EncryptPayload(std::span<const uint8_t> key, std::span<uint8_t> payload) {
  mbedtls_aes_context aes;
  mbedtls_aes_init(&aes);
  std::array<unsigned char, 16> counter{};  // MCUboot: zero counter block at the first byte
  std::array<unsigned char, 16> stream_block{};
  size_t stream_offset = 0;
  int ret = mbedtls_aes_setkey_enc(&aes, key.data(), static_cast<unsigned>(key.size() * 8));
  if (ret == 0) {
    ret = mbedtls_aes_crypt_ctr(&aes, payload.size(), &stream_offset, counter.data(),
                                stream_block.data(), payload.data(), payload.data());
  }
  mbedtls_aes_free(&aes);
  std::fill(stream_block.begin(), stream_block.end(), 0);
  if (ret != 0) ThrowInternal("mbedTLS AES-CTR failed (" + std::to_string(ret) + ")");
}

bool IsPowerOfTwoUpTo32(uint32_t v) {
  return v == 1 || v == 2 || v == 4 || v == 8 || v == 16 || v == 32;
}

bool IsStandardTlvType(uint16_t type) {
  using namespace image;
  for (uint16_t known :
       {kTlvKeyHash,         kTlvPubKey,          kTlvSha256,      kTlvSha384,     kTlvSha512,
        kTlvRsa2048Pss,      kTlvEcdsa224,        kTlvEcdsaSig,    kTlvRsa3072Pss, kTlvEd25519,
        kTlvSigPure,         kTlvEncRsa2048,      kTlvEncKw,       kTlvEncEc256,   kTlvEncX25519,
        kTlvEncX25519Sha512, kTlvDependency,      kTlvSecCnt,      kTlvBootRecord, kTlvDecompSize,
        kTlvDecompSha,       kTlvDecompSignature, kTlvCompDecSize, kTlvUuidVid,    kTlvUuidCid}) {
    if (type == known) return true;
  }
  return false;
}

uint32_t ResolveMaxAlign(const ImageBuildOptions& o) {
  return o.max_align ? *o.max_align : std::max<uint32_t>(kDefaultMaxAlign, o.align);
}

void ValidateOptions(const ImageBuildOptions& o) {
  if (o.header_size < image::kImageHeaderSize) {
    ThrowUsage("--header-size " + std::to_string(o.header_size) + " is below the minimum of " +
               std::to_string(image::kImageHeaderSize));
  }
  if (o.header_size > 0xffff) {
    ThrowUsage("--header-size " + std::to_string(o.header_size) +
               " does not fit the u16 hdr_size field (max 65535)");
  }
  if (!IsPowerOfTwoUpTo32(o.align)) {
    ThrowUsage("--align " + std::to_string(o.align) + " must be 1, 2, 4, 8, 16 or 32");
  }
  const uint32_t max_align = ResolveMaxAlign(o);
  if (max_align != 8 && max_align != 16 && max_align != 32) {
    ThrowUsage("--max-align " + std::to_string(max_align) + " must be 8, 16 or 32");
  }
  if (max_align < o.align) {
    ThrowUsage("--max-align " + std::to_string(max_align) + " is smaller than --align " +
               std::to_string(o.align));
  }
  if (o.erased_val != 0x00 && o.erased_val != 0xff) ThrowUsage("--erased-val must be 0 or 0xff");
  if (o.max_sectors == 0) ThrowUsage("--max-sectors must be at least 1");
  if ((o.pad || o.confirm) && o.slot_size == 0) ThrowUsage("--pad needs --slot-size");
  if (o.load_addr != 0 && o.rom_fixed != 0) {
    ThrowUsage("--load-addr and --rom-fixed cannot be used together");
  }
  for (size_t i = 0; i < o.custom_tlvs.size(); ++i) {
    const uint16_t type = o.custom_tlvs[i].type;
    if (type < kVendorTlvMin || type > kVendorTlvMax || IsStandardTlvType(type)) {
      ThrowUsage("--custom-tlv type 0x" + TlvArea::Hex(type) +
                 " is not in the vendor range 0x00a0..0xfffe");
    }
    for (size_t j = 0; j < i; ++j) {
      if (o.custom_tlvs[j].type == type) {
        ThrowUsage("--custom-tlv type 0x" + TlvArea::Hex(type) + " is given twice");
      }
    }
  }
  if (o.signing_key != nullptr) SignatureTlvType(o.signing_key->type);  // refuses X25519
  if (o.encryption) {
    const ImageEncryption& e = *o.encryption;
    if (e.key_bits != 128 && e.key_bits != 256) {
      ThrowUsage("--encrypt-keylen " + std::to_string(e.key_bits) + " must be 128 or 256");
    }
    if (e.recipient.has_value() == e.kek.has_value()) {
      ThrowUsage("encryption needs exactly one of an encryption public key or a KEK");
    }
    if (e.kek && e.kek->size() * 8 != e.key_bits) {
      ThrowUsage("KEK is " + std::to_string(e.kek->size()) + " bytes but --encrypt-keylen " +
                 std::to_string(e.key_bits) + " needs a " + std::to_string(e.key_bits / 8) +
                 "-byte KEK (MCUboot unwraps with a KEK of the image key's size)");
    }
  }
}

// The payload area: header area followed by the input, as imgtool lays it out before the header
// is written.
Bytes HeaderAndBody(std::span<const uint8_t> input, const ImageBuildOptions& o) {
  Bytes image;
  if (o.pad_header) {
    image.assign(o.header_size, o.erased_val);
    image.insert(image.end(), input.begin(), input.end());
    return image;
  }
  if (input.size() < o.header_size) {
    ThrowImage("input is " + std::to_string(input.size()) + " bytes, shorter than --header-size " +
               std::to_string(o.header_size) + "; use --pad-header to add the header area");
  }
  const auto nonzero =
      std::find_if(input.begin(), input.begin() + o.header_size, [](uint8_t b) { return b != 0; });
  if (nonzero != input.begin() + o.header_size) {
    ThrowImage("input does not start with " + std::to_string(o.header_size) +
               " zero bytes for the header (byte " + std::to_string(nonzero - input.begin()) +
               " is not 0); use --pad-header to add the header area");
  }
  return Bytes(input.begin(), input.end());
}

Bytes ProtectedArea(const ImageBuildOptions& o) {
  TlvArea area(image::kTlvProtInfoMagic);
  if (o.security_counter) {
    uint8_t value[image::kSecCntValueSize];
    StoreLe32(value, *o.security_counter);
    area.Add(image::kTlvSecCnt, value);
  }
  for (const Dependency& d : o.dependencies) {
    uint8_t value[image::kDependencyValueSize] = {};
    value[0] = d.image_id;  // then 3 pad bytes
    value[4] = d.version.major;
    value[5] = d.version.minor;
    StoreLe16(value + 6, d.version.revision);
    StoreLe32(value + 8, d.version.build);
    area.Add(image::kTlvDependency, value);
  }
  for (const CustomTlv& t : o.custom_tlvs) area.Add(t.type, t.value);
  return area.Encode("protect_tlv_size");
}

uint32_t HeaderFlags(const ImageBuildOptions& o) {
  uint32_t flags = 0;
  if (o.encryption) {
    flags |=
        o.encryption->key_bits == 256 ? image::kFlagEncryptedAes256 : image::kFlagEncryptedAes128;
  }
  if (o.load_addr != 0) flags |= image::kFlagRamLoad;
  if (o.rom_fixed != 0) flags |= image::kFlagRomFixed;
  if (o.non_bootable) flags |= image::kFlagNonBootable;
  return flags;
}

}  // namespace

std::vector<uint8_t> BuildImage(std::span<const uint8_t> input, const ImageBuildOptions& o) {
  ValidateOptions(o);
  Bytes image = HeaderAndBody(input, o);
  // Encrypted images: zero-pad so that hdr_size + img_size is a multiple of the AES block.
  if (o.encryption && image.size() % 16 != 0) image.resize(AlignUp(image.size(), 16), 0);
  if (image.size() > UINT32_MAX) ThrowImage("img_size does not fit the u32 header field");

  const Bytes protected_area = ProtectedArea(o);
  image::ImageHeader header;
  header.magic = image::kImageMagic;
  header.load_addr = o.rom_fixed != 0 ? o.rom_fixed : o.load_addr;
  header.hdr_size = static_cast<uint16_t>(o.header_size);
  header.protect_tlv_size = static_cast<uint16_t>(protected_area.size());
  header.img_size = static_cast<uint32_t>(image.size() - o.header_size);
  header.flags = HeaderFlags(o);
  header.version = o.version;
  image::EncodeImageHeader(
      header, std::span<uint8_t, image::kImageHeaderSize>(image.data(), image::kImageHeaderSize));

  // The hash covers header, plaintext payload and the protected area.
  image.insert(image.end(), protected_area.begin(), protected_area.end());
  const std::array<uint8_t, 32> digest = Sha256(image);
  image.resize(image.size() - protected_area.size());

  TlvArea tlvs(image::kTlvInfoMagic);
  tlvs.Add(image::kTlvSha256, digest);
  if (o.signing_key != nullptr) {
    const Bytes spki = SpkiDer(o.signing_key->public_key);
    if (o.public_key_format == PublicKeyFormat::kHash) {
      tlvs.Add(image::kTlvKeyHash, Sha256(spki));
    } else {
      tlvs.Add(image::kTlvPubKey, spki);
    }
    tlvs.Add(SignatureTlvType(o.signing_key->type), SignImageDigest(*o.signing_key, digest));
  }
  uint32_t enctlv_len = 0;
  if (o.encryption) {
    SecretBytes image_key(o.encryption->key_bits / 8);
    RandomBytes(image_key.span());
    const EncTlv enc = o.encryption->kek
                           ? WrapImageKeyKw(o.encryption->kek->span(), image_key.span())
                           : EncryptImageKeyEcies(*o.encryption->recipient, image_key.span());
    enctlv_len = static_cast<uint32_t>(enc.value.size());
    tlvs.Add(enc.type, enc.value);
    if (!o.encryption->clear) {
      EncryptPayload(image_key.span(), std::span(image).subspan(o.header_size));
    }
  }
  image.insert(image.end(), protected_area.begin(), protected_area.end());
  const Bytes tlv_area = tlvs.Encode("unprotected TLV area size");
  image.insert(image.end(), tlv_area.begin(), tlv_area.end());

  TrailerOptions trailer;
  trailer.align = o.align;
  trailer.max_align = ResolveMaxAlign(o);
  trailer.max_sectors = o.max_sectors;
  trailer.overwrite_only = o.overwrite_only;
  trailer.encrypted = o.encryption.has_value();
  trailer.save_enctlv = o.save_enctlv;
  trailer.enctlv_len = enctlv_len;
  if (o.slot_size != 0) {
    const uint64_t needed = uint64_t{image.size()} + TrailerSize(trailer);
    if (needed > o.slot_size) {
      ThrowImage("img_size " + std::to_string(header.img_size) + " exceeds slot size " +
                 std::to_string(o.slot_size) + ": header " + std::to_string(o.header_size) +
                 " + img_size " + std::to_string(header.img_size) + " + TLV areas " +
                 std::to_string(protected_area.size() + tlv_area.size()) + " + trailer " +
                 std::to_string(TrailerSize(trailer)) + " = " + std::to_string(needed) +
                 " bytes (--slot-size " + std::to_string(o.slot_size) + ")");
    }
  }
  if (o.pad || o.confirm) PadToSlot(image, o.slot_size, trailer, o.confirm, o.erased_val);
  return image;
}

}  // namespace bleota::host
