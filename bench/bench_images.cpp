#include "bench_images.hpp"

#include <mbedtls/ctr_drbg.h>
#include <mbedtls/ecdsa.h>
#include <mbedtls/entropy.h>
#include <sodium.h>

#include <array>
#include <fstream>
#include <iterator>
#include <stdexcept>

#include "bleota/bytes.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/tlv.hpp"
#include "bleota/readable.hpp"
#include "vector_keys.hpp"

namespace bleota::bench {

namespace {

using image::DecryptionKeys;
using image::KeyAlgorithm;
using image::TrustedKey;

constexpr uint16_t kHeaderSize = 32;
constexpr const char* kPayloadSource = "payloads/p200000.bin";

const TrustedKey kTrustedKeys[] = {
    {KeyAlgorithm::kEcdsaP256, vectors::kSignEcdsaP256Spki},
    {KeyAlgorithm::kEd25519, vectors::kSignEd25519Spki},
};

void Require(bool ok, const char* what) {
  if (!ok) throw std::runtime_error(std::string("bench image: ") + what);
}

void AppendTlv(std::vector<uint8_t>& out, uint16_t type, ConstByteSpan value) {
  uint8_t entry[image::kTlvEntryHeaderSize];
  StoreLe16(entry, type);
  StoreLe16(entry + 2, static_cast<uint16_t>(value.size()));
  out.insert(out.end(), entry, entry + sizeof(entry));
  out.insert(out.end(), value.begin(), value.end());
}

std::vector<uint8_t> EcdsaP256Sign(const uint8_t (&digest)[crypto::kSha256Size]) {
  mbedtls_entropy_context entropy;
  mbedtls_ctr_drbg_context drbg;
  mbedtls_ecdsa_context ecdsa;
  mbedtls_entropy_init(&entropy);
  mbedtls_ctr_drbg_init(&drbg);
  mbedtls_ecdsa_init(&ecdsa);
  std::array<uint8_t, MBEDTLS_ECDSA_MAX_LEN> signature{};
  size_t length = 0;
  const bool ok =
      mbedtls_ctr_drbg_seed(&drbg, mbedtls_entropy_func, &entropy, nullptr, 0) == 0 &&
      mbedtls_ecp_group_load(&ecdsa.grp, MBEDTLS_ECP_DP_SECP256R1) == 0 &&
      mbedtls_mpi_read_binary(&ecdsa.d, vectors::kSignEcdsaP256Private,
                              sizeof(vectors::kSignEcdsaP256Private)) == 0 &&
      mbedtls_ecdsa_write_signature(&ecdsa, MBEDTLS_MD_SHA256, digest, sizeof(digest),
                                    signature.data(), &length, mbedtls_ctr_drbg_random, &drbg) == 0;
  mbedtls_ecdsa_free(&ecdsa);
  mbedtls_ctr_drbg_free(&drbg);
  mbedtls_entropy_free(&entropy);
  Require(ok, "ECDSA P-256 signing failed");
  return std::vector<uint8_t>(signature.begin(), signature.begin() + length);
}

std::vector<uint8_t> Ed25519Sign(const uint8_t (&digest)[crypto::kSha256Size]) {
  Require(sodium_init() >= 0, "libsodium init failed");
  uint8_t public_key[crypto_sign_PUBLICKEYBYTES];
  uint8_t secret_key[crypto_sign_SECRETKEYBYTES];
  std::vector<uint8_t> signature(crypto_sign_BYTES);
  const bool ok =
      crypto_sign_seed_keypair(public_key, secret_key, vectors::kSignEd25519Seed) == 0 &&
      crypto_sign_detached(signature.data(), nullptr, digest, sizeof(digest), secret_key) == 0;
  sodium_memzero(secret_key, sizeof(secret_key));
  Require(ok, "Ed25519 signing failed");
  return signature;
}

struct EncSource {
  uint16_t tlv_type = 0;
  std::vector<uint8_t> tlv_value;
  uint32_t flags = 0;
};

// The ENC TLV of a vector image and the AES flag of its header.
EncSource ReadEncSource(const std::string& relative) {
  const std::vector<uint8_t> bytes = ReadVectorFile(relative);
  MemoryReadable readable(bytes);
  Result<image::ImageLayout> layout = image::ParseImageHeader(readable);
  Require(layout.ok(), "ENC source vector does not parse");
  EncSource source;
  source.flags = layout->header.flags & image::kFlagsEncrypted;
  image::TlvIterator it(readable, *layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  while (true) {
    Result<bool> more = it.Next(entry);
    Require(more.ok(), "ENC source vector has a broken TLV area");
    if (!*more) break;
    if (image::IsSupportedEncTlv(entry.type)) {
      source.tlv_type = entry.type;
      source.tlv_value.assign(bytes.begin() + entry.value_offset,
                              bytes.begin() + entry.value_offset + entry.length);
    }
  }
  Require(source.tlv_type != 0 && source.flags != 0, "ENC source vector is not encrypted");
  return source;
}

}  // namespace

std::vector<uint8_t> ReadVectorFile(const std::string& relative) {
  const std::string path = std::string(BLEOTA_VECTOR_DIR) + "/" + relative;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

image::VerifyOptions BenchVerifyOptions(uint32_t image_flags) {
  image::VerifyOptions options;
  options.keys = kTrustedKeys;
  options.decryption.ec256_private = vectors::kEncEc256Private;
  options.decryption.x25519_private = vectors::kEncX25519Private;
  options.decryption.kek = (image_flags & image::kFlagEncryptedAes256) != 0
                               ? ConstByteSpan(vectors::kEncAes256Kek)
                               : ConstByteSpan(vectors::kEncAes128Kek);
  options.allow_unsigned = true;  // the hash-only images
  return options;
}

std::vector<uint8_t> BuildImage(const ImageRecipe& recipe) {
  const std::vector<uint8_t> source = ReadVectorFile(kPayloadSource);
  Require(!source.empty(), "empty payload vector");
  std::vector<uint8_t> payload(recipe.payload_size);
  for (size_t i = 0; i < payload.size(); ++i) payload[i] = source[i % source.size()];

  EncSource enc;
  if (!recipe.enc_source.empty()) enc = ReadEncSource(recipe.enc_source);

  image::ImageHeader header;
  header.magic = image::kImageMagic;
  header.hdr_size = kHeaderSize;
  header.img_size = recipe.payload_size;
  header.flags = enc.flags;
  header.version = {1, 2, 3, 4};
  std::vector<uint8_t> bytes(kHeaderSize);
  image::EncodeImageHeader(header,
                           std::span<uint8_t, image::kImageHeaderSize>(bytes.data(), kHeaderSize));
  bytes.insert(bytes.end(), payload.begin(), payload.end());

  uint8_t digest[crypto::kSha256Size];
  Require(crypto::Sha256Digest(bytes, digest).ok(), "SHA-256 failed");

  if (!recipe.enc_source.empty()) {
    // The vector's image key, unwrapped with the device keys, encrypts the new payload.
    image::ImageKey key;
    const DecryptionKeys keys = BenchVerifyOptions(enc.flags).decryption;
    Require(image::UnwrapImageKey(enc.tlv_type, enc.tlv_value, image::EncryptionKeySize(enc.flags),
                                  keys, key)
                .ok(),
            "cannot unwrap the ENC source's image key");
    image::ImageDecryptor cipher;
    Require(cipher.Open(key, recipe.payload_size).ok(), "AES-CTR setup failed");
    Require(cipher.Crypt(0, ByteSpan(bytes.data() + kHeaderSize, recipe.payload_size)).ok(),
            "AES-CTR failed");
  }

  std::vector<uint8_t> tlvs;
  AppendTlv(tlvs, image::kTlvSha256, digest);
  if (recipe.signer != ImageSigner::kNone) {
    const bool ecdsa = recipe.signer == ImageSigner::kEcdsaP256;
    const ConstByteSpan spki = ecdsa ? ConstByteSpan(vectors::kSignEcdsaP256Spki)
                                     : ConstByteSpan(vectors::kSignEd25519Spki);
    uint8_t key_hash[crypto::kSha256Size];
    Require(crypto::Sha256Digest(spki, key_hash).ok(), "SHA-256 failed");
    AppendTlv(tlvs, image::kTlvKeyHash, key_hash);
    AppendTlv(tlvs, ecdsa ? image::kTlvEcdsaSig : image::kTlvEd25519,
              ecdsa ? EcdsaP256Sign(digest) : Ed25519Sign(digest));
  }
  if (enc.tlv_type != 0) AppendTlv(tlvs, enc.tlv_type, enc.tlv_value);

  uint8_t info[image::kTlvInfoSize];
  StoreLe16(info, image::kTlvInfoMagic);
  StoreLe16(info + 2, static_cast<uint16_t>(image::kTlvInfoSize + tlvs.size()));
  bytes.insert(bytes.end(), info, info + sizeof(info));
  bytes.insert(bytes.end(), tlvs.begin(), tlvs.end());
  return bytes;
}

}  // namespace bleota::bench
