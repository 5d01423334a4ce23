// Freestanding link probe: a Cortex-M executable that calls the device APIs (crypto backend and
// bleota_core), linked with newlib-nano and --gc-sections. scripts/check-freestanding inspects
// its symbols: nothing here may pull in the heap, exceptions, RTTI or stdio.
//
// Inputs come from a global buffer the compiler cannot see the contents of, and every result is
// folded into a volatile, so no call is optimised away. To cover more of bleota_core, add a
// Probe*() function below and call it from main().
#include <cstddef>
#include <cstdint>
#include <span>

#include "bleota/crypto/crypto.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/image_verifier.hpp"
#include "bleota/readable.hpp"
#include "bleota/status.hpp"

namespace {

using namespace bleota;

// Filled by a debugger or the flash image in a real run; opaque to the optimiser here.
alignas(8) uint8_t g_input[2048];
volatile uint32_t g_sink;

void Fold(Status status) { g_sink = g_sink * 31u + static_cast<uint32_t>(status.code()); }

ConstByteSpan In(size_t offset, size_t size) { return ConstByteSpan(g_input + offset, size); }

void ProbeHashes() {
  uint8_t digest[crypto::kSha256Size];
  crypto::Sha256 sha;
  Fold(sha.Start());
  Fold(sha.Update(In(0, 100)));
  Fold(sha.Finish(digest));
  Fold(crypto::Sha256Digest(In(100, 64), digest));
  Fold(crypto::HmacSha256(In(0, 32), In(32, 64), digest));
  uint8_t okm[48];
  Fold(crypto::HkdfSha256({}, In(0, 32), In(64, 16), okm));
  g_sink = crypto::ConstantTimeEqual(digest, In(0, 32)) ? 1u : 0u;
  crypto::SecureZero(okm);
}

void ProbeSymmetric() {
  uint8_t key[32];
  Fold(crypto::AesKeyUnwrap(In(0, 16), In(16, 40), key));
  crypto::AesCtr ctr;
  Fold(ctr.SetKey(std::span<const uint8_t>(key, 32)));
  uint8_t block[64];
  Fold(ctr.Crypt(g_sink, In(200, sizeof(block)), block));
}

void ProbePublicKey() {
  const uint8_t* p = g_input;
  Fold(crypto::EcdsaP256VerifyDigest(In(0, 91), std::span<const uint8_t, 32>(p + 100, 32),
                                     In(140, 72)));
  Fold(crypto::Ed25519Verify(std::span<const uint8_t, 32>(p + 300, 32), In(400, 32),
                             std::span<const uint8_t, 64>(p + 500, 64)));
  uint8_t shared[32];
  Fold(crypto::EcdhP256(std::span<const uint8_t, 32>(p + 600, 32), In(640, 65), shared));
  Fold(crypto::X25519(std::span<const uint8_t, 32>(p + 800, 32),
                      std::span<const uint8_t, 32>(p + 840, 32), shared));
}

void ProbeImage() {
  MemoryReadable slot(In(1024, 1024));
  image::ImageFault fault;
  const auto layout = image::ParseImageHeader(slot, &fault);
  Fold(layout.status());
  // Full verification with every key kind and in-place decryption of an encrypted payload.
  const image::TrustedKey keys[] = {{image::KeyAlgorithm::kEcdsaP256, In(0, 91)},
                                    {image::KeyAlgorithm::kEd25519, In(100, 44)}};
  image::VerifyOptions options;
  options.keys = keys;
  options.decryption.ec256_private = In(600, 32);
  options.decryption.x25519_private = In(800, 32);
  options.decryption.kek = In(0, 16);
  const auto verified = image::VerifyImage(slot, options, &fault);
  Fold(verified.status());
  if (layout.ok()) {
    image::ImageDecryptor decryptor;
    Fold(decryptor.Open(slot, layout.value(), options.decryption, &fault));
    uint8_t chunk[64];
    Fold(slot.Read(layout.value().payload_offset, chunk));
    Fold(decryptor.Crypt(0, chunk));
  }
}

}  // namespace

int main() {
  ProbeHashes();
  ProbeSymmetric();
  ProbePublicKey();
  ProbeImage();
  return static_cast<int>(g_sink & 1u);
}
