#include "image_test_support.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "bleota/crypto/crypto.hpp"
#include "bleota/image/tlv.hpp"

namespace bleota::image::testing {

std::string VectorPath(const std::string& relative) {
  return std::string(BLEOTA_VECTOR_DIR) + "/" + relative;
}

Bytes ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open " + path);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

Bytes ReadVector(const std::string& relative) { return ReadFile(VectorPath(relative)); }

Bytes FromHex(const std::string& hex) {
  if (hex.size() % 2 != 0) throw std::runtime_error("odd hex length");
  Bytes out;
  for (size_t i = 0; i < hex.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(std::stoul(hex.substr(i, 2), nullptr, 16)));
  }
  return out;
}

std::string ToHex(ConstByteSpan bytes) {
  static const char kDigits[] = "0123456789abcdef";
  std::string out;
  for (uint8_t b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 0xf]);
  }
  return out;
}

const nlohmann::json& Manifest() {
  static const nlohmann::json manifest = [] {
    const Bytes text = ReadVector("manifest.json");
    return nlohmann::json::parse(text.begin(), text.end());
  }();
  return manifest;
}

const nlohmann::json& ManifestImage(const std::string& name) {
  for (const auto& entry : Manifest()["images"]) {
    if (entry["name"] == name) return entry;
  }
  throw std::runtime_error("no manifest image " + name);
}

Bytes PemToDer(const std::string& pem_text) {
  const std::string begin = "-----BEGIN ";
  const size_t start = pem_text.find(begin);
  if (start == std::string::npos) throw std::runtime_error("not PEM");
  const size_t body = pem_text.find('\n', start) + 1;
  const size_t end = pem_text.find("-----END ", body);
  if (end == std::string::npos) throw std::runtime_error("unterminated PEM");
  // Base64 (RFC 4648) without line breaks.
  Bytes out;
  uint32_t acc = 0;
  int bits = 0;
  for (size_t i = body; i < end; ++i) {
    const char c = pem_text[i];
    int v;
    if (c >= 'A' && c <= 'Z')
      v = c - 'A';
    else if (c >= 'a' && c <= 'z')
      v = c - 'a' + 26;
    else if (c >= '0' && c <= '9')
      v = c - '0' + 52;
    else if (c == '+')
      v = 62;
    else if (c == '/')
      v = 63;
    else if (c == '=' || c == '\n' || c == '\r')
      continue;
    else
      throw std::runtime_error("bad base64");
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  return out;
}

namespace {

// The bytes after the unique occurrence of `marker` in `der`, which must be `length` long.
Bytes AfterUniqueMarker(const Bytes& der, const Bytes& marker, size_t length) {
  auto it = std::search(der.begin(), der.end(), marker.begin(), marker.end());
  if (it == der.end()) throw std::runtime_error("key marker not found");
  if (std::search(it + 1, der.end(), marker.begin(), marker.end()) != der.end()) {
    throw std::runtime_error("key marker not unique");
  }
  const size_t at = static_cast<size_t>(it - der.begin()) + marker.size();
  if (at + length > der.size()) throw std::runtime_error("key truncated");
  return Bytes(der.begin() + static_cast<long>(at), der.begin() + static_cast<long>(at + length));
}

std::string ReadText(const std::string& relative) {
  const Bytes bytes = ReadVector(relative);
  return std::string(bytes.begin(), bytes.end());
}

}  // namespace

Bytes P256PrivateScalarFromPkcs8(const Bytes& der) {
  // PKCS#8 wraps an ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING (32) privateKey, ... }.
  const Bytes prime256v1_oid = {0x06, 0x08, 0x2a, 0x86, 0x48, 0xce, 0x3d, 0x03, 0x01, 0x07};
  if (std::search(der.begin(), der.end(), prime256v1_oid.begin(), prime256v1_oid.end()) ==
      der.end()) {
    throw std::runtime_error("not a P-256 key");
  }
  return AfterUniqueMarker(der, {0x02, 0x01, 0x01, 0x04, 0x20}, 32);
}

Bytes X25519PrivateFromPkcs8(const Bytes& der) {
  // SEQUENCE { INTEGER 0, SEQUENCE { OID 1.3.101.110 }, OCTET STRING { OCTET STRING (32) } }.
  const Bytes x25519_oid = {0x06, 0x03, 0x2b, 0x65, 0x6e};
  if (std::search(der.begin(), der.end(), x25519_oid.begin(), x25519_oid.end()) == der.end()) {
    throw std::runtime_error("not an X25519 key");
  }
  if (der.size() != 48) throw std::runtime_error("unexpected X25519 PKCS#8 size");
  return AfterUniqueMarker(der, {0x04, 0x22, 0x04, 0x20}, 32);
}

Bytes SpkiFromPem(const std::string& relative) { return PemToDer(ReadText(relative)); }

void LoadVectorKeys(const nlohmann::json& entry, VectorKeys& keys) {
  if (entry.contains("verify_key") && entry["verify_key"].is_string()) {
    keys.spki = SpkiFromPem(entry["verify_key"]);
    keys.algorithm =
        keys.spki.size() == kEd25519SpkiSize ? KeyAlgorithm::kEd25519 : KeyAlgorithm::kEcdsaP256;
    keys.trusted = TrustedKey{keys.algorithm, keys.spki};
  }
  const auto& enc = entry["encryption"];
  if (enc.is_object()) {
    const std::string type = enc["type"];
    const std::string key = enc["key"];
    if (type == "ENC_EC256") {
      keys.ec256_private = P256PrivateScalarFromPkcs8(PemToDer(ReadText(key)));
    } else if (type == "ENC_X25519") {
      keys.x25519_private = X25519PrivateFromPkcs8(PemToDer(ReadText(key)));
    } else if (type == "ENC_KW") {
      keys.kek = ReadVector(key);
    } else {
      throw std::runtime_error("unknown encryption " + type);
    }
  }
  keys.decryption = DecryptionKeys{keys.ec256_private, keys.x25519_private, keys.kek};
}

VerifyOptions OptionsFor(const nlohmann::json& entry, const VectorKeys& keys) {
  VerifyOptions options;
  if (!keys.spki.empty()) {
    options.keys = std::span<const TrustedKey>(&keys.trusted, 1);
  } else {
    options.allow_unsigned = entry["verify_key"].is_null();
  }
  options.decryption = keys.decryption;
  return options;
}

Status RecordingReadable::Read(uint32_t offset, ByteSpan out) {
  ++read_count_;
  if (out.size() > max_read_) {
    refused_ = true;
    return StatusCode::kOutOfRange;
  }
  largest_read_ = std::max(largest_read_, static_cast<uint32_t>(out.size()));
  total_read_ += out.size();
  if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), size())) {
    ++out_of_range_reads_;
    return StatusCode::kOutOfRange;
  }
  // Element by element through the vector, so an overrun would be an ASan report, not a
  // silent read of a neighbour.
  for (size_t i = 0; i < out.size(); ++i) out[i] = bytes_.at(offset + i);
  return Status::Ok();
}

namespace {

void AppendLe16(Bytes& out, uint16_t v) {
  out.push_back(static_cast<uint8_t>(v));
  out.push_back(static_cast<uint8_t>(v >> 8));
}

void AppendTlvs(Bytes& out, const std::vector<RawTlv>& tlvs) {
  for (const RawTlv& tlv : tlvs) {
    AppendLe16(out, tlv.type);
    AppendLe16(out, tlv.length_override != 0 ? tlv.length_override
                                             : static_cast<uint16_t>(tlv.value.size()));
    out.insert(out.end(), tlv.value.begin(), tlv.value.end());
  }
}

size_t TlvBytes(const std::vector<RawTlv>& tlvs) {
  size_t n = 0;
  for (const RawTlv& tlv : tlvs) n += kTlvEntryHeaderSize + tlv.value.size();
  return n;
}

}  // namespace

ImageBuilder::ImageBuilder() {
  header.magic = kImageMagic;
  header.hdr_size = 32;
  header.version = {1, 2, 3, 4};
}

Bytes ImageBuilder::Build() const {
  ImageHeader h = header;
  const size_t prot_size = protected_tlvs.empty() ? 0 : kTlvInfoSize + TlvBytes(protected_tlvs);
  if (fix_sizes) {
    h.img_size = static_cast<uint32_t>(payload.size());
    h.protect_tlv_size = static_cast<uint16_t>(prot_size);
  }
  Bytes out(std::max<size_t>(h.hdr_size, kImageHeaderSize), 0xff);
  EncodeImageHeader(h, std::span<uint8_t, kImageHeaderSize>(out.data(), kImageHeaderSize));
  out.insert(out.end(), payload.begin(), payload.end());
  if (!protected_tlvs.empty()) {
    AppendLe16(out, prot_magic);
    AppendLe16(out, prot_tot_override >= 0 ? static_cast<uint16_t>(prot_tot_override)
                                           : static_cast<uint16_t>(prot_size));
    AppendTlvs(out, protected_tlvs);
  }
  std::vector<RawTlv> all;
  if (add_sha256) {
    uint8_t digest[crypto::kSha256Size];
    if (!crypto::Sha256Digest(out, digest).ok()) throw std::runtime_error("sha256 failed");
    all.push_back(RawTlv{kTlvSha256, Bytes(digest, digest + sizeof(digest))});
  }
  all.insert(all.end(), tlvs.begin(), tlvs.end());
  AppendLe16(out, tlv_magic);
  AppendLe16(out, tlv_tot_override >= 0 ? static_cast<uint16_t>(tlv_tot_override)
                                        : static_cast<uint16_t>(kTlvInfoSize + TlvBytes(all)));
  AppendTlvs(out, all);
  return out;
}

UnprotectedEdit UnprotectedEdit::From(const Bytes& image) {
  MemoryReadable readable(image);
  auto layout = ParseImageHeader(readable);
  if (!layout.ok()) throw std::runtime_error("not a valid image");
  UnprotectedEdit edit;
  edit.prefix.assign(image.begin(), image.begin() + layout->tlv_offset);
  TlvIterator it(readable, *layout, TlvArea::kUnprotected);
  TlvEntry entry;
  while (true) {
    auto more = it.Next(entry);
    if (!more.ok()) throw std::runtime_error("bad TLV area");
    if (!*more) break;
    RawTlv tlv;
    tlv.type = entry.type;
    tlv.value.assign(image.begin() + entry.value_offset,
                     image.begin() + entry.value_offset + entry.length);
    edit.tlvs.push_back(tlv);
  }
  return edit;
}

Bytes UnprotectedEdit::Join() const {
  Bytes out = prefix;
  AppendLe16(out, kTlvInfoMagic);
  AppendLe16(out, static_cast<uint16_t>(kTlvInfoSize + TlvBytes(tlvs)));
  AppendTlvs(out, tlvs);
  return out;
}

RawTlv* UnprotectedEdit::Find(uint16_t type) {
  for (RawTlv& tlv : tlvs) {
    if (tlv.type == type) return &tlv;
  }
  return nullptr;
}

}  // namespace bleota::image::testing
