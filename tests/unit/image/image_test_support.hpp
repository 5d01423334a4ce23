// Helpers for the image tests: vector files, the manifest, key extraction, readables that watch
// how the code under test reads, and a builder for hand-made images.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bleota/image/image_header.hpp"
#include "bleota/image/image_verifier.hpp"
#include "bleota/readable.hpp"

namespace bleota::image::testing {

using Bytes = std::vector<uint8_t>;

std::string VectorPath(const std::string& relative);
Bytes ReadFile(const std::string& path);
Bytes ReadVector(const std::string& relative);
Bytes FromHex(const std::string& hex);
std::string ToHex(ConstByteSpan bytes);
const nlohmann::json& Manifest();
const nlohmann::json& ManifestImage(const std::string& name);

// DER of a PEM file's first block.
Bytes PemToDer(const std::string& pem_text);
// The 32-byte private key inside a PKCS#8 P-256 or X25519 key (checked, not guessed).
Bytes P256PrivateScalarFromPkcs8(const Bytes& der);
Bytes X25519PrivateFromPkcs8(const Bytes& der);
// SubjectPublicKeyInfo DER of a public-key PEM.
Bytes SpkiFromPem(const std::string& relative);

// Everything needed to verify one manifest entry: trusted key and decryption keys own their bytes.
struct VectorKeys {
  Bytes spki;
  KeyAlgorithm algorithm = KeyAlgorithm::kEcdsaP256;
  Bytes ec256_private;
  Bytes x25519_private;
  Bytes kek;
  TrustedKey trusted;
  DecryptionKeys decryption;
};
// Keys named by a manifest entry (verify_key, encryption.key); `keys` must stay where it is.
void LoadVectorKeys(const nlohmann::json& entry, VectorKeys& keys);
// Options for verifying `keys`' image; allow_unsigned when the entry has no verify key.
VerifyOptions OptionsFor(const nlohmann::json& entry, const VectorKeys& keys);

// A Readable over bytes that records every read, can refuse reads above a size, and reads
// through an exactly-sized heap copy so ASan sees any overrun.
class RecordingReadable final : public Readable {
 public:
  explicit RecordingReadable(ConstByteSpan bytes, uint32_t max_read = UINT32_MAX)
      : bytes_(bytes.begin(), bytes.end()), max_read_(max_read) {}
  Status Read(uint32_t offset, ByteSpan out) override;
  uint32_t size() const override { return static_cast<uint32_t>(bytes_.size()); }

  uint32_t largest_read() const { return largest_read_; }
  uint64_t total_read() const { return total_read_; }
  uint32_t read_count() const { return read_count_; }
  bool refused_a_read() const { return refused_; }
  // Reads that asked for bytes past size(): code that checks its bounds never makes one.
  uint32_t out_of_range_reads() const { return out_of_range_reads_; }

 private:
  Bytes bytes_;
  uint32_t max_read_;
  uint32_t largest_read_ = 0;
  uint64_t total_read_ = 0;
  uint32_t read_count_ = 0;
  bool refused_ = false;
  uint32_t out_of_range_reads_ = 0;
};

struct RawTlv {
  uint16_t type = 0;
  Bytes value;
  uint16_t length_override = 0;  // when nonzero, written instead of value.size()
};

// Builds images field by field; hdr_size padding is 0xFF like imgtool --pad-header.
struct ImageBuilder {
  ImageHeader header;
  Bytes payload;
  std::vector<RawTlv> protected_tlvs;
  std::vector<RawTlv> tlvs;
  bool fix_sizes = true;    // set img_size and protect_tlv_size from the contents
  bool add_sha256 = false;  // append a SHA256 TLV over the hashed region (computed here)
  uint16_t prot_magic = kTlvProtInfoMagic;
  uint16_t tlv_magic = kTlvInfoMagic;
  int32_t prot_tot_override = -1;
  int32_t tlv_tot_override = -1;

  ImageBuilder();
  Bytes Build() const;
};

// Splits a valid image into its hashed prefix [0, tlv_offset) and its unprotected TLVs, and
// joins them back (tlv_tot recomputed): for tests that edit the unprotected area.
struct UnprotectedEdit {
  Bytes prefix;
  std::vector<RawTlv> tlvs;
  static UnprotectedEdit From(const Bytes& image);
  Bytes Join() const;
  RawTlv* Find(uint16_t type);
};

}  // namespace bleota::image::testing
