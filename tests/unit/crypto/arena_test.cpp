// Device configuration only: every mbedTLS allocation comes from the static arena, and the
// heaviest operations (ECDSA verify, ECDH P-256, X25519, key unwrap, HMAC) fit in it. Prints the
// measured peak so BLEOTA_CRYPTO_ARENA_BYTES can be sized from it.
#include <array>
#include <cstdio>

#include <gtest/gtest.h>

#include "backend.hpp"
#include "bleota/crypto/crypto.hpp"
#include "crypto_test_util.hpp"

namespace bleota::crypto {
namespace {

using test::Ascii;
using test::Bytes;
using test::Hex;

TEST(DeviceArena, HeaviestOperationsFitAndPeakIsReported) {
  ASSERT_GT(backend::ArenaSize(), 0u) << "device config must use the static arena";

  const Bytes key =
      Hex("0460FED4BA255A9D31C961EB74C6356D68C049B8923B61FA6CE669622E60F29FB6"
          "7903FE1008B8BC99A41AE9E95628BC64F2F1B20C2D7E9F5177A3C294D4462299");
  const Bytes sig =
      Hex("3046022100EFD48B2AACB6A8FD1140DD9CD45E81D69D2C877B56AAF991C34D0EA84EAF3716022100F7CB1C94"
          "2D657C41D436C7A1B6E29F65F3E900DBB9AFF4064DC4AB2F843ACDA8");
  std::array<uint8_t, kSha256Size> digest{};
  ASSERT_TRUE(Sha256Digest(Ascii("sample"), digest).ok());
  EXPECT_TRUE(EcdsaP256VerifyDigest(key, digest, sig).ok());

  const Bytes priv = Hex("C88F01F510D9AC3F70A292DAA2316DE544E9AAB8AFE84049C62A9C57862D1433");
  std::array<uint8_t, 32> shared{};
  EXPECT_TRUE(EcdhP256(std::span<const uint8_t, 32>(priv.data(), 32), key, shared).ok());
  Bytes base(32, 0);
  base[0] = 9;
  EXPECT_TRUE(X25519(std::span<const uint8_t, 32>(priv.data(), 32),
                     std::span<const uint8_t, 32>(base.data(), 32), shared)
                  .ok());
  Bytes unwrapped(32);
  EXPECT_TRUE(
      AesKeyUnwrap(Hex("000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F"),
                   Hex("28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A0"
                       "2DD21"),
                   unwrapped)
          .ok());
  Bytes okm(64);
  EXPECT_TRUE(HkdfSha256({}, priv, Ascii("MCUBoot_ECIES_v1"), okm).ok());

  const size_t peak = backend::ArenaPeakBytes();
  const size_t blocks = backend::ArenaPeakBlocks();
  // Block headers are 8 words: 64 bytes here, 32 on a 32-bit part.
  const size_t peak_32bit = peak - blocks * (8 * sizeof(void*) - 32);
  std::printf(
      "mbedTLS arena: %zu bytes; peak use here %zu bytes (%zu blocks), on a 32-bit part %zu\n",
      backend::ArenaSize(), peak, blocks, peak_32bit);
  EXPECT_GT(peak, 0u);
  EXPECT_LE(peak, backend::ArenaSize());
}

}  // namespace
}  // namespace bleota::crypto
