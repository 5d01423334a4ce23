// Runs one crypto operation `count` times and nothing else, for instruction counting under
// valgrind --tool=callgrind (scripts/bench): instructions(count = N) - instructions(count = 0)
// is the cost of N operations, with process start-up and library initialisation cancelled out.
// Built twice: against the host backend (Debian's mbedTLS, 64-bit limbs) and, when the
// third-party sources are unpacked, against the device configuration (32-bit limbs, small
// windows, static arena) to come closer to what a Cortex-M executes.
//
//   crypto_op_probe <p256_verify|ed25519_verify|ecdh_p256|sha256_kib> <count>
//
// Exits non-zero when an operation fails, so a count always measures successful operations.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <iterator>
#include <span>

#include "bleota/crypto/crypto.hpp"
#include "vector_keys.hpp"

namespace bleota::bench {
namespace {

// The SHA256 TLV of tests/vectors/imgtool/images/{ecdsa_p256,ed25519}_h200.bin (same header and
// payload) and the two images' signature TLVs, made with the vector signing keys.
constexpr uint8_t kDigest[] = {0x1a, 0x9a, 0x26, 0x1e, 0xa0, 0x58, 0xca, 0x64, 0x5d, 0x48, 0x86,
                               0xed, 0xfa, 0xef, 0x85, 0xea, 0x60, 0xa8, 0x9d, 0x65, 0x1f, 0x86,
                               0x46, 0x16, 0x72, 0xec, 0x46, 0x19, 0xfb, 0x69, 0x75, 0xdb};
constexpr uint8_t kEcdsaSignature[] = {
    0x30, 0x46, 0x02, 0x21, 0x00, 0xe7, 0x0f, 0x60, 0x85, 0x3c, 0x70, 0xc7, 0x08, 0xb0, 0xaf,
    0x88, 0x00, 0xeb, 0x8f, 0xd7, 0xb5, 0xac, 0x57, 0x03, 0x93, 0x82, 0x48, 0xaa, 0x83, 0x48,
    0x3c, 0x03, 0xf1, 0x28, 0xac, 0x18, 0x9d, 0x02, 0x21, 0x00, 0xa3, 0x28, 0x85, 0xae, 0x86,
    0x60, 0xd1, 0x10, 0xfd, 0x3d, 0xf1, 0xba, 0x36, 0x82, 0xda, 0xaf, 0xef, 0x15, 0x75, 0x41,
    0xa9, 0x0c, 0xf7, 0x39, 0xdc, 0xfd, 0xfe, 0xc9, 0x5b, 0x90, 0x43, 0x8a};
constexpr uint8_t kEd25519Signature[] = {
    0x2d, 0x60, 0x39, 0x63, 0x01, 0x52, 0x81, 0x14, 0xd0, 0x94, 0xeb, 0x24, 0xae, 0xd3, 0xac, 0xee,
    0xcc, 0x13, 0x50, 0xc9, 0xd6, 0x62, 0xd5, 0xf2, 0x82, 0xe9, 0x2a, 0x4c, 0x63, 0x07, 0xde, 0xa7,
    0xfe, 0xc1, 0x3e, 0x20, 0xee, 0x89, 0x0d, 0xfc, 0x81, 0xa0, 0xf1, 0x97, 0x27, 0xaa, 0x05, 0x3a,
    0x4d, 0x55, 0x77, 0xc3, 0xdd, 0xb2, 0xec, 0x5a, 0x42, 0xd5, 0x41, 0x03, 0xc4, 0x32, 0xf0, 0x0a};

// The ENC_EC256 ephemeral point of images/enc_ec256_aes128.bin is not needed: the device's own
// public key is a valid peer point and costs the same scalar multiplication.
constexpr size_t kSpkiPointOffset = sizeof(vectors::kSignEcdsaP256Spki) - crypto::kP256PointSize;

bool RunOnce(const char* operation) {
  if (std::strcmp(operation, "p256_verify") == 0) {
    return crypto::EcdsaP256VerifyDigest(vectors::kSignEcdsaP256Spki, kDigest, kEcdsaSignature)
        .ok();
  }
  if (std::strcmp(operation, "ed25519_verify") == 0) {
    const std::span<const uint8_t, crypto::kEd25519PublicKeySize> key(
        std::end(vectors::kSignEd25519Spki) - crypto::kEd25519PublicKeySize,
        crypto::kEd25519PublicKeySize);
    return crypto::Ed25519Verify(key, kDigest, kEd25519Signature).ok();
  }
  if (std::strcmp(operation, "ecdh_p256") == 0) {
    uint8_t shared[32];
    return crypto::EcdhP256(vectors::kEncEc256Private,
                            std::span<const uint8_t>(vectors::kSignEcdsaP256Spki)
                                .subspan(kSpkiPointOffset, crypto::kP256PointSize),
                            shared)
        .ok();
  }
  return false;
}

bool IsKnown(const char* operation) {
  for (const char* known : {"p256_verify", "ed25519_verify", "ecdh_p256", "sha256_kib"}) {
    if (std::strcmp(operation, known) == 0) return true;
  }
  return false;
}

}  // namespace
}  // namespace bleota::bench

int main(int argc, char** argv) {
  using namespace bleota;
  if (argc != 3 || !bench::IsKnown(argv[1])) {
    std::fprintf(stderr, "usage: %s <p256_verify|ed25519_verify|ecdh_p256|sha256_kib> <count>\n",
                 argv[0]);
    return 2;
  }
  const char* operation = argv[1];
  const long count = std::strtol(argv[2], nullptr, 10);
  if (count < 0) return 2;

  if (std::strcmp(operation, "sha256_kib") == 0) {
    // One hash context; each count is one more KiB through Update().
    static uint8_t kib[1024];
    uint8_t digest[crypto::kSha256Size];
    crypto::Sha256 sha;
    if (!sha.Start().ok()) return 1;
    for (long i = 0; i < count; ++i) {
      kib[0] = static_cast<uint8_t>(i);
      if (!sha.Update(kib).ok()) return 1;
    }
    return sha.Finish(digest).ok() ? 0 : 1;
  }
  for (long i = 0; i < count; ++i) {
    if (!bench::RunOnce(operation)) {
      std::fprintf(stderr, "%s failed\n", operation);
      return 1;
    }
  }
  return 0;
}
