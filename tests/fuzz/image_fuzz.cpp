// libFuzzer target: an arbitrary byte string is a slot holding an image. Runs the header parse,
// the TLV walks, ReadProtectedTlvs, VerifyImage (both payload forms, two chunk sizes) and the
// decryptor, and checks properties that must hold for every input, so an inconsistent layout, a
// walk outside its area or a wrong accept aborts just like a memory error does.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bleota/bytes.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/image_verifier.hpp"
#include "bleota/image/tlv.hpp"
#include "bleota/readable.hpp"
#include "bleota/status.hpp"
#include "vector_keys.hpp"

namespace bleota::image {
namespace {

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, condition);
  std::abort();
}

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : CheckFailed(__FILE__, __LINE__, #condition))

// Inputs above this are not slots the device could have; skipping them keeps replay of a stray
// huge file from allocating without bound. scripts/fuzz runs with a much smaller -max_len.
constexpr size_t kMaxInputSize = 4u << 20;

// Chunk size of the second verification pass: odd, so reads straddle every field boundary.
constexpr size_t kOddChunkSize = 61;

const TrustedKey kTrustedKeys[] = {
    {KeyAlgorithm::kEcdsaP256, vectors::kSignEcdsaP256Spki},
    {KeyAlgorithm::kEd25519, vectors::kSignEd25519Spki},
};

// The device's keys. It holds one KEK; the harness gives it the one of the image's AES key size,
// so the ENC_KW vectors of both sizes decrypt.
DecryptionKeys DeviceKeysFor(uint32_t flags) {
  DecryptionKeys keys;
  keys.ec256_private = vectors::kEncEc256Private;
  keys.x25519_private = vectors::kEncX25519Private;
  keys.kek = (flags & kFlagEncryptedAes256) != 0 ? ConstByteSpan(vectors::kEncAes256Kek)
                                                 : ConstByteSpan(vectors::kEncAes128Kek);
  return keys;
}

// BLEOTA_FUZZ_TRACE=1 prints each input's outcomes (to see what a corpus exercises).
bool TraceEnabled() {
  static const bool enabled = std::getenv("BLEOTA_FUZZ_TRACE") != nullptr;
  return enabled;
}

const char* Outcome(Status status) { return status.ok() ? "accepted" : status.name(); }

bool IsImageCheckCode(StatusCode code) {
  return code >= StatusCode::kImageHeaderMagic && code <= StatusCode::kImageUnsupported;
}

// A rejection names one of the image checks, and the fault (when one was reported) agrees.
void CheckRejection(Status status, const ImageFault& fault) {
  FUZZ_CHECK(!status.ok());
  FUZZ_CHECK(IsImageCheckCode(status.code()));
  FUZZ_CHECK(fault.code == StatusCode::kOk || fault.code == status.code());
}

bool SameLayout(const ImageLayout& a, const ImageLayout& b) {
  return a.header.magic == b.header.magic && a.header.load_addr == b.header.load_addr &&
         a.header.hdr_size == b.header.hdr_size &&
         a.header.protect_tlv_size == b.header.protect_tlv_size &&
         a.header.img_size == b.header.img_size && a.header.flags == b.header.flags &&
         CompareImageVersions(a.header.version, b.header.version) == 0 &&
         a.payload_offset == b.payload_offset && a.payload_size == b.payload_size &&
         a.protected_tlv_offset == b.protected_tlv_offset &&
         a.protected_tlv_size == b.protected_tlv_size && a.tlv_offset == b.tlv_offset &&
         a.tlv_size == b.tlv_size && a.tlv_end == b.tlv_end && a.unknown_flags == b.unknown_flags;
}

bool SameProtectedTlvs(const ProtectedTlvs& a, const ProtectedTlvs& b) {
  if (a.has_security_counter != b.has_security_counter ||
      a.security_counter != b.security_counter || a.dependency_count != b.dependency_count) {
    return false;
  }
  for (uint8_t i = 0; i < a.dependency_count; ++i) {
    if (a.dependencies[i].image_id != b.dependencies[i].image_id ||
        CompareImageVersions(a.dependencies[i].min_version, b.dependencies[i].min_version) != 0) {
      return false;
    }
  }
  return true;
}

// Every area ParseImageHeader accepted lies inside the input and matches the raw bytes.
void CheckLayout(const ImageLayout& layout, ConstByteSpan bytes) {
  const uint32_t size = static_cast<uint32_t>(bytes.size());
  const ImageHeader& header = layout.header;
  FUZZ_CHECK(header.magic == kImageMagic);
  FUZZ_CHECK(header.hdr_size >= kImageHeaderSize);
  FUZZ_CHECK(layout.payload_offset == header.hdr_size);
  FUZZ_CHECK(layout.payload_size == header.img_size);
  FUZZ_CHECK(RangeWithin(layout.payload_offset, layout.payload_size, size));
  FUZZ_CHECK(layout.protected_tlv_offset == layout.payload_offset + layout.payload_size);
  FUZZ_CHECK(layout.protected_tlv_size == header.protect_tlv_size);
  if (layout.protected_tlv_size != 0) {
    FUZZ_CHECK(layout.protected_tlv_size >= kTlvInfoSize);
    FUZZ_CHECK(RangeWithin(layout.protected_tlv_offset, layout.protected_tlv_size, size));
    const uint8_t* info = bytes.data() + layout.protected_tlv_offset;
    FUZZ_CHECK(LoadLe16(info) == kTlvProtInfoMagic);
    FUZZ_CHECK(LoadLe16(info + 2) == layout.protected_tlv_size);
  }
  FUZZ_CHECK(layout.tlv_offset == layout.protected_tlv_offset + layout.protected_tlv_size);
  FUZZ_CHECK(layout.tlv_size >= kTlvInfoSize);
  FUZZ_CHECK(RangeWithin(layout.tlv_offset, layout.tlv_size, size));
  FUZZ_CHECK(layout.tlv_end == layout.tlv_offset + layout.tlv_size);
  FUZZ_CHECK(LoadLe16(bytes.data() + layout.tlv_offset) == kTlvInfoMagic);
  FUZZ_CHECK(LoadLe16(bytes.data() + layout.tlv_offset + 2) == layout.tlv_size);
  FUZZ_CHECK(layout.unknown_flags == (header.flags & ~kFlagsKnown));
  FUZZ_CHECK(layout.hash_region_end() == layout.tlv_offset);

  // Decode/encode round trip: every field but the reserved pad word comes back unchanged.
  uint8_t encoded[kImageHeaderSize];
  EncodeImageHeader(header, encoded);
  FUZZ_CHECK(std::memcmp(encoded, bytes.data(), kImageHeaderSize - 4) == 0);
}

struct Walk {
  std::vector<TlvEntry> entries;
  Status status;
};

bool SameEntry(const TlvEntry& a, const TlvEntry& b) {
  return a.type == b.type && a.length == b.length && a.value_offset == b.value_offset &&
         a.is_protected == b.is_protected;
}

// Walks `area`, checking every entry lies inside its area and follows the previous one.
Walk WalkTlvs(Readable& image, const ImageLayout& layout, TlvArea area, ConstByteSpan bytes) {
  const uint32_t protected_begin = layout.protected_tlv_offset + kTlvInfoSize;
  const uint32_t protected_end = layout.protected_tlv_offset + layout.protected_tlv_size;
  const uint32_t unprotected_begin = layout.tlv_offset + kTlvInfoSize;
  // Every entry takes at least its 4-byte header: more steps than this means the walk loops.
  const size_t max_entries = (layout.protected_tlv_size + layout.tlv_size) / kTlvEntryHeaderSize;

  Walk walk;
  TlvIterator it(image, layout, area);
  uint32_t expected_next = 0;
  bool previous_protected = false;
  static uint8_t value[UINT16_MAX];
  while (true) {
    TlvEntry entry;
    ImageFault fault;
    Result<bool> more = it.Next(entry, &fault);
    if (!more.ok()) {
      walk.status = more.status();
      FUZZ_CHECK(walk.status.code() == StatusCode::kImageTlvBounds);
      FUZZ_CHECK(fault.code == StatusCode::kImageTlvBounds);
      // A failed iterator stays failed: a caller cannot walk on past a bad entry.
      FUZZ_CHECK(it.Next(entry).status() == walk.status);
      return walk;
    }
    if (!*more) return walk;
    FUZZ_CHECK(walk.entries.size() < max_entries);
    FUZZ_CHECK(area != TlvArea::kProtected || entry.is_protected);
    FUZZ_CHECK(area != TlvArea::kUnprotected || !entry.is_protected);
    const uint32_t begin = entry.is_protected ? protected_begin : unprotected_begin;
    const uint32_t end = entry.is_protected ? protected_end : layout.tlv_end;
    FUZZ_CHECK(entry.value_offset >= begin + kTlvEntryHeaderSize);
    FUZZ_CHECK(RangeWithin(entry.value_offset, entry.length, end));
    // Entries are contiguous: the first starts its area, each next one ends the previous.
    const bool first_in_area = walk.entries.empty() || previous_protected != entry.is_protected;
    FUZZ_CHECK(entry.value_offset - kTlvEntryHeaderSize == (first_in_area ? begin : expected_next));
    const uint8_t* raw = bytes.data() + entry.value_offset - kTlvEntryHeaderSize;
    FUZZ_CHECK(LoadLe16(raw) == entry.type && LoadLe16(raw + 2) == entry.length);

    FUZZ_CHECK(ReadTlvValue(image, entry, ByteSpan(value, entry.length)).ok());
    FUZZ_CHECK(std::memcmp(value, bytes.data() + entry.value_offset, entry.length) == 0);
    if (entry.length > 0) {
      FUZZ_CHECK(ReadTlvValue(image, entry, ByteSpan(value, entry.length - 1u)).code() ==
                 StatusCode::kResourceExhausted);
    }
    expected_next = entry.value_offset + entry.length;
    previous_protected = entry.is_protected;
    walk.entries.push_back(entry);
  }
}

// kBoth is the protected walk followed by the unprotected one.
void CheckWalks(Readable& image, const ImageLayout& layout, ConstByteSpan bytes) {
  const Walk both = WalkTlvs(image, layout, TlvArea::kBoth, bytes);
  const Walk prot = WalkTlvs(image, layout, TlvArea::kProtected, bytes);
  const Walk unprot = WalkTlvs(image, layout, TlvArea::kUnprotected, bytes);
  std::vector<TlvEntry> joined = prot.entries;
  if (prot.status.ok()) joined.insert(joined.end(), unprot.entries.begin(), unprot.entries.end());
  FUZZ_CHECK(both.status.ok() == (prot.status.ok() && unprot.status.ok()));
  FUZZ_CHECK(both.entries.size() == joined.size());
  for (size_t i = 0; i < joined.size(); ++i) FUZZ_CHECK(SameEntry(both.entries[i], joined[i]));

  ImageFault fault;
  Result<ProtectedTlvs> tlvs = ReadProtectedTlvs(image, layout, &fault);
  if (!tlvs.ok()) {
    CheckRejection(tlvs.status(), fault);
    return;
  }
  FUZZ_CHECK(prot.status.ok());
  FUZZ_CHECK(tlvs->dependency_count <= kMaxDependencies);
  bool seen_counter = false;
  uint8_t dependencies = 0;
  for (const TlvEntry& entry : prot.entries) {
    const uint8_t* value = bytes.data() + entry.value_offset;
    if (entry.type == kTlvSecCnt) {
      FUZZ_CHECK(!seen_counter && entry.length == kSecCntValueSize);
      FUZZ_CHECK(tlvs->security_counter == LoadLe32(value));
      seen_counter = true;
    } else if (entry.type == kTlvDependency) {
      FUZZ_CHECK(entry.length == kDependencyValueSize && dependencies < tlvs->dependency_count);
      FUZZ_CHECK(tlvs->dependencies[dependencies].image_id == value[0]);
      ++dependencies;
    }
  }
  FUZZ_CHECK(tlvs->has_security_counter == seen_counter);
  FUZZ_CHECK(tlvs->dependency_count == dependencies);
}

struct Pass {
  PayloadForm form = PayloadForm::kAsStored;
  size_t chunk_size = 0;  // 0: the verifier's own buffer
  bool permissive = false;
};

Result<VerifiedImage> RunVerify(Readable& image, uint32_t flags, const Pass& pass,
                                ImageFault& fault) {
  static uint8_t chunk[4096];
  VerifyOptions options;
  options.keys = kTrustedKeys;
  options.decryption = DeviceKeysFor(flags);
  options.payload_form = pass.form;
  options.allow_unsigned = pass.permissive;
  options.allow_ram_load = pass.permissive;
  options.work_buffer = ByteSpan(chunk, pass.chunk_size);
  return VerifyImage(image, options, &fault);
}

// What every accepted image satisfies.
void CheckAccepted(const VerifiedImage& verified, const ImageLayout& layout,
                   const ProtectedTlvs& protected_tlvs, const Pass& pass, ConstByteSpan bytes) {
  FUZZ_CHECK(SameLayout(verified.layout, layout));
  FUZZ_CHECK(SameProtectedTlvs(verified.protected_tlvs, protected_tlvs));
  FUZZ_CHECK(layout.unknown_flags == 0);
  FUZZ_CHECK((layout.header.flags & kFlagsCompressed) == 0);
  FUZZ_CHECK(EncryptionKeySize(layout.header.flags) != kInvalidKeySize);
  FUZZ_CHECK(pass.permissive || (layout.header.flags & kFlagRamLoad) == 0);
  FUZZ_CHECK(verified.encrypted == layout.encrypted());

  if (verified.signature == SignatureKind::kNone) {
    FUZZ_CHECK(pass.permissive);
    FUZZ_CHECK(verified.key_index == -1 && verified.key_reference == KeyReference::kNone);
  } else {
    FUZZ_CHECK(verified.key_index >= 0 &&
               static_cast<size_t>(verified.key_index) < std::size(kTrustedKeys));
    const KeyAlgorithm algorithm = kTrustedKeys[verified.key_index].algorithm;
    FUZZ_CHECK((verified.signature == SignatureKind::kEd25519) ==
               (algorithm == KeyAlgorithm::kEd25519));
    FUZZ_CHECK(verified.key_reference != KeyReference::kNone);
  }

  const bool decrypted_while_hashing = verified.encrypted && pass.form == PayloadForm::kAsStored;
  FUZZ_CHECK(decrypted_while_hashing ? IsSupportedEncTlv(verified.enc_tlv_type)
                                     : verified.enc_tlv_type == 0);
  if (!decrypted_while_hashing) {
    // The stored bytes were hashed as they are: an independent one-shot digest must agree.
    uint8_t digest[crypto::kSha256Size];
    FUZZ_CHECK(crypto::Sha256Digest(bytes.first(layout.hash_region_end()), digest).ok());
    FUZZ_CHECK(std::memcmp(digest, verified.hash, sizeof(digest)) == 0);
  }
}

// An accepted encrypted image, decrypted piecewise in reverse order through ImageDecryptor, is
// the image an MCUboot swap leaves in the primary slot: it verifies in kDecrypted form to the
// same hash and key.
void CheckDecryptRoundTrip(Readable& image, const VerifiedImage& verified, ConstByteSpan bytes) {
  const ImageLayout& layout = verified.layout;
  ImageDecryptor decryptor;
  FUZZ_CHECK(decryptor.Open(image, layout, DeviceKeysFor(layout.header.flags)).ok());

  std::vector<uint8_t> plain(bytes.begin(), bytes.end());
  constexpr uint32_t kPiece = 13;
  for (uint32_t end = layout.payload_size; end > 0;) {
    const uint32_t begin = end > kPiece ? end - kPiece : 0;
    FUZZ_CHECK(
        decryptor.Crypt(begin, ByteSpan(plain.data() + layout.payload_offset + begin, end - begin))
            .ok());
    end = begin;
  }
  uint8_t past_end = 0;
  FUZZ_CHECK(decryptor.Crypt(layout.payload_size, ByteSpan(&past_end, 1)).code() ==
             StatusCode::kOutOfRange);
  decryptor.Close();
  FUZZ_CHECK(decryptor.Crypt(0, ByteSpan(&past_end, 1)).code() == StatusCode::kFailedPrecondition);

  MemoryReadable plain_image(plain);
  ImageFault fault;
  const Pass decrypted{PayloadForm::kDecrypted, 0, false};
  Result<VerifiedImage> again = RunVerify(plain_image, layout.header.flags, decrypted, fault);
  FUZZ_CHECK(again.ok());
  FUZZ_CHECK(std::memcmp(again->hash, verified.hash, sizeof(verified.hash)) == 0);
  FUZZ_CHECK(again->key_index == verified.key_index);
}

void FuzzImage(ConstByteSpan bytes) {
  MemoryReadable image(bytes);
  ImageFault parse_fault;
  Result<ImageLayout> parsed = ParseImageHeader(image, &parse_fault);

  const Pass as_stored{PayloadForm::kAsStored, 0, false};
  const Pass decrypted_odd_chunks{PayloadForm::kDecrypted, kOddChunkSize, false};
  const Pass permissive{PayloadForm::kAsStored, 4096, true};

  if (!parsed.ok()) {
    if (TraceEnabled()) std::fprintf(stderr, "  parse=%s\n", parsed.status().name());
    CheckRejection(parsed.status(), parse_fault);
    // VerifyImage runs the same parse first and must fail the same way.
    ImageFault fault;
    Result<VerifiedImage> verified = RunVerify(image, 0, as_stored, fault);
    FUZZ_CHECK(!verified.ok() && verified.status() == parsed.status());
    return;
  }
  const ImageLayout& layout = *parsed;
  CheckLayout(layout, bytes);
  CheckWalks(image, layout, bytes);
  ProtectedTlvs protected_tlvs;
  {
    Result<ProtectedTlvs> tlvs = ReadProtectedTlvs(image, layout);
    if (tlvs.ok()) protected_tlvs = *tlvs;
  }

  const uint32_t flags = layout.header.flags;
  ImageFault fault_a;
  Result<VerifiedImage> a = RunVerify(image, flags, as_stored, fault_a);
  if (a.ok()) {
    CheckAccepted(*a, layout, protected_tlvs, as_stored, bytes);
    if (a->encrypted) CheckDecryptRoundTrip(image, *a, bytes);
  } else {
    CheckRejection(a.status(), fault_a);
  }

  ImageFault fault_b;
  Result<VerifiedImage> b = RunVerify(image, flags, decrypted_odd_chunks, fault_b);
  if (b.ok()) {
    CheckAccepted(*b, layout, protected_tlvs, decrypted_odd_chunks, bytes);
  } else {
    CheckRejection(b.status(), fault_b);
  }
  if (!layout.encrypted()) {
    // Without encryption the payload form means nothing, and the chunk size never matters.
    FUZZ_CHECK(a.status() == b.status());
    if (a.ok()) FUZZ_CHECK(std::memcmp(a->hash, b->hash, sizeof(a->hash)) == 0);
  }

  // Rejected as unsigned or RAM_LOAD: the permissive options reach the later checks.
  Status permissive_status = StatusCode::kNotFound;  // "not run", for the trace
  if (!a.ok() && (a.status().code() == StatusCode::kImageMissingTlv ||
                  a.status().code() == StatusCode::kImageUnsupported)) {
    ImageFault fault_c;
    Result<VerifiedImage> c = RunVerify(image, flags, permissive, fault_c);
    permissive_status = c.status();
    if (c.ok()) {
      CheckAccepted(*c, layout, protected_tlvs, permissive, bytes);
    } else {
      CheckRejection(c.status(), fault_c);
    }
  }
  if (TraceEnabled()) {
    std::fprintf(
        stderr, "  as_stored=%s decrypted=%s permissive=%s\n", Outcome(a.status()),
        Outcome(b.status()),
        permissive_status.code() == StatusCode::kNotFound ? "-" : Outcome(permissive_status));
  }
}

}  // namespace
}  // namespace bleota::image

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > bleota::image::kMaxInputSize) return -1;  // not kept in the corpus
  bleota::image::FuzzImage(bleota::ConstByteSpan(data, size));
  return 0;
}
