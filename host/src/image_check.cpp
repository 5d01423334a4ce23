#include "bleota/host/image_check.hpp"

#include <algorithm>

#include "bleota/crypto/crypto.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/image_inspect.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/key_der.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/tlv.hpp"
#include "bleota/readable.hpp"

namespace bleota::host {
namespace {

// image::DecryptionKeys are views; this keeps the bytes they point to.
struct DeviceDecryptionKeys {
  image::DecryptionKeys keys;

  explicit DeviceDecryptionKeys(const DecryptionKeySet& set) {
    for (const PrivateKey& key : set.private_keys) {
      // A device holds one key of each kind; two would make the choice silent.
      if (key.type == KeyType::kEcdsaP256) {
        if (!keys.ec256_private.empty()) ThrowUsage("two ecdsa-p256 decryption keys given");
        keys.ec256_private = key.secret.span();
      } else if (key.type == KeyType::kX25519) {
        if (!keys.x25519_private.empty()) ThrowUsage("two x25519 decryption keys given");
        keys.x25519_private = key.secret.span();
      } else {
        ThrowKey(
            "an ed25519 key cannot decrypt images; use the ecdsa-p256 (ENC_EC256) or x25519 "
            "(ENC_X25519) private key, or a KEK (ENC_KW)");
      }
    }
    if (set.kek) keys.kek = set.kek->span();
  }
};

std::string FailureMessage(Status status, const image::ImageFault& fault) {
  std::string message =
      std::string(status.name()) + ": " + std::string(CheckMeaning(status.code()));
  const std::string detail = DescribeFault(fault);
  if (!detail.empty()) message += " (" + detail + ")";
  return message;
}

}  // namespace

std::string VerifyReport::Describe() const {
  return status.ok() ? std::string("OK") : FailureMessage(status, fault);
}

VerifyReport VerifyImageBytes(std::span<const uint8_t> file, const VerifyRequest& request) {
  std::vector<std::vector<uint8_t>> spki;
  std::vector<image::TrustedKey> trusted;
  for (const PublicKey& key : request.trusted_keys) {
    if (key.type == KeyType::kX25519) {
      ThrowKey(
          "an x25519 key cannot verify signatures; give the ecdsa-p256 or ed25519 signing "
          "key with -k");
    }
    spki.push_back(SpkiDer(key));
  }
  for (size_t i = 0; i < spki.size(); ++i) {
    trusted.push_back(image::TrustedKey{request.trusted_keys[i].type == KeyType::kEcdsaP256
                                            ? image::KeyAlgorithm::kEcdsaP256
                                            : image::KeyAlgorithm::kEd25519,
                                        spki[i]});
  }
  const DeviceDecryptionKeys decryption(request.decryption);
  image::VerifyOptions options;
  options.keys = trusted;
  options.decryption = decryption.keys;
  options.payload_form =
      request.payload_decrypted ? image::PayloadForm::kDecrypted : image::PayloadForm::kAsStored;
  options.allow_unsigned = request.allow_unsigned;
  options.allow_ram_load = request.allow_ram_load;

  VerifyReport report;
  if (file.size() > UINT32_MAX) {
    report.status = StatusCode::kImageBounds;
    return report;
  }
  MemoryReadable readable(file);
  Result<image::VerifiedImage> result = image::VerifyImage(readable, options, &report.fault);
  if (result.ok()) {
    report.image = std::move(*result);
  } else {
    report.status = result.status();
  }
  return report;
}

std::vector<uint8_t> DecryptImageBytes(std::span<const uint8_t> file,
                                       const DecryptionKeySet& keys) {
  const ImageReport info = InspectImage(file);  // throws kImage for a malformed image
  const image::ImageLayout& layout = info.layout;
  if (!layout.encrypted()) {
    ThrowImage("image is not encrypted (flags " + HexNumber(layout.header.flags) +
               " has neither ENCRYPTED_AES128 nor ENCRYPTED_AES256)");
  }
  const DeviceDecryptionKeys decryption(keys);
  MemoryReadable readable(file);
  image::ImageDecryptor decryptor;
  image::ImageFault fault;
  const Status opened = decryptor.Open(readable, layout, decryption.keys, &fault);
  if (!opened.ok()) {
    const ExitCode code = opened.code() == StatusCode::kImageEncKeyUnwrap ||
                                  opened.code() == StatusCode::kImageMissingTlv
                              ? ExitCode::kVerifyFailed
                              : ExitCode::kImage;
    throw HostError(code, FailureMessage(opened, fault));
  }
  std::vector<uint8_t> out(file.begin(), file.end());
  const Status crypted =
      decryptor.Crypt(0, ByteSpan(out.data() + layout.payload_offset, layout.payload_size));
  if (!crypted.ok()) ThrowInternal(std::string("payload decryption failed: ") + crypted.name());

  // The SHA256 TLV covers the plaintext: a match proves the right key and an intact payload.
  const TlvReport* sha = info.Find(image::kTlvSha256);
  if (sha == nullptr || sha->length != crypto::kSha256Size) {
    throw HostError(ExitCode::kVerifyFailed,
                    FailureMessage(StatusCode::kImageMissingTlv, image::ImageFault{}));
  }
  MemoryReadable decrypted(out);
  uint8_t digest[crypto::kSha256Size];
  std::vector<uint8_t> work(4096);
  const Status hashed =
      image::ComputeImageHash(decrypted, layout, nullptr, work, crypto::Digest(digest));
  if (!hashed.ok())
    ThrowInternal(std::string("hashing the decrypted image failed: ") + hashed.name());
  if (!crypto::ConstantTimeEqual(ConstByteSpan(digest), sha->value)) {
    throw HostError(ExitCode::kVerifyFailed,
                    FailureMessage(StatusCode::kImageHash, image::ImageFault{}) +
                        ": the decrypted payload does not match the image hash");
  }
  return out;
}

}  // namespace bleota::host
