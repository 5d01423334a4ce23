// AES-CTR with random access: the counter block for keystream byte `n` is the 128-bit big-endian
// value n / 16 (MCUboot starts the counter at zero), so any offset can be decrypted directly.
#include <mbedtls/aes.h>

#include <new>

#include "backend.hpp"
#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {
namespace {

constexpr uint32_t kBlockSize = 16;

static_assert(sizeof(mbedtls_aes_context) <= kAesStateBytes, "raise kAesStateBytes");
static_assert(alignof(mbedtls_aes_context) <= 8, "AesCtr state alignment");

mbedtls_aes_context* Context(uint8_t* state) {
  return std::launder(reinterpret_cast<mbedtls_aes_context*>(state));
}

void CounterBlock(uint32_t block_index, uint8_t (&counter)[kBlockSize]) {
  for (uint8_t& b : counter) b = 0;
  counter[12] = static_cast<uint8_t>(block_index >> 24);
  counter[13] = static_cast<uint8_t>(block_index >> 16);
  counter[14] = static_cast<uint8_t>(block_index >> 8);
  counter[15] = static_cast<uint8_t>(block_index);
}

}  // namespace

AesCtr::AesCtr() { mbedtls_aes_init(new (state_) mbedtls_aes_context); }

AesCtr::~AesCtr() {
  mbedtls_aes_free(Context(state_));
  SecureZero(state_);
}

Status AesCtr::SetKey(ConstByteSpan key) {
  if (key.size() != 16 && key.size() != 32) return StatusCode::kInvalidArgument;
  has_key_ = false;
  // CTR only ever runs the forward cipher.
  const int ret = mbedtls_aes_setkey_enc(Context(state_), key.data(),
                                         static_cast<unsigned int>(key.size() * 8));
  if (ret != 0) return StatusCode::kCryptoError;
  has_key_ = true;
  return Status::Ok();
}

Status AesCtr::Crypt(uint32_t stream_offset, ConstByteSpan in, ByteSpan out) {
  if (!has_key_) return StatusCode::kFailedPrecondition;
  if (in.size() != out.size()) return StatusCode::kInvalidArgument;
  // The keystream position is 32-bit; it must not wrap inside this call.
  const uint64_t stream_end = static_cast<uint64_t>(stream_offset) + in.size();
  if (stream_end > (uint64_t{1} << 32)) return StatusCode::kInvalidArgument;

  uint8_t counter[kBlockSize];
  uint8_t keystream[kBlockSize];
  uint32_t block_index = stream_offset / kBlockSize;
  size_t pos_in_block = stream_offset % kBlockSize;
  size_t done = 0;
  Status status = Status::Ok();
  while (done < in.size()) {
    CounterBlock(block_index, counter);
    if (mbedtls_aes_crypt_ecb(Context(state_), MBEDTLS_AES_ENCRYPT, counter, keystream) != 0) {
      status = StatusCode::kCryptoError;
      break;
    }
    while (pos_in_block < kBlockSize && done < in.size()) {
      // Read before write so in and out may alias.
      out[done] = static_cast<uint8_t>(in[done] ^ keystream[pos_in_block]);
      ++done;
      ++pos_in_block;
    }
    pos_in_block = 0;
    ++block_index;
  }
  SecureZero(keystream);
  return status;
}

}  // namespace bleota::crypto
