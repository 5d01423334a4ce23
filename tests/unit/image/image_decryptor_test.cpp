#include "bleota/image/image_decryptor.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <new>
#include <string>

#include "bleota/image/tlv.hpp"
#include "image_test_support.hpp"

namespace bleota::image {
namespace {

using testing::Bytes;

struct EncVector {
  explicit EncVector(const std::string& name) : entry(testing::ManifestImage(name)) {
    testing::LoadVectorKeys(entry, keys);
    image = testing::ReadVector(entry["file"]);
    MemoryReadable readable(image);
    auto parsed = ParseImageHeader(readable);
    if (!parsed.ok()) throw std::runtime_error("bad vector");
    layout = *parsed;
    TlvIterator it(readable, layout, TlvArea::kUnprotected);
    TlvEntry e;
    while (true) {
      auto more = it.Next(e);
      if (!more.ok() || !*more) break;
      if (IsSupportedEncTlv(e.type)) {
        enc_type = e.type;
        enc_value.assign(image.begin() + e.value_offset, image.begin() + e.value_offset + e.length);
      }
    }
    key_size = EncryptionKeySize(layout.header.flags);
    expected_key = testing::FromHex(entry["encryption"]["image_aes_key_hex"]);
  }

  const nlohmann::json& entry;
  testing::VectorKeys keys;
  Bytes image;
  ImageLayout layout;
  uint16_t enc_type = 0;
  Bytes enc_value;
  uint8_t key_size = 0;
  Bytes expected_key;
};

bool AllZero(const uint8_t* p, size_t n) {
  return std::all_of(p, p + n, [](uint8_t b) { return b == 0; });
}

bool Contains(const uint8_t* p, size_t n, const Bytes& needle) {
  return std::search(p, p + n, needle.begin(), needle.end()) != p + n;
}

TEST(ImageDecryptorTest, UnwrapsEveryKindOfEncTlv) {
  for (const char* name : {"enc_ec256_aes128", "enc_ec256_aes256", "enc_x25519_aes128",
                           "enc_x25519_aes256", "enc_kw_aes128", "enc_kw_aes256"}) {
    SCOPED_TRACE(name);
    EncVector v(name);
    ImageKey key;
    ASSERT_TRUE(UnwrapImageKey(v.enc_type, v.enc_value, v.key_size, v.keys.decryption, key).ok());
    EXPECT_EQ(Bytes(key.span().begin(), key.span().end()), v.expected_key);
  }
}

TEST(ImageDecryptorTest, EveryByteOfTheEncTlvMatters) {
  for (const char* name : {"enc_ec256_aes128", "enc_x25519_aes256", "enc_kw_aes128"}) {
    SCOPED_TRACE(name);
    EncVector v(name);
    for (size_t i = 0; i < v.enc_value.size(); ++i) {
      for (uint8_t mask : {0x01, 0x80}) {
        Bytes value = v.enc_value;
        value[i] ^= mask;
        ImageKey key;
        ImageFault fault;
        EXPECT_EQ(
            UnwrapImageKey(v.enc_type, value, v.key_size, v.keys.decryption, key, &fault).code(),
            StatusCode::kImageEncKeyUnwrap)
            << "byte " << i << " mask " << int{mask};
        // A failed unwrap leaves no key behind.
        EXPECT_EQ(key.size, 0);
        EXPECT_TRUE(AllZero(key.bytes, sizeof(key.bytes)));
      }
    }
  }
}

TEST(ImageDecryptorTest, NonCanonicalX25519EphemeralKeysAreRefused) {
  EncVector v("enc_x25519_aes128");
  Bytes value = v.enc_value;
  value[31] |= 0x80;  // same point for RFC 7748, another encoding
  ImageKey key;
  ImageFault fault;
  EXPECT_EQ(UnwrapImageKey(v.enc_type, value, v.key_size, v.keys.decryption, key, &fault).code(),
            StatusCode::kImageEncKeyUnwrap);
  EXPECT_STREQ(fault.field, "enc_ephemeral_key");
  // u = p (2^255 - 19) encodes 0 non-canonically.
  std::fill(value.begin(), value.begin() + 32, 0xff);
  value[0] = 0xed;
  value[31] = 0x7f;
  EXPECT_EQ(UnwrapImageKey(v.enc_type, value, v.key_size, v.keys.decryption, key, &fault).code(),
            StatusCode::kImageEncKeyUnwrap);
  EXPECT_STREQ(fault.field, "enc_ephemeral_key");
}

TEST(ImageDecryptorTest, LengthAndKeyChecks) {
  EncVector ec("enc_ec256_aes128");
  ImageKey key;
  ImageFault fault;
  Bytes longer = ec.enc_value;
  longer.push_back(0);
  EXPECT_EQ(
      UnwrapImageKey(ec.enc_type, longer, ec.key_size, ec.keys.decryption, key, &fault).code(),
      StatusCode::kImageEncKeyUnwrap);
  EXPECT_STREQ(fault.field, "enc_tlv_len");
  // The AES-128 TLV read as AES-256: the length no longer fits.
  EXPECT_EQ(UnwrapImageKey(ec.enc_type, ec.enc_value, 32, ec.keys.decryption, key).code(),
            StatusCode::kImageEncKeyUnwrap);
  EXPECT_EQ(UnwrapImageKey(ec.enc_type, ec.enc_value, 24, ec.keys.decryption, key).code(),
            StatusCode::kImageUnsupported);
  EXPECT_EQ(UnwrapImageKey(kTlvEncRsa2048, ec.enc_value, 16, ec.keys.decryption, key).code(),
            StatusCode::kImageUnsupported);
  DecryptionKeys short_key{ConstByteSpan(ec.keys.ec256_private).first(31), {}, {}};
  EXPECT_EQ(UnwrapImageKey(ec.enc_type, ec.enc_value, ec.key_size, short_key, key, &fault).code(),
            StatusCode::kImageEncKeyUnwrap);
  EXPECT_STREQ(fault.field, "ec256_private_key");

  EncVector kw("enc_kw_aes128");
  const Bytes bad_kek(24, 1);
  DecryptionKeys odd_kek{{}, {}, bad_kek};
  EXPECT_EQ(UnwrapImageKey(kw.enc_type, kw.enc_value, kw.key_size, odd_kek, key, &fault).code(),
            StatusCode::kImageEncKeyUnwrap);
  EXPECT_STREQ(fault.field, "kek");
  // The AES-256 KEK on the AES-128 image fails the RFC 3394 integrity check.
  const Bytes other_kek = testing::ReadVector("keys/enc-aes256kw.bin");
  DecryptionKeys wrong_kek{{}, {}, other_kek};
  EXPECT_EQ(UnwrapImageKey(kw.enc_type, kw.enc_value, kw.key_size, wrong_kek, key, &fault).code(),
            StatusCode::kImageEncKeyUnwrap);
  EXPECT_STREQ(fault.field, "enc_kw");
}

TEST(ImageDecryptorTest, FindsTheEncTlvInTheImage) {
  EncVector v("enc_x25519_aes256");
  MemoryReadable readable(v.image);
  ImageKey key;
  ASSERT_TRUE(UnwrapImageKey(readable, v.layout, v.keys.decryption, key).ok());
  EXPECT_EQ(Bytes(key.span().begin(), key.span().end()), v.expected_key);

  // Not encrypted: nothing to unwrap.
  const Bytes plain = testing::ReadVector("images/ed25519_h200.bin");
  MemoryReadable plain_readable(plain);
  auto plain_layout = ParseImageHeader(plain_readable);
  ASSERT_TRUE(plain_layout.ok());
  EXPECT_EQ(UnwrapImageKey(plain_readable, *plain_layout, v.keys.decryption, key).code(),
            StatusCode::kImageUnsupported);

  // Encrypted flag but no ENC TLV, or two of them.
  testing::UnprotectedEdit edit = testing::UnprotectedEdit::From(v.image);
  const testing::RawTlv enc = *edit.Find(kTlvEncX25519);
  std::erase_if(edit.tlvs, [](const testing::RawTlv& t) { return t.type == kTlvEncX25519; });
  Bytes none = edit.Join();
  MemoryReadable none_readable(none);
  auto none_layout = ParseImageHeader(none_readable);
  ASSERT_TRUE(none_layout.ok());
  EXPECT_EQ(UnwrapImageKey(none_readable, *none_layout, v.keys.decryption, key).code(),
            StatusCode::kImageMissingTlv);
  edit.tlvs.push_back(enc);
  edit.tlvs.push_back(enc);
  Bytes two = edit.Join();
  MemoryReadable two_readable(two);
  auto two_layout = ParseImageHeader(two_readable);
  ASSERT_TRUE(two_layout.ok());
  EXPECT_EQ(UnwrapImageKey(two_readable, *two_layout, v.keys.decryption, key).code(),
            StatusCode::kImageEncKeyUnwrap);
}

TEST(ImageDecryptorTest, RandomAccessMatchesSequentialDecryption) {
  EncVector v("enc_ec256_aes128_large");
  const Bytes expected = testing::ReadVector(v.entry["encryption"]["decrypted_image"]);
  ImageDecryptor decryptor;
  MemoryReadable readable(v.image);
  ASSERT_TRUE(decryptor.Open(readable, v.layout, v.keys.decryption).ok());
  EXPECT_TRUE(decryptor.is_open());
  // Back to front in 4 KiB "sectors", then odd pieces at odd offsets.
  const uint32_t size = v.layout.payload_size;
  Bytes payload(v.image.begin() + v.layout.payload_offset,
                v.image.begin() + v.layout.payload_offset + size);
  for (uint32_t end = size; end > 0;) {
    const uint32_t begin = end > 4096 ? end - 4096 : 0;
    ASSERT_TRUE(decryptor.Crypt(begin, ByteSpan(payload.data() + begin, end - begin)).ok());
    end = begin;
  }
  EXPECT_TRUE(
      std::equal(payload.begin(), payload.end(), expected.begin() + v.layout.payload_offset));
  // CTR is its own inverse.
  ASSERT_TRUE(decryptor.Crypt(13, ByteSpan(payload.data() + 13, 1001)).ok());
  EXPECT_TRUE(std::equal(payload.begin() + 13, payload.begin() + 1014,
                         v.image.begin() + v.layout.payload_offset + 13));
}

TEST(ImageDecryptorTest, CryptIsBoundedAndNeedsAKey) {
  EncVector v("enc_kw_aes256");
  ImageDecryptor decryptor;
  uint8_t buf[32] = {};
  EXPECT_EQ(decryptor.Crypt(0, buf).code(), StatusCode::kFailedPrecondition);
  ImageKey key;
  ASSERT_TRUE(UnwrapImageKey(v.enc_type, v.enc_value, v.key_size, v.keys.decryption, key).ok());
  ASSERT_TRUE(decryptor.Open(key, 100).ok());
  EXPECT_TRUE(decryptor.Crypt(68, buf).ok());
  EXPECT_EQ(decryptor.Crypt(69, buf).code(), StatusCode::kOutOfRange);
  EXPECT_EQ(decryptor.Crypt(0xffffffff, buf).code(), StatusCode::kOutOfRange);
  decryptor.Close();
  EXPECT_FALSE(decryptor.is_open());
  EXPECT_EQ(decryptor.Crypt(0, buf).code(), StatusCode::kFailedPrecondition);
  ImageKey empty;
  EXPECT_EQ(decryptor.Open(empty, 100).code(), StatusCode::kInvalidArgument);
}

TEST(ImageDecryptorTest, ImageKeyIsWipedByClearAndDestruction) {
  EncVector v("enc_ec256_aes256");
  {
    ImageKey key;
    ASSERT_TRUE(UnwrapImageKey(v.enc_type, v.enc_value, v.key_size, v.keys.decryption, key).ok());
    ASSERT_TRUE(Contains(key.bytes, sizeof(key.bytes), v.expected_key));
    key.Clear();
    EXPECT_EQ(key.size, 0);
    EXPECT_TRUE(AllZero(key.bytes, sizeof(key.bytes)));
  }
  // Destruction: the storage the key lived in holds zeros afterwards.
  alignas(ImageKey) unsigned char storage[sizeof(ImageKey)];
  auto* key = ::new (static_cast<void*>(storage)) ImageKey();
  ASSERT_TRUE(UnwrapImageKey(v.enc_type, v.enc_value, v.key_size, v.keys.decryption, *key).ok());
  ASSERT_TRUE(Contains(storage, sizeof(storage), v.expected_key));
  key->~ImageKey();
  EXPECT_FALSE(Contains(storage, sizeof(storage), v.expected_key));
  EXPECT_TRUE(AllZero(storage, sizeof(storage)));
}

TEST(ImageDecryptorTest, DecryptorForgetsTheKeyOnCloseAndDestruction) {
  // mbedTLS keeps the AES-256 key itself as the first round keys of its schedule, so the key
  // bytes are visible in the decryptor while it is open; after Close/destruction they are gone.
  EncVector v("enc_kw_aes256");
  ImageKey key;
  ASSERT_TRUE(UnwrapImageKey(v.enc_type, v.enc_value, v.key_size, v.keys.decryption, key).ok());
  const Bytes key_bytes(key.span().begin(), key.span().end());

  alignas(ImageDecryptor) unsigned char storage[sizeof(ImageDecryptor)];
  auto* decryptor = ::new (static_cast<void*>(storage)) ImageDecryptor();
  ASSERT_TRUE(decryptor->Open(key, v.layout.payload_size).ok());
  if (!Contains(storage, sizeof(storage), key_bytes)) {
    decryptor->~ImageDecryptor();
    GTEST_SKIP() << "this backend does not keep the raw key in the schedule";
  }
  decryptor->Close();
  EXPECT_FALSE(Contains(storage, sizeof(storage), key_bytes));
  ASSERT_TRUE(decryptor->Open(key, v.layout.payload_size).ok());
  ASSERT_TRUE(Contains(storage, sizeof(storage), key_bytes));
  decryptor->~ImageDecryptor();
  EXPECT_FALSE(Contains(storage, sizeof(storage), key_bytes));
}

}  // namespace
}  // namespace bleota::image
