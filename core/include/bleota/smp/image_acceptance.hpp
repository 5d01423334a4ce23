// Whether the device would accept an image: the checks the image group runs on an upload as its
// bytes arrive (header flags, signing key, security counter) and on the whole image before it may
// become pending. The application does not hold the image decryption keys (key OTP is locked for
// it), so an encrypted image can only be checked in full by the bootloader's OTA mode; the app
// checks everything that does not need them, including the signature over the stated hash
// (docs/spec/smp-image.md, "Image checks").
#pragma once

#include <cstdint>
#include <span>

#include "bleota/bytes.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/image_verifier.hpp"
#include "bleota/image/tlv.hpp"
#include "bleota/readable.hpp"
#include "bleota/result.hpp"
#include "bleota/smp/image_rc.hpp"

namespace bleota::smp {

// The device's anti-rollback counter as the image group reads it (e.g. boot::SecurityCounter
// over the OTP the application may read).
class SecurityCounterSource {
 public:
  virtual Result<uint32_t> ReadSecurityCounter() = 0;

 protected:
  ~SecurityCounterSource() = default;
};

struct ImageChecks {
  std::span<const image::TrustedKey> keys;  // public keys images may be signed with
  // nullptr: the device cannot decrypt images (the application); encrypted images then get the
  // checks that need no image key.
  const image::DecryptionKeys* decryption = nullptr;
  SecurityCounterSource* counter = nullptr;  // nullptr: no anti-rollback counter
  bool allow_unsigned = false;               // as BootConfig::allow_unsigned
  bool allow_ram_load = false;
};

// Header flags the bootloader refuses (unknown bits, compressed, both AES bits, RAM_LOAD unless
// allowed): kInvalidImageVectorTable.
ImageRc CheckHeaderFlags(const image::ImageHeader& header, const ImageChecks& checks);

// A KEYHASH or PUBKEY TLV that names no key in checks.keys: kHashNotFound. No key TLV, or no
// keys configured: kOk (the full check decides).
ImageRc CheckKeyReference(Readable& image, const image::ImageLayout& layout,
                          const ImageChecks& checks);

// A protected SEC_CNT (0 when absent) below the device's counter: kImageConfirmationDenied.
ImageRc CheckSecurityCounter(const image::ProtectedTlvs& tlvs, const ImageChecks& checks);

// How far CheckImage could go.
enum class ImageCheckDepth : uint8_t {
  kFull,         // VerifyImage: hash, key, signature (+ security counter)
  kWithoutKeys,  // encrypted image, no decryption keys: layout, flags, TLVs, the signature over
                 // the SHA256 TLV by a device key, security counter; whether the decrypted
                 // payload matches that hash is left to the bootloader
};

struct CheckedImage {
  ImageCheckDepth depth = ImageCheckDepth::kFull;
  uint8_t hash_tlv[crypto::kSha256Size] = {};  // the image's SHA256 TLV
};

// Every check the device can run on the image in `slot` (`form`: payload as stored, or already
// decrypted). `work` is the read buffer. kOk, or the code of the first failed check
// (ImageRcForCheck, CheckSecurityCounter).
ImageRc CheckImage(Readable& slot, image::PayloadForm form, const ImageChecks& checks,
                   ByteSpan work, CheckedImage& checked);

}  // namespace bleota::smp
