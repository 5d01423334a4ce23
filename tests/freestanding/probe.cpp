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

#include "bleota/boot/bootloader.hpp"
#include "bleota/boot/image_control.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/flash_map.hpp"
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

// Flash and SoC for the bootloader, backed by RAM the optimiser cannot see through.
alignas(8) uint8_t g_flash[16384];
constexpr SectorRun kProbeSectors[] = {{1024, 16}};

class ProbeFlash final : public Flash {
 public:
  const FlashGeometry& geometry() const override { return geometry_; }
  Status Read(uint32_t offset, ByteSpan out) override {
    if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), sizeof(g_flash))) {
      return StatusCode::kOutOfRange;
    }
    for (size_t i = 0; i < out.size(); ++i) out[i] = g_flash[offset + i];
    return Status::Ok();
  }
  Status Program(uint32_t offset, ConstByteSpan data) override {
    if (!RangeWithin(offset, static_cast<uint32_t>(data.size()), sizeof(g_flash))) {
      return StatusCode::kOutOfRange;
    }
    for (size_t i = 0; i < data.size(); ++i) g_flash[offset + i] &= data[i];
    return Status::Ok();
  }
  Status Erase(uint32_t offset, uint32_t size) override {
    if (!RangeWithin(offset, size, sizeof(g_flash))) return StatusCode::kOutOfRange;
    for (uint32_t i = 0; i < size; ++i) g_flash[offset + i] = 0xff;
    return Status::Ok();
  }

 private:
  FlashGeometry geometry_{kProbeSectors, 4, 0xff};
};

class ProbePlatform final : public boot::Platform {
 public:
  boot::ResetCause reset_cause() override { return static_cast<boot::ResetCause>(g_input[0] % 5); }
  bool update_button_pressed() override { return g_input[1] != 0; }
  ByteSpan retained_ram() override { return ByteSpan(g_input + 1900, 64); }
  void StartWatchdog(uint32_t period_ms) override { g_sink = period_ms; }
  void KickWatchdog() override { g_sink = g_sink + 1; }
  Status ReadOtp(uint32_t offset, ByteSpan out) override {
    if (!RangeWithin(offset, static_cast<uint32_t>(out.size()), 256))
      return StatusCode::kOutOfRange;
    for (size_t i = 0; i < out.size(); ++i) out[i] = g_input[1024 + offset + i];
    return Status::Ok();
  }
  Status ProgramOtp(uint32_t offset, ConstByteSpan data) override {
    if (!RangeWithin(offset, static_cast<uint32_t>(data.size()), 256))
      return StatusCode::kOutOfRange;
    for (size_t i = 0; i < data.size(); ++i) g_input[1024 + offset + i] &= data[i];
    return Status::Ok();
  }
  uint32_t otp_size() const override { return 256; }
  Status ApplyProtection(const boot::ProtectionConfig& config) override {
    g_sink = static_cast<uint32_t>(config.no_access_count);
    return Status::Ok();
  }
};

// The whole boot decision: journal, swap engine, golden restore, verification, counter.
void ProbeBoot() {
  static ProbeFlash flash;
  static ProbePlatform platform;
  FlashArea bootloader(AreaId::kBootloader, flash, 0, 2048);
  FlashArea boot_state(AreaId::kBootState, flash, 2048, 2048);
  FlashArea primary(AreaId::kPrimary, flash, 4096, 4096);
  FlashArea secondary(AreaId::kSecondary, flash, 8192, 4096);
  FlashArea swap(AreaId::kSwap, flash, 12288, 1024);
  FlashArea golden(AreaId::kGolden, flash, 12288 + 1024, 3072);
  boot::BootAreas areas{&bootloader, &boot_state, &primary, &secondary, &swap, &golden};
  const image::TrustedKey keys[] = {{image::KeyAlgorithm::kEcdsaP256, In(0, 91)}};
  boot::BootConfig config;
  config.keys = keys;
  config.decryption.ec256_private = In(600, 32);
  config.counter_otp_offset = 0;
  config.counter_otp_entries = 16;
  alignas(8) static uint8_t work[256];
  boot::Bootloader bl(areas, platform, config, work);
  const auto decision = bl.Boot();
  Fold(decision.status());
  if (decision.ok()) g_sink = decision.value().app_offset;
  boot::ImageControl control(boot_state);
  Fold(control.ConfirmRunningImage());
}

}  // namespace

int main() {
  ProbeBoot();
  ProbeHashes();
  ProbeSymmetric();
  ProbePublicKey();
  ProbeImage();
  return static_cast<int>(g_sink & 1u);
}
