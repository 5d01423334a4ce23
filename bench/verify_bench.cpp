// Image verification throughput on the host: SHA-256 hashing of a slot, full VerifyImage of
// ECDSA P-256, Ed25519 and encrypted images (payload 4-256 KiB), and the fixed-cost operations
// inside it. Ends with Markdown tables (TableReporter). Not a test: nothing here passes or fails
// on time; a verification that fails is reported as a benchmark error.
//
//   bleota_bench [--benchmark_filter=REGEX] [--benchmark_min_time=S] [Google Benchmark flags]
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <iostream>
#include <map>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <unistd.h>

#include "bench_images.hpp"
#include "bleota/crypto/crypto.hpp"
#include "bleota/image/image_decryptor.hpp"
#include "bleota/image/image_header.hpp"
#include "bleota/image/image_verifier.hpp"
#include "bleota/image/tlv.hpp"
#include "bleota/readable.hpp"
#include "table_reporter.hpp"
#include "vector_keys.hpp"

namespace bleota::bench {
namespace {

constexpr int64_t kSizes[] = {4 * 1024, 16 * 1024, 64 * 1024, 256 * 1024};

struct Family {
  const char* name;
  ImageRecipe recipe;  // payload_size is set per run
};

// ENC sources: vector images whose ENC TLV (and so image key) the built images reuse.
const Family kVerifyFamilies[] = {
    {"verify_ecdsa_p256", {0, ImageSigner::kEcdsaP256, ""}},
    {"verify_ed25519", {0, ImageSigner::kEd25519, ""}},
    {"verify_enc_ec256_aes128", {0, ImageSigner::kEcdsaP256, "images/enc_ec256_aes128.bin"}},
    {"verify_enc_ec256_aes256", {0, ImageSigner::kEcdsaP256, "images/enc_ec256_aes256.bin"}},
    {"verify_enc_kw_aes128", {0, ImageSigner::kEcdsaP256, "images/enc_kw_aes128.bin"}},
    {"verify_enc_kw_aes256", {0, ImageSigner::kEcdsaP256, "images/enc_kw_aes256.bin"}},
};

// Built once per (family, size), outside the timed loops.
const std::vector<uint8_t>& CachedImage(const std::string& family, ImageRecipe recipe,
                                        int64_t size) {
  static std::map<std::pair<std::string, int64_t>, std::vector<uint8_t>> cache;
  auto [it, inserted] = cache.try_emplace({family, size});
  if (inserted) {
    recipe.payload_size = static_cast<uint32_t>(size);
    it->second = BuildImage(recipe);
  }
  return it->second;
}

void SetThroughput(benchmark::State& state, size_t image_bytes) {
  state.SetBytesProcessed(state.iterations() * static_cast<int64_t>(image_bytes));
}

// SHA-256 over the hashed region of an unsigned image, in the verifier's 256-byte reads.
void HashSlot(benchmark::State& state) {
  const std::vector<uint8_t>& bytes =
      CachedImage("hash_slot", {0, ImageSigner::kNone, ""}, state.range(0));
  MemoryReadable slot(bytes);
  Result<image::ImageLayout> layout = image::ParseImageHeader(slot);
  if (!layout.ok()) {
    state.SkipWithError("hash_slot image does not parse");
    return;
  }
  uint8_t work[image::kDefaultChunkSize];
  uint8_t digest[crypto::kSha256Size];
  for (auto _ : state) {
    if (!image::ComputeImageHash(slot, *layout, nullptr, work, digest).ok()) {
      state.SkipWithError("ComputeImageHash failed");
      break;
    }
    benchmark::DoNotOptimize(digest);
  }
  SetThroughput(state, bytes.size());
}

void VerifyFamily(benchmark::State& state, const Family& family) {
  const std::vector<uint8_t>& bytes = CachedImage(family.name, family.recipe, state.range(0));
  MemoryReadable slot(bytes);
  const image::VerifyOptions options = BenchVerifyOptions(LoadLe32(bytes.data() + 16));
  for (auto _ : state) {
    Result<image::VerifiedImage> verified = image::VerifyImage(slot, options);
    if (!verified.ok()) {
      state.SkipWithError((std::string("VerifyImage failed: ") + verified.status().name()).c_str());
      break;
    }
    benchmark::DoNotOptimize(verified->hash);
  }
  SetThroughput(state, bytes.size());
}

// The value of the first TLV of `type` in a vector image.
std::vector<uint8_t> VectorTlv(const std::string& relative, uint16_t type) {
  const std::vector<uint8_t> bytes = ReadVectorFile(relative);
  MemoryReadable readable(bytes);
  Result<image::ImageLayout> layout = image::ParseImageHeader(readable);
  if (!layout.ok()) throw std::runtime_error(relative + " does not parse");
  image::TlvIterator it(readable, *layout, image::TlvArea::kBoth);
  image::TlvEntry entry;
  while (true) {
    Result<bool> more = it.Next(entry);
    if (!more.ok() || !*more) break;
    if (entry.type == type) {
      return std::vector<uint8_t>(bytes.begin() + entry.value_offset,
                                  bytes.begin() + entry.value_offset + entry.length);
    }
  }
  throw std::runtime_error(relative + " has no TLV " + std::to_string(type));
}

void EcdsaP256Verify(benchmark::State& state) {
  const std::vector<uint8_t> digest = VectorTlv("images/ecdsa_p256_h200.bin", image::kTlvSha256);
  const std::vector<uint8_t> signature =
      VectorTlv("images/ecdsa_p256_h200.bin", image::kTlvEcdsaSig);
  for (auto _ : state) {
    if (!crypto::EcdsaP256VerifyDigest(vectors::kSignEcdsaP256Spki,
                                       crypto::ConstDigest(digest.data(), crypto::kSha256Size),
                                       signature)
             .ok()) {
      state.SkipWithError("ECDSA verify failed");
      break;
    }
  }
}

void Ed25519Verify(benchmark::State& state) {
  const std::vector<uint8_t> digest = VectorTlv("images/ed25519_h200.bin", image::kTlvSha256);
  const std::vector<uint8_t> signature = VectorTlv("images/ed25519_h200.bin", image::kTlvEd25519);
  const std::span<const uint8_t, crypto::kEd25519PublicKeySize> key(
      std::end(vectors::kSignEd25519Spki) - crypto::kEd25519PublicKeySize,
      crypto::kEd25519PublicKeySize);
  for (auto _ : state) {
    if (!crypto::Ed25519Verify(key, digest,
                               std::span<const uint8_t, crypto::kEd25519SignatureSize>(
                                   signature.data(), crypto::kEd25519SignatureSize))
             .ok()) {
      state.SkipWithError("Ed25519 verify failed");
      break;
    }
  }
}

// UnwrapImageKey on a vector image's ENC TLV: the fixed cost encryption adds.
void UnwrapKey(benchmark::State& state, const char* vector, uint16_t tlv_type) {
  const std::vector<uint8_t> value = VectorTlv(vector, tlv_type);
  const std::vector<uint8_t> header = ReadVectorFile(vector);
  const uint32_t flags = LoadLe32(header.data() + 16);
  const image::DecryptionKeys keys = BenchVerifyOptions(flags).decryption;
  for (auto _ : state) {
    image::ImageKey key;
    if (!image::UnwrapImageKey(tlv_type, value, image::EncryptionKeySize(flags), keys, key).ok()) {
      state.SkipWithError("UnwrapImageKey failed");
      break;
    }
    benchmark::DoNotOptimize(key.bytes);
  }
}

void RegisterBenchmarks() {
  benchmark::RegisterBenchmark("hash_slot", HashSlot)
      ->ArgsProduct({{std::begin(kSizes), std::end(kSizes)}});
  for (const Family& family : kVerifyFamilies) {
    benchmark::RegisterBenchmark(family.name, VerifyFamily, family)
        ->ArgsProduct({{std::begin(kSizes), std::end(kSizes)}})
        ->Unit(benchmark::kMicrosecond);
  }
  benchmark::RegisterBenchmark("op_ecdsa_p256_verify", EcdsaP256Verify)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("op_ed25519_verify", Ed25519Verify)->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("op_unwrap_enc_ec256", UnwrapKey, "images/enc_ec256_aes128.bin",
                               image::kTlvEncEc256)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("op_unwrap_enc_x25519", UnwrapKey, "images/enc_x25519_aes128.bin",
                               image::kTlvEncX25519)
      ->Unit(benchmark::kMicrosecond);
  benchmark::RegisterBenchmark("op_unwrap_enc_kw", UnwrapKey, "images/enc_kw_aes128.bin",
                               image::kTlvEncKw)
      ->Unit(benchmark::kMicrosecond);
}

}  // namespace
}  // namespace bleota::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  try {
    bleota::bench::RegisterBenchmarks();
    // Colour only on a terminal, so logs and tee'd files stay plain text.
    bleota::bench::TableReporter reporter(isatty(fileno(stdout)) != 0
                                              ? benchmark::ConsoleReporter::OO_Defaults
                                              : benchmark::ConsoleReporter::OO_Tabular);
    benchmark::RunSpecifiedBenchmarks(&reporter);
    reporter.PrintTables(std::cout);
    if (reporter.error_count() != 0) {
      std::fprintf(stderr, "bleota_bench: %d benchmarks failed\n", reporter.error_count());
      return 1;
    }
  } catch (const std::exception& error) {
    std::fprintf(stderr, "bleota_bench: %s\n", error.what());
    return 1;
  }
  benchmark::Shutdown();
  return 0;
}
