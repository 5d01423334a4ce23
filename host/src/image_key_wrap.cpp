#include "bleota/host/image_key_wrap.hpp"

#include <mbedtls/aes.h>
#include <mbedtls/hkdf.h>
#include <mbedtls/md.h>
#include <mbedtls/nist_kw.h>
#include <sodium.h>

#include <array>
#include <string>
#include <string_view>

#include "bleota/host/error.hpp"
#include "bleota/host/random.hpp"
#include "bleota/image/tlv.hpp"
#include "p256.hpp"

namespace bleota::host {
namespace {

constexpr std::string_view kEciesInfo = "MCUBoot_ECIES_v1";
constexpr size_t kHmacKeyBytes = 32;
constexpr size_t kTagBytes = 32;

void CheckImageKeySize(std::span<const uint8_t> image_key) {
  if (image_key.size() != 16 && image_key.size() != 32) {
    ThrowUsage("image AES key must be 16 or 32 bytes, got " + std::to_string(image_key.size()));
  }
}

void CheckMbedtls(int ret, const char* what) {
  if (ret != 0) {
    ThrowInternal(std::string("mbedTLS failed ") + what + " (" + std::to_string(ret) + ")");
  }
}

// cipherkey = AES-CTR(derived[0, keylen), zero counter)(image_key); tag = HMAC(derived[keylen..]).
void SealImageKey(std::span<const uint8_t> shared, std::span<const uint8_t> image_key,
                  std::vector<uint8_t>& value) {
  const size_t key_bytes = image_key.size();
  const mbedtls_md_info_t* sha256 = mbedtls_md_info_from_type(MBEDTLS_MD_SHA256);
  SecretBytes derived(key_bytes + kHmacKeyBytes);
  CheckMbedtls(mbedtls_hkdf(sha256, nullptr, 0, shared.data(), shared.size(),
                            reinterpret_cast<const unsigned char*>(kEciesInfo.data()),
                            kEciesInfo.size(), derived.data(), derived.size()),
               "deriving the ECIES keys (HKDF)");

  std::vector<uint8_t> cipherkey(key_bytes);
  mbedtls_aes_context aes;
  mbedtls_aes_init(&aes);
  std::array<unsigned char, 16> counter{};
  std::array<unsigned char, 16> stream_block{};
  size_t stream_offset = 0;
  int ret = mbedtls_aes_setkey_enc(&aes, derived.data(), static_cast<unsigned>(key_bytes * 8));
  if (ret == 0) {
    ret = mbedtls_aes_crypt_ctr(&aes, key_bytes, &stream_offset, counter.data(),
                                stream_block.data(), image_key.data(), cipherkey.data());
  }
  mbedtls_aes_free(&aes);
  sodium_memzero(stream_block.data(), stream_block.size());
  CheckMbedtls(ret, "encrypting the image key (AES-CTR)");

  std::array<uint8_t, kTagBytes> tag{};
  CheckMbedtls(mbedtls_md_hmac(sha256, derived.data() + key_bytes, kHmacKeyBytes, cipherkey.data(),
                               cipherkey.size(), tag.data()),
               "computing the ECIES tag (HMAC-SHA256)");
  value.insert(value.end(), tag.begin(), tag.end());
  value.insert(value.end(), cipherkey.begin(), cipherkey.end());
}

}  // namespace

EncTlv EncryptImageKeyEcies(const PublicKey& recipient, std::span<const uint8_t> image_key) {
  CheckImageKeySize(image_key);
  EncTlv tlv;
  switch (recipient.type) {
    case KeyType::kEcdsaP256: {
      tlv.type = image::kTlvEncEc256;
      p256::KeyPair ephemeral = p256::Generate();
      SecretBytes shared = p256::Ecdh(ephemeral.scalar.span(), recipient.raw);
      tlv.value = ephemeral.point;
      SealImageKey(shared.span(), image_key, tlv.value);
      break;
    }
    case KeyType::kX25519: {
      if (recipient.raw.size() != kCurve25519KeyBytes) ThrowKey("X25519 key must be 32 bytes");
      tlv.type = image::kTlvEncX25519;
      SecretBytes ephemeral(crypto_scalarmult_SCALARBYTES);
      RandomBytes(ephemeral.span());
      std::array<uint8_t, crypto_scalarmult_BYTES> ephemeral_public{};
      SecretBytes shared(crypto_scalarmult_BYTES);
      if (crypto_scalarmult_base(ephemeral_public.data(), ephemeral.data()) != 0 ||
          crypto_scalarmult(shared.data(), ephemeral.data(), recipient.raw.data()) != 0) {
        // libsodium refuses low-order points, whose shared secret is all zeros.
        ThrowKey("X25519 encryption key is a low-order point");
      }
      tlv.value.assign(ephemeral_public.begin(), ephemeral_public.end());
      SealImageKey(shared.span(), image_key, tlv.value);
      break;
    }
    case KeyType::kEd25519:
      ThrowKey(
          "an ed25519 key cannot encrypt images; use an ecdsa-p256 (ENC_EC256) or x25519 "
          "(ENC_X25519) public key, or a KEK file (ENC_KW)");
  }
  return tlv;
}

EncTlv WrapImageKeyKw(std::span<const uint8_t> kek, std::span<const uint8_t> image_key) {
  CheckImageKeySize(image_key);
  if (kek.size() != 16 && kek.size() != 32) {
    ThrowKey("KEK must be 16 or 32 bytes, got " + std::to_string(kek.size()));
  }
  EncTlv tlv{image::kTlvEncKw, std::vector<uint8_t>(image_key.size() + 8)};
  mbedtls_nist_kw_context ctx;
  mbedtls_nist_kw_init(&ctx);
  size_t length = 0;
  int ret = mbedtls_nist_kw_setkey(&ctx, MBEDTLS_CIPHER_ID_AES, kek.data(),
                                   static_cast<unsigned>(kek.size() * 8), /*is_wrap=*/1);
  if (ret == 0) {
    ret = mbedtls_nist_kw_wrap(&ctx, MBEDTLS_KW_MODE_KW, image_key.data(), image_key.size(),
                               tlv.value.data(), &length, tlv.value.size());
  }
  mbedtls_nist_kw_free(&ctx);
  CheckMbedtls(ret, "wrapping the image key (AES-KW)");
  if (length != tlv.value.size()) ThrowInternal("AES-KW output has an unexpected length");
  return tlv;
}

}  // namespace bleota::host
