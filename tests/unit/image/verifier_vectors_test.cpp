// Every image of the imgtool vector set: valid ones verify (and decrypt to the expected bytes),
// must-fail ones fail with exactly the manifest's check id.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>

#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_verifier.hpp"
#include "image_test_support.hpp"

namespace bleota::image {
namespace {

using testing::Bytes;

std::vector<std::string> ImageNames(const std::string& kind, bool encrypted_only = false) {
  std::vector<std::string> names;
  for (const auto& entry : testing::Manifest()["images"]) {
    if (entry["kind"] != kind) continue;
    if (encrypted_only && !entry["encryption"].is_object()) continue;
    names.push_back(entry["name"]);
  }
  return names;
}

class ValidVectorTest : public ::testing::TestWithParam<std::string> {};
class EncryptedVectorTest : public ::testing::TestWithParam<std::string> {};
class InvalidVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(ValidVectorTest, Verifies) {
  const auto& entry = testing::ManifestImage(GetParam());
  testing::VectorKeys keys;
  testing::LoadVectorKeys(entry, keys);
  const Bytes image = testing::ReadVector(entry["file"]);
  testing::RecordingReadable readable(image);
  ImageFault fault;
  auto verified = VerifyImage(readable, testing::OptionsFor(entry, keys), &fault);
  ASSERT_TRUE(verified.ok()) << verified.status().name() << " at " << fault.field;

  EXPECT_EQ(testing::ToHex(verified->hash), entry["sha256"].get<std::string>());
  const bool signed_image = !entry["verify_key"].is_null();
  EXPECT_EQ(verified->key_index, signed_image ? 0 : -1);
  if (signed_image) {
    const std::string type = entry["signature_type"];
    EXPECT_EQ(verified->signature,
              type == "ED25519" ? SignatureKind::kEd25519 : SignatureKind::kEcdsaP256);
    EXPECT_EQ(verified->key_reference,
              entry.contains("keyhash") ? KeyReference::kKeyHash : KeyReference::kPubKey);
  } else {
    EXPECT_EQ(verified->signature, SignatureKind::kNone);
  }
  if (entry["security_counter"].is_null()) {
    EXPECT_FALSE(verified->protected_tlvs.has_security_counter);
  } else {
    EXPECT_TRUE(verified->protected_tlvs.has_security_counter);
    EXPECT_EQ(verified->protected_tlvs.security_counter, entry["security_counter"].get<uint32_t>());
  }
  EXPECT_EQ(verified->encrypted, entry["encryption"].is_object());
  EXPECT_EQ(verified->layout.tlv_end, entry["layout"]["tlv_end"].get<uint32_t>());
  EXPECT_LE(readable.largest_read(),
            kMaxEncTlvSize > kDefaultChunkSize ? kMaxEncTlvSize : kDefaultChunkSize);
}

TEST_P(EncryptedVectorTest, DecryptsToTheExpectedImage) {
  const auto& entry = testing::ManifestImage(GetParam());
  const auto& enc = entry["encryption"];
  testing::VectorKeys keys;
  testing::LoadVectorKeys(entry, keys);
  const Bytes image = testing::ReadVector(entry["file"]);
  const Bytes expected = testing::ReadVector(enc["decrypted_image"]);
  ASSERT_EQ(image.size(), expected.size());

  MemoryReadable readable(image);
  auto layout = ParseImageHeader(readable);
  ASSERT_TRUE(layout.ok());
  ImageKey key;
  ASSERT_TRUE(UnwrapImageKey(readable, *layout, keys.decryption, key).ok());
  EXPECT_EQ(testing::ToHex(key.span()), enc["image_aes_key_hex"].get<std::string>());

  ImageDecryptor decryptor;
  ASSERT_TRUE(decryptor.Open(readable, *layout, keys.decryption).ok());
  Bytes decrypted = image;
  // Odd-sized pieces, so block boundaries fall everywhere.
  for (uint32_t offset = 0; offset < layout->payload_size;) {
    const uint32_t n = std::min<uint32_t>(37, layout->payload_size - offset);
    ASSERT_TRUE(
        decryptor.Crypt(offset, ByteSpan(decrypted.data() + layout->payload_offset + offset, n))
            .ok());
    offset += n;
  }
  EXPECT_TRUE(decrypted == expected) << "decrypted image differs from " << enc["decrypted_image"];
  EXPECT_EQ(enc["encrypted_range"][0].get<uint32_t>(), layout->payload_offset);
  EXPECT_EQ(enc["encrypted_range"][1].get<uint32_t>(),
            layout->payload_offset + layout->payload_size);

  // The plaintext payload, then the zero padding imgtool adds before encrypting.
  const Bytes plain = testing::ReadVector(entry["plaintext_payload"]);
  ASSERT_LE(plain.size(), layout->payload_size);
  const auto body = decrypted.begin() + layout->payload_offset;
  EXPECT_TRUE(std::equal(plain.begin(), plain.end(), body));
  EXPECT_TRUE(std::all_of(body + static_cast<long>(plain.size()),
                          body + static_cast<long>(layout->payload_size),
                          [](uint8_t b) { return b == 0; }));

  // The decrypted form verifies with the same hash when told it is already plaintext...
  testing::RecordingReadable plain_readable(expected);
  VerifyOptions options = testing::OptionsFor(entry, keys);
  options.payload_form = PayloadForm::kDecrypted;
  auto verified = VerifyImage(plain_readable, options);
  ASSERT_TRUE(verified.ok()) << verified.status().name();
  EXPECT_EQ(testing::ToHex(verified->hash), entry["sha256"].get<std::string>());
  EXPECT_EQ(verified->enc_tlv_type, 0);
  // ...and needs no decryption key for it.
  options.decryption = {};
  EXPECT_TRUE(VerifyImage(plain_readable, options).ok());
  // The wrong form fails the hash both ways.
  options = testing::OptionsFor(entry, keys);
  EXPECT_EQ(VerifyImage(plain_readable, options).status().code(), StatusCode::kImageHash);
  options.payload_form = PayloadForm::kDecrypted;
  testing::RecordingReadable cipher_readable(image);
  EXPECT_EQ(VerifyImage(cipher_readable, options).status().code(), StatusCode::kImageHash);
}

TEST_P(InvalidVectorTest, FailsWithTheManifestCheckId) {
  const auto& entry = testing::ManifestImage(GetParam());
  testing::VectorKeys keys;
  testing::LoadVectorKeys(entry, keys);
  const Bytes image = testing::ReadVector(entry["file"]);
  testing::RecordingReadable readable(image);
  ImageFault fault;
  auto verified = VerifyImage(readable, testing::OptionsFor(entry, keys), &fault);
  ASSERT_FALSE(verified.ok());
  EXPECT_STREQ(StatusCodeName(verified.status().code()),
               entry["must_fail"].get<std::string>().c_str())
      << "fault field " << fault.field;
  EXPECT_EQ(fault.code, verified.status().code());
}

std::string NameOf(const ::testing::TestParamInfo<std::string>& info) { return info.param; }

INSTANTIATE_TEST_SUITE_P(Manifest, ValidVectorTest, ::testing::ValuesIn(ImageNames("valid")),
                         NameOf);
INSTANTIATE_TEST_SUITE_P(Manifest, EncryptedVectorTest,
                         ::testing::ValuesIn(ImageNames("valid", true)), NameOf);
INSTANTIATE_TEST_SUITE_P(Manifest, InvalidVectorTest, ::testing::ValuesIn(ImageNames("invalid")),
                         NameOf);

TEST(VectorSetTest, CoversEveryCheckIdItNames) {
  // Each must_fail id is a StatusCodeName the verifier can return.
  std::set<std::string> ids;
  for (const auto& entry : testing::Manifest()["images"]) {
    if (entry["kind"] == "invalid") ids.insert(entry["must_fail"].get<std::string>());
  }
  for (const auto& [id, description] : testing::Manifest()["check_ids"].items()) {
    EXPECT_TRUE(ids.count(id)) << id << " has no vector";
  }
  EXPECT_EQ(ImageNames("valid").size(), 26u);
  EXPECT_EQ(ImageNames("valid", true).size(), 8u);
  EXPECT_EQ(ImageNames("invalid").size(), 25u);
}

}  // namespace
}  // namespace bleota::image
