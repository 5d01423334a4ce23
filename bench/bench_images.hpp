// Images of any payload size for the benchmarks, built in memory from the imgtool vectors: the
// payload is the vectors' deterministic p200000.bin repeated, signed with the vectors' signing
// keys; encrypted images reuse a vector image's ENC TLV (so its image key) and encrypt the new
// payload with that key. TEST-ONLY keys, host code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "bleota/image/image_verifier.hpp"

namespace bleota::bench {

enum class ImageSigner { kNone, kEcdsaP256, kEd25519 };

struct ImageRecipe {
  uint32_t payload_size = 4096;
  ImageSigner signer = ImageSigner::kEcdsaP256;
  // Vector image (relative to tests/vectors/imgtool) whose ENC TLV and image key the new image
  // uses; empty: not encrypted.
  std::string enc_source;
};

// The image bytes; throws std::runtime_error when a vector is missing or a backend call fails.
std::vector<uint8_t> BuildImage(const ImageRecipe& recipe);

// Trusted keys and device decryption keys matching the built images (and the vectors).
image::VerifyOptions BenchVerifyOptions(uint32_t image_flags);

// A vector file's bytes (path relative to tests/vectors/imgtool).
std::vector<uint8_t> ReadVectorFile(const std::string& relative);

}  // namespace bleota::bench
