// Verifier policy, ambiguity and streaming behaviour, on vector images edited in their
// unprotected TLV area (which the hash does not cover) and on hand-made unsigned images.
#include "bleota/image/image_verifier.hpp"

#include <gtest/gtest.h>

#include <string>

#include "image_test_support.hpp"

namespace bleota::image {
namespace {

using testing::Bytes;
using testing::ImageBuilder;
using testing::RawTlv;
using testing::UnprotectedEdit;

struct Vector {
  explicit Vector(const std::string& name) : entry(testing::ManifestImage(name)) {
    testing::LoadVectorKeys(entry, keys);
    image = testing::ReadVector(entry["file"]);
  }
  VerifyOptions Options() const { return testing::OptionsFor(entry, keys); }

  const nlohmann::json& entry;
  testing::VectorKeys keys;
  Bytes image;
};

Result<VerifiedImage> Verify(const Bytes& image, const VerifyOptions& options,
                             ImageFault* fault = nullptr) {
  testing::RecordingReadable readable(image);
  return VerifyImage(readable, options, fault);
}

StatusCode VerifyCode(const Bytes& image, const VerifyOptions& options) {
  return Verify(image, options).status().code();
}

TEST(ImageVerifierTest, EditedUnprotectedAreaStillVerifies) {
  // The rebuild helper itself must not break a good image; vendor TLVs are ignored.
  Vector v("ecdsa_p256_h200");
  UnprotectedEdit edit = UnprotectedEdit::From(v.image);
  ASSERT_EQ(edit.Join(), v.image);
  edit.tlvs.push_back(RawTlv{0xa5, {1, 2, 3}});
  edit.tlvs.push_back(RawTlv{0x50, {9, 9, 9, 9}});  // unprotected SEC_CNT: not trusted, ignored
  auto verified = Verify(edit.Join(), v.Options());
  ASSERT_TRUE(verified.ok()) << verified.status().name();
  EXPECT_FALSE(verified->protected_tlvs.has_security_counter);
}

TEST(ImageVerifierTest, TlvOrderDoesNotMatter) {
  Vector v("ed25519_h200");
  UnprotectedEdit edit = UnprotectedEdit::From(v.image);
  std::reverse(edit.tlvs.begin(), edit.tlvs.end());
  EXPECT_TRUE(Verify(edit.Join(), v.Options()).ok());
}

TEST(ImageVerifierTest, DuplicatesAreRejectedWithTheirCheckId) {
  struct Case {
    const char* image;
    uint16_t type;
    StatusCode code;
  };
  const Case cases[] = {
      {"ecdsa_p256_h200", kTlvSha256, StatusCode::kImageHash},
      {"ecdsa_p256_h200", kTlvKeyHash, StatusCode::kImageKeyHash},
      {"ecdsa_p256_pubkey_full", kTlvPubKey, StatusCode::kImagePubKey},
      {"ecdsa_p256_h200", kTlvEcdsaSig, StatusCode::kImageSignature},
      {"ed25519_h200", kTlvEd25519, StatusCode::kImageSignature},
      {"enc_ec256_aes128", kTlvEncEc256, StatusCode::kImageEncKeyUnwrap},
      {"enc_kw_aes128", kTlvEncKw, StatusCode::kImageEncKeyUnwrap},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(std::string(c.image) + " type " + std::to_string(c.type));
    Vector v(c.image);
    UnprotectedEdit edit = UnprotectedEdit::From(v.image);
    const RawTlv* tlv = edit.Find(c.type);
    ASSERT_NE(tlv, nullptr);
    // An identical copy is as ambiguous as a different one: both are refused.
    const RawTlv copy = *tlv;
    edit.tlvs.push_back(copy);
    EXPECT_EQ(VerifyCode(edit.Join(), v.Options()), c.code);
    edit.tlvs.back().value[0] ^= 1;
    EXPECT_EQ(VerifyCode(edit.Join(), v.Options()), c.code);
  }
  // KEYHASH and PUBKEY together name the key twice.
  Vector v("ecdsa_p256_h200");
  UnprotectedEdit edit = UnprotectedEdit::From(v.image);
  edit.tlvs.push_back(RawTlv{kTlvPubKey, v.keys.spki});
  EXPECT_EQ(VerifyCode(edit.Join(), v.Options()), StatusCode::kImagePubKey);
  // Two different signature kinds.
  edit = UnprotectedEdit::From(v.image);
  edit.tlvs.push_back(RawTlv{kTlvEd25519, Bytes(64, 1)});
  EXPECT_EQ(VerifyCode(edit.Join(), v.Options()), StatusCode::kImageSignature);
}

TEST(ImageVerifierTest, MissingTlvs) {
  Vector v("ecdsa_p256_h200");
  for (uint16_t type : {kTlvSha256, kTlvKeyHash, kTlvEcdsaSig}) {
    UnprotectedEdit edit = UnprotectedEdit::From(v.image);
    std::erase_if(edit.tlvs, [type](const RawTlv& t) { return t.type == type; });
    ImageFault fault;
    EXPECT_EQ(Verify(edit.Join(), v.Options(), &fault).status().code(),
              StatusCode::kImageMissingTlv)
        << type;
    EXPECT_EQ(fault.code, StatusCode::kImageMissingTlv);
  }
  Vector enc("enc_x25519_aes128");
  UnprotectedEdit edit = UnprotectedEdit::From(enc.image);
  std::erase_if(edit.tlvs, [](const RawTlv& t) { return t.type == kTlvEncX25519; });
  EXPECT_EQ(VerifyCode(edit.Join(), enc.Options()), StatusCode::kImageMissingTlv);
}

TEST(ImageVerifierTest, UnsupportedTlvTypesAreRefused) {
  Vector v("ecdsa_p256_h200");
  for (uint16_t type : {kTlvSha384, kTlvSha512, kTlvRsa2048Pss, kTlvEcdsa224, kTlvRsa3072Pss,
                        kTlvSigPure, kTlvEncRsa2048, kTlvEncX25519Sha512}) {
    UnprotectedEdit edit = UnprotectedEdit::From(v.image);
    edit.tlvs.push_back(RawTlv{type, Bytes(32, 0)});
    EXPECT_EQ(VerifyCode(edit.Join(), v.Options()), StatusCode::kImageUnsupported) << type;
  }
}

TEST(ImageVerifierTest, MalformedLengthsUseTheTlvsCheckId) {
  Vector v("ecdsa_p256_h200");
  struct Case {
    uint16_t type;
    size_t size;
    StatusCode code;
  };
  for (const Case& c :
       {Case{kTlvSha256, 31, StatusCode::kImageHash}, Case{kTlvSha256, 33, StatusCode::kImageHash},
        Case{kTlvKeyHash, 20, StatusCode::kImageKeyHash},
        Case{kTlvEcdsaSig, 73, StatusCode::kImageSignature},
        Case{kTlvEcdsaSig, 7, StatusCode::kImageSignature}}) {
    UnprotectedEdit edit = UnprotectedEdit::From(v.image);
    edit.Find(c.type)->value.resize(c.size, 0);
    EXPECT_EQ(VerifyCode(edit.Join(), v.Options()), c.code) << c.type << " len " << c.size;
  }
  Vector ed("ed25519_h200");
  UnprotectedEdit edit = UnprotectedEdit::From(ed.image);
  edit.Find(kTlvEd25519)->value.resize(63);
  EXPECT_EQ(VerifyCode(edit.Join(), ed.Options()), StatusCode::kImageSignature);
}

TEST(ImageVerifierTest, KeyTableMatching) {
  Vector ecdsa("ecdsa_p256_h200");
  Vector ed("ed25519_h200");
  const Bytes wrong_spki = testing::SpkiFromPem("keys/wrong-ecdsa-p256-pub.pem");
  const TrustedKey table[] = {
      {KeyAlgorithm::kEcdsaP256, wrong_spki},
      {KeyAlgorithm::kEd25519, ed.keys.spki},
      {KeyAlgorithm::kEcdsaP256, ecdsa.keys.spki},
  };
  VerifyOptions options;
  options.keys = table;
  auto verified = Verify(ecdsa.image, options);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->key_index, 2);
  verified = Verify(ed.image, options);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->key_index, 1);
  Vector ed_full("ed25519_pubkey_full");
  verified = Verify(ed_full.image, options);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->key_index, 1);
  EXPECT_EQ(verified->key_reference, KeyReference::kPubKey);

  // No trusted keys at all: the named key is not found.
  options.keys = {};
  EXPECT_EQ(VerifyCode(ecdsa.image, options), StatusCode::kImageKeyHash);
  Vector full("ecdsa_p256_pubkey_full");
  EXPECT_EQ(VerifyCode(full.image, options), StatusCode::kImagePubKey);

  // A key is only used for its own algorithm, even when its hash is named.
  const TrustedKey mislabeled[] = {{KeyAlgorithm::kEd25519, ecdsa.keys.spki}};
  options.keys = mislabeled;
  EXPECT_EQ(VerifyCode(ecdsa.image, options), StatusCode::kInvalidArgument);  // not an Ed25519 SPKI
  const TrustedKey other_algorithm[] = {{KeyAlgorithm::kEd25519, ed.keys.spki}};
  options.keys = other_algorithm;
  EXPECT_EQ(VerifyCode(ecdsa.image, options), StatusCode::kImageKeyHash);

  // The signature must come from the named key: name the wrong (but trusted) key.
  const TrustedKey both[] = {{KeyAlgorithm::kEcdsaP256, ecdsa.keys.spki},
                             {KeyAlgorithm::kEcdsaP256, wrong_spki}};
  options.keys = both;
  UnprotectedEdit edit = UnprotectedEdit::From(ecdsa.image);
  uint8_t wrong_hash[32];
  ASSERT_TRUE(crypto::Sha256Digest(wrong_spki, wrong_hash).ok());
  edit.Find(kTlvKeyHash)->value.assign(wrong_hash, wrong_hash + 32);
  EXPECT_EQ(VerifyCode(edit.Join(), options), StatusCode::kImageSignature);
}

TEST(ImageVerifierTest, TrustedKeysMustBeWellFormed) {
  Vector v("ecdsa_p256_h200");
  Bytes truncated = v.keys.spki;
  truncated.pop_back();
  Bytes bad_prefix = v.keys.spki;
  bad_prefix[3] ^= 1;
  for (const Bytes& spki : {truncated, bad_prefix}) {
    const TrustedKey key{KeyAlgorithm::kEcdsaP256, spki};
    EXPECT_EQ(ValidateTrustedKey(key).code(), StatusCode::kInvalidArgument);
    VerifyOptions options;
    options.keys = std::span<const TrustedKey>(&key, 1);
    EXPECT_EQ(VerifyCode(v.image, options), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(ValidateTrustedKey({KeyAlgorithm::kEcdsaP256, v.keys.spki}).ok());
  EXPECT_EQ(ValidateTrustedKey({static_cast<KeyAlgorithm>(7), v.keys.spki}).code(),
            StatusCode::kInvalidArgument);
}

TEST(ImageVerifierTest, UnsignedImagesOnlyByPolicy) {
  Vector v("hash_only_h20");
  VerifyOptions options;
  ImageFault fault;
  EXPECT_EQ(Verify(v.image, options, &fault).status().code(), StatusCode::kImageMissingTlv);
  EXPECT_STREQ(fault.field, "signature");
  options.allow_unsigned = true;
  auto verified = Verify(v.image, options);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->key_index, -1);
  EXPECT_EQ(verified->signature, SignatureKind::kNone);

  // allow_unsigned does not weaken signed images: a bad signature still fails.
  Vector signed_image("ecdsa_p256_h200");
  UnprotectedEdit edit = UnprotectedEdit::From(signed_image.image);
  edit.Find(kTlvEcdsaSig)->value[10] ^= 0x40;
  VerifyOptions signed_options = signed_image.Options();
  signed_options.allow_unsigned = true;
  EXPECT_EQ(VerifyCode(edit.Join(), signed_options), StatusCode::kImageSignature);
}

ImageBuilder UnsignedImage(uint32_t flags) {
  ImageBuilder b;
  b.header.flags = flags;
  b.payload = Bytes(64, 0x3c);
  b.add_sha256 = true;
  return b;
}

TEST(ImageVerifierTest, FlagPolicy) {
  VerifyOptions options;
  options.allow_unsigned = true;
  ASSERT_TRUE(VerifyCode(UnsignedImage(0).Build(), options) == StatusCode::kOk);
  EXPECT_TRUE(
      Verify(UnsignedImage(kFlagRomFixed | kFlagNonBootable | kFlagPic).Build(), options).ok());
  for (uint32_t flags : {kFlagCompressedLzma1, kFlagCompressedLzma2, kFlagCompressedArmThumbFlt,
                         kFlagsEncrypted, 0x2u, 0x80000000u, kFlagRamLoad}) {
    ImageFault fault;
    EXPECT_EQ(Verify(UnsignedImage(flags).Build(), options, &fault).status().code(),
              StatusCode::kImageUnsupported)
        << flags;
    EXPECT_STREQ(fault.field, "flags");
  }
  options.allow_ram_load = true;
  EXPECT_TRUE(Verify(UnsignedImage(kFlagRamLoad).Build(), options).ok());
}

TEST(ImageVerifierTest, VerifierTlvsInsideTheProtectedAreaAreRefused) {
  ImageBuilder b = UnsignedImage(0);
  b.protected_tlvs.push_back(RawTlv{kTlvKeyHash, Bytes(32, 0)});
  VerifyOptions options;
  options.allow_unsigned = true;
  EXPECT_EQ(VerifyCode(b.Build(), options), StatusCode::kImageUnsupported);
  b.protected_tlvs = {RawTlv{0xa0, {1}}, RawTlv{kTlvSecCnt, {3, 0, 0, 0}}};
  auto verified = Verify(b.Build(), options);
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->protected_tlvs.security_counter, 3u);
}

TEST(ImageVerifierTest, ReadsAreChunkedAndTheImageIsReadOnce) {
  Vector v("ecdsa_p256_large");
  // Default chunk: no read above the internal chunk or the largest TLV value.
  testing::RecordingReadable readable(v.image, kDefaultChunkSize);
  auto verified = VerifyImage(readable, v.Options());
  ASSERT_TRUE(verified.ok()) << verified.status().name();
  EXPECT_FALSE(readable.refused_a_read());
  EXPECT_LE(readable.largest_read(), kDefaultChunkSize);
  // Each byte of the hashed region once, plus the TLV headers and the values used.
  EXPECT_GE(readable.total_read(), verified->layout.hash_region_end());
  EXPECT_LE(readable.total_read(), uint64_t{verified->layout.tlv_end} + 512);

  // A small caller buffer bounds reads further; only TLV values may be larger.
  uint8_t work[24];
  VerifyOptions options = v.Options();
  options.work_buffer = work;
  testing::RecordingReadable small(v.image, kEcdsaP256SpkiSize);
  ASSERT_TRUE(VerifyImage(small, options).ok());
  EXPECT_LE(small.largest_read(), 72u);  // the DER signature
  EXPECT_GT(small.read_count(), v.image.size() / sizeof(work));

  // A readable that refuses reads above 32 bytes makes the default chunk fail: the limit
  // above is really observed, not just tolerated.
  testing::RecordingReadable refusing(v.image, 32);
  EXPECT_FALSE(VerifyImage(refusing, v.Options()).ok());
  EXPECT_TRUE(refusing.refused_a_read());
}

TEST(ImageVerifierTest, EncryptedImageNeedsItsDecryptionKey) {
  Vector v("enc_ec256_aes128");
  VerifyOptions options = v.Options();
  options.decryption = {};
  ImageFault fault;
  EXPECT_EQ(Verify(v.image, options, &fault).status().code(), StatusCode::kImageEncKeyUnwrap);
  EXPECT_STREQ(fault.field, "ec256_private_key");
  // A key of another kind does not help.
  options.decryption.x25519_private = v.keys.ec256_private;
  EXPECT_EQ(VerifyCode(v.image, options), StatusCode::kImageEncKeyUnwrap);
  // The right key of the right kind works, and the result says how it was decrypted.
  auto verified = Verify(v.image, v.Options());
  ASSERT_TRUE(verified.ok());
  EXPECT_EQ(verified->enc_tlv_type, kTlvEncEc256);
  EXPECT_TRUE(verified->encrypted);
}

TEST(ImageVerifierTest, ComputeImageHashArguments) {
  Vector v("ecdsa_p256_h200");
  MemoryReadable readable(v.image);
  auto layout = ParseImageHeader(readable);
  ASSERT_TRUE(layout.ok());
  uint8_t digest[32];
  EXPECT_EQ(ComputeImageHash(readable, *layout, nullptr, {}, digest).code(),
            StatusCode::kInvalidArgument);
  ImageDecryptor closed;
  uint8_t work[16];
  EXPECT_EQ(ComputeImageHash(readable, *layout, &closed, work, digest).code(),
            StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ComputeImageHash(readable, *layout, nullptr, work, digest).ok());
  EXPECT_EQ(testing::ToHex(digest), v.entry["sha256"].get<std::string>());
}

}  // namespace
}  // namespace bleota::image
