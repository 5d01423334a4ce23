// libFuzzer target: UnwrapImageKey on an ENC TLV value. The ENC TLV sits in the unprotected TLV
// area, outside the hash and the signature, and the verifier unwraps it before the image is
// authenticated, so this is the key-handling code an attacker reaches without any key.
//
// Input: [selector][key size selector][TLV value...]. selector bits 0-2 pick the TLV type (ENC_KW,
// ENC_EC256, ENC_X25519, or an unsupported one); bits 3-5 remove the device's P-256, X25519 or KW
// key; bit 6 gives the device the KEK of the other size. Key size selector bits 0-1: 16, 32, 0 or
// kInvalidKeySize (what EncryptionKeySize() returns).
//
// Oracle: the key is recomputed independently from the crypto primitives (AES key unwrap; ECDH
// or X25519, HKDF, HMAC, AES-CTR for ECIES) and must agree with UnwrapImageKey, which must accept
// exactly the values the oracle accepts.
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>

#include "bleota/bytes.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/tlv.hpp"
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

constexpr uint16_t kTypes[] = {kTlvEncKw,      kTlvEncEc256,        kTlvEncX25519, kTlvEncKw,
                               kTlvEncRsa2048, kTlvEncX25519Sha512, kTlvSha256,    kTlvEncEc256};
constexpr uint8_t kKeySizes[] = {16, 32, 0, kInvalidKeySize};
constexpr char kEciesInfo[] = "MCUBoot_ECIES_v1";

struct Key {
  std::array<uint8_t, kMaxImageKeySize> bytes{};
  uint8_t size = 0;
};

// X25519 public keys are accepted only in canonical form: as a little-endian number below
// p = 2^255 - 19 (which also means the top bit is clear).
bool BelowCurve25519Prime(ConstByteSpan u) {
  uint8_t p[32];
  std::memset(p, 0xff, sizeof(p));
  p[0] = 0xed;
  p[31] = 0x7f;
  for (size_t i = 32; i-- > 0;) {
    if (u[i] != p[i]) return u[i] < p[i];
  }
  return false;  // equal to p
}

std::optional<Key> ExpectedKw(ConstByteSpan value, uint8_t key_size, ConstByteSpan kek) {
  if (kek.empty() || value.size() != key_size + kAesKwOverhead) return std::nullopt;
  Key key;
  if (!crypto::AesKeyUnwrap(kek, value, ByteSpan(key.bytes.data(), key_size)).ok()) {
    return std::nullopt;
  }
  key.size = key_size;
  return key;
}

std::optional<Key> ExpectedEcies(bool p256, ConstByteSpan value, uint8_t key_size,
                                 ConstByteSpan private_key) {
  const size_t point_size = p256 ? crypto::kP256PointSize : crypto::kX25519KeySize;
  if (private_key.empty() || value.size() != point_size + kEciesTagSize + key_size) {
    return std::nullopt;
  }
  const ConstByteSpan ephemeral = value.first(point_size);
  uint8_t shared[32];
  if (p256) {
    if (!crypto::EcdhP256(private_key.first<32>(), ephemeral, shared).ok()) return std::nullopt;
  } else {
    if (!BelowCurve25519Prime(ephemeral)) return std::nullopt;
    if (!crypto::X25519(private_key.first<32>(), ephemeral.first<32>(), shared).ok()) {
      return std::nullopt;
    }
  }
  uint8_t okm[kMaxImageKeySize + 32];
  const ConstByteSpan info(reinterpret_cast<const uint8_t*>(kEciesInfo), sizeof(kEciesInfo) - 1);
  FUZZ_CHECK(crypto::HkdfSha256({}, shared, info, ByteSpan(okm, key_size + 32u)).ok());
  const ConstByteSpan encrypted = value.subspan(point_size + kEciesTagSize);
  uint8_t tag[crypto::kSha256Size];
  FUZZ_CHECK(crypto::HmacSha256(ConstByteSpan(okm + key_size, 32), encrypted, tag).ok());
  if (std::memcmp(tag, value.data() + point_size, sizeof(tag)) != 0) return std::nullopt;
  Key key;
  crypto::AesCtr ctr;
  FUZZ_CHECK(ctr.SetKey(ConstByteSpan(okm, key_size)).ok());
  FUZZ_CHECK(ctr.Crypt(0, encrypted, ByteSpan(key.bytes.data(), key_size)).ok());
  key.size = key_size;
  return key;
}

void FuzzEncTlv(uint8_t selector, uint8_t size_selector, ConstByteSpan value) {
  const uint16_t type = kTypes[selector & 7];
  const uint8_t key_size = kKeySizes[size_selector & 3];
  DecryptionKeys keys;
  if ((selector & 0x08) == 0) keys.ec256_private = vectors::kEncEc256Private;
  if ((selector & 0x10) == 0) keys.x25519_private = vectors::kEncX25519Private;
  if ((selector & 0x20) == 0) {
    const bool aes256 = (key_size == 32) != ((selector & 0x40) != 0);
    keys.kek =
        aes256 ? ConstByteSpan(vectors::kEncAes256Kek) : ConstByteSpan(vectors::kEncAes128Kek);
  }

  ImageKey key;
  std::memset(key.bytes, 0xa5, sizeof(key.bytes));  // stale contents must not survive a failure
  key.size = 7;
  ImageFault fault;
  const Status status = UnwrapImageKey(type, value, key_size, keys, key, &fault);

  std::optional<Key> expected;
  if (key_size == 16 || key_size == 32) {
    if (type == kTlvEncKw) expected = ExpectedKw(value, key_size, keys.kek);
    if (type == kTlvEncEc256) expected = ExpectedEcies(true, value, key_size, keys.ec256_private);
    if (type == kTlvEncX25519) {
      expected = ExpectedEcies(false, value, key_size, keys.x25519_private);
    }
  }

  if (std::getenv("BLEOTA_FUZZ_TRACE") != nullptr) {  // what a corpus reaches
    std::fprintf(stderr, "  type=0x%02x key_size=%u -> %s\n", type, key_size,
                 status.ok() ? "unwrapped" : status.name());
  }
  FUZZ_CHECK(status.ok() == expected.has_value());
  if (status.ok()) {
    FUZZ_CHECK(key.size == expected->size);
    FUZZ_CHECK(std::memcmp(key.bytes, expected->bytes.data(), key.size) == 0);
    // The key opens a decryptor whose keystream starts at payload offset 0.
    ImageDecryptor decryptor;
    FUZZ_CHECK(decryptor.Open(key, 64).ok());
    uint8_t block[16] = {};
    FUZZ_CHECK(decryptor.Crypt(48, block).ok());
    FUZZ_CHECK(decryptor.Crypt(49, block).code() == StatusCode::kOutOfRange);
    return;
  }
  // A failure leaves no key behind and names the check.
  FUZZ_CHECK(key.size == 0);
  for (uint8_t byte : key.bytes) FUZZ_CHECK(byte == 0);
  const bool supported = IsSupportedEncTlv(type) && (key_size == 16 || key_size == 32);
  FUZZ_CHECK(status.code() ==
             (supported ? StatusCode::kImageEncKeyUnwrap : StatusCode::kImageUnsupported));
  FUZZ_CHECK(fault.code == status.code());
}

}  // namespace
}  // namespace bleota::image

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size < 2) return -1;
  if (size > 2 + bleota::image::kMaxEncTlvSize + 64) return -1;  // longer values add nothing
  bleota::image::FuzzEncTlv(data[0], data[1], bleota::ConstByteSpan(data + 2, size - 2));
  return 0;
}
