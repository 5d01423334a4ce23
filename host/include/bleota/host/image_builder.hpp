// Building and signing MCUboot images on the host. Reproduces `imgtool sign` (2.4) byte for byte
// wherever imgtool's output is deterministic: header, header padding, protected TLVs, SHA256,
// KEYHASH/PUBKEY, Ed25519 signature, encryption padding and the --pad trailer. Image keys and
// ECIES ephemeral keys are random, as in imgtool; ECDSA signatures use RFC 6979 nonces where
// imgtool's are random, so those bytes differ from imgtool's.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "bleota/host/keys.hpp"
#include "bleota/host/secret_bytes.hpp"
#include "bleota/host/version.hpp"

namespace bleota::host {

enum class PublicKeyFormat {
  kHash,  // KEYHASH TLV: SHA-256 of the SubjectPublicKeyInfo (imgtool's default)
  kFull,  // PUBKEY TLV: the SubjectPublicKeyInfo itself
};

struct Dependency {
  uint8_t image_id = 0;
  ImageVersion version;
};

struct CustomTlv {
  uint16_t type = 0;  // 0xa0..0xfffe (imgtool's vendor range)
  std::vector<uint8_t> value;
};

struct ImageEncryption {
  // Exactly one of the two: the device's public key (P-256 -> ENC_EC256, X25519 -> ENC_X25519)
  // or an AES-KW key-encryption key (ENC_KW).
  std::optional<PublicKey> recipient;
  std::optional<SecretBytes> kek;
  uint32_t key_bits = 128;  // AES-128 or AES-256 (flag ENCRYPTED_AES128 / ENCRYPTED_AES256)
  bool clear = false;       // imgtool --clear: ENC TLV and flag, but the payload stays plaintext
};

struct ImageBuildOptions {
  uint32_t header_size = 0;  // >= 32, <= 0xffff
  bool pad_header = false;   // prepend header_size bytes of erased_val; else input starts with 0s
  ImageVersion version;
  uint32_t slot_size = 0;             // the image plus its trailer must fit; 0 skips the check
  uint32_t align = 1;                 // 1, 2, 4, 8, 16, 32
  std::optional<uint32_t> max_align;  // 8, 16, 32; default max(8, align)
  uint8_t erased_val = 0xff;          // 0x00 or 0xff
  bool pad = false;                   // pad to slot_size and write the trailer magic
  bool confirm = false;               // set image_ok (implies pad)
  bool overwrite_only = false;
  uint32_t max_sectors = 128;
  bool save_enctlv = false;
  std::optional<uint32_t> security_counter;  // SEC_CNT protected TLV
  std::vector<Dependency> dependencies;      // DEPENDENCY protected TLVs
  std::vector<CustomTlv> custom_tlvs;        // further protected TLVs, in order
  uint32_t load_addr = 0;                    // != 0: RAM_LOAD flag and the header's load_addr
  uint32_t rom_fixed = 0;                    // != 0: ROM_FIXED flag and the header's load_addr
  bool non_bootable = false;
  PublicKeyFormat public_key_format = PublicKeyFormat::kHash;
  const PrivateKey* signing_key = nullptr;  // nullptr: a hash-only (unsigned) image
  std::optional<ImageEncryption> encryption;
};

// Builds the image file from the raw payload (or, without pad_header, a binary that already
// starts with header_size zero bytes). Throws HostError: kUsage for inconsistent options, kImage
// when the input does not fit (header area not zero, image + trailer larger than the slot, TLV
// areas over 64 KiB), kKey for unusable keys.
std::vector<uint8_t> BuildImage(std::span<const uint8_t> input, const ImageBuildOptions& options);

}  // namespace bleota::host
