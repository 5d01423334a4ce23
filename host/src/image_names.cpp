#include "bleota/host/image_names.hpp"

#include <array>
#include <utility>

#include "bleota/image/image_header.hpp"
#include "bleota/image/tlv.hpp"

namespace bleota::host {
namespace {

constexpr std::array<std::pair<uint16_t, std::string_view>, 25> kTlvNames = {{
    {image::kTlvKeyHash, "KEYHASH"},
    {image::kTlvPubKey, "PUBKEY"},
    {image::kTlvSha256, "SHA256"},
    {image::kTlvSha384, "SHA384"},
    {image::kTlvSha512, "SHA512"},
    {image::kTlvRsa2048Pss, "RSA2048"},
    {image::kTlvEcdsa224, "ECDSA224"},
    {image::kTlvEcdsaSig, "ECDSASIG"},
    {image::kTlvRsa3072Pss, "RSA3072"},
    {image::kTlvEd25519, "ED25519"},
    {image::kTlvSigPure, "SIG_PURE"},
    {image::kTlvEncRsa2048, "ENCRSA2048"},
    {image::kTlvEncKw, "ENCKW"},
    {image::kTlvEncEc256, "ENCEC256"},
    {image::kTlvEncX25519, "ENCX25519"},
    {image::kTlvEncX25519Sha512, "ENCX25519_SHA512"},
    {image::kTlvDependency, "DEPENDENCY"},
    {image::kTlvSecCnt, "SEC_CNT"},
    {image::kTlvBootRecord, "BOOT_RECORD"},
    {image::kTlvDecompSize, "DECOMP_SIZE"},
    {image::kTlvDecompSha, "DECOMP_SHA"},
    {image::kTlvDecompSignature, "DECOMP_SIGNATURE"},
    {image::kTlvCompDecSize, "COMP_DEC_SIZE"},
    {image::kTlvUuidVid, "UUID_VID"},
    {image::kTlvUuidCid, "UUID_CID"},
}};

constexpr std::array<std::pair<uint32_t, std::string_view>, 9> kFlagNames = {{
    {image::kFlagPic, "PIC"},
    {image::kFlagEncryptedAes128, "ENCRYPTED_AES128"},
    {image::kFlagEncryptedAes256, "ENCRYPTED_AES256"},
    {image::kFlagNonBootable, "NON_BOOTABLE"},
    {image::kFlagRamLoad, "RAM_LOAD"},
    {image::kFlagRomFixed, "ROM_FIXED"},
    {image::kFlagCompressedLzma1, "COMPRESSED_LZMA1"},
    {image::kFlagCompressedLzma2, "COMPRESSED_LZMA2"},
    {image::kFlagCompressedArmThumbFlt, "COMPRESSED_ARM_THUMB_FLT"},
}};

}  // namespace

std::string_view TlvTypeName(uint16_t type) {
  for (const auto& [value, name] : kTlvNames) {
    if (value == type) return name;
  }
  return type >= 0xa0 && type <= 0xfffe ? "VENDOR" : "UNKNOWN";
}

std::vector<std::string> FlagNames(uint32_t flags) {
  std::vector<std::string> names;
  for (uint32_t bit = 1; bit != 0; bit <<= 1) {
    if ((flags & bit) == 0) continue;
    std::string name = HexNumber(bit);
    for (const auto& [value, flag_name] : kFlagNames) {
      if (value == bit) name = std::string(flag_name);
    }
    names.push_back(name);
  }
  return names;
}

std::string_view CheckMeaning(StatusCode code) {
  switch (code) {
    case StatusCode::kImageBounds:
      return "hdr_size+img_size, protected/unprotected TLV areas must lie inside the file";
    case StatusCode::kImageHeaderMagic:
      return "ih_magic must be 0x96f3b83d";
    case StatusCode::kImageHeaderSize:
      return "ih_hdr_size must be >= 32";
    case StatusCode::kImageProtectTlvSize:
      return "ih_protect_tlv_size must equal the protected TLV info tlv_tot (0 if no protected "
             "area)";
    case StatusCode::kImageProtTlvMagic:
      return "protected TLV info magic must be 0x6908 when ih_protect_tlv_size != 0";
    case StatusCode::kImageTlvMagic:
      return "unprotected TLV info magic must be 0x6907";
    case StatusCode::kImageTlvBounds:
      return "every TLV entry (4-byte header + len) must lie inside its TLV area";
    case StatusCode::kImageHash:
      return "SHA256 TLV must equal sha256(header + plaintext body + protected TLV area)";
    case StatusCode::kImageKeyHash:
      return "KEYHASH TLV must equal sha256(SubjectPublicKeyInfo DER of a trusted key)";
    case StatusCode::kImagePubKey:
      return "PUBKEY TLV (full key) must equal the trusted key's SubjectPublicKeyInfo DER";
    case StatusCode::kImageSignature:
      return "ECDSASIG / ED25519 TLV must verify (ECDSA-P256-SHA256 over the hash region; "
             "Ed25519 over the 32-byte SHA256 digest)";
    case StatusCode::kImageEncKeyUnwrap:
      return "ENC TLV must yield the image key (ECIES HMAC tag check / AES-KW integrity check)";
    case StatusCode::kImageMissingTlv:
      return "the image must have a SHA256 TLV, a signature with KEYHASH/PUBKEY (unless "
             "unsigned images are allowed) and an ENC TLV when encrypted";
    case StatusCode::kImageUnsupported:
      return "the image must not use a feature bleota does not support (compression, unknown "
             "flags, other hash/signature/encryption TLV types)";
    default:
      return "the image could not be processed";
  }
}

std::string HexNumber(uint32_t value) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string digits;
  do {
    digits.insert(digits.begin(), kDigits[value & 0xf]);
    value >>= 4;
  } while (value != 0);
  return "0x" + digits;
}

std::string HexBytes(const uint8_t* data, size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (size_t i = 0; i < size; ++i) {
    out += kDigits[data[i] >> 4];
    out += kDigits[data[i] & 0xf];
  }
  return out;
}

}  // namespace bleota::host
