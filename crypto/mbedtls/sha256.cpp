// Streaming SHA-256 on mbedTLS.
#include <mbedtls/sha256.h>

#include <new>

#include "backend.hpp"
#include "bleota/crypto/crypto.hpp"

namespace bleota::crypto {
namespace {

static_assert(sizeof(mbedtls_sha256_context) <= kSha256StateBytes, "raise kSha256StateBytes");
static_assert(alignof(mbedtls_sha256_context) <= 8, "Sha256 state alignment");

mbedtls_sha256_context* Context(uint8_t* state) {
  return std::launder(reinterpret_cast<mbedtls_sha256_context*>(state));
}

}  // namespace

Sha256::Sha256() { mbedtls_sha256_init(new (state_) mbedtls_sha256_context); }

Sha256::~Sha256() {
  mbedtls_sha256_free(Context(state_));
  SecureZero(state_);
}

Status Sha256::Start() {
  return backend::FromBackend(mbedtls_sha256_starts_ret(Context(state_), /*is224=*/0));
}

Status Sha256::Update(ConstByteSpan data) {
  return backend::FromBackend(mbedtls_sha256_update_ret(Context(state_), data.data(), data.size()));
}

Status Sha256::Finish(Digest out) {
  return backend::FromBackend(mbedtls_sha256_finish_ret(Context(state_), out.data()));
}

Status Sha256Digest(ConstByteSpan data, Digest out) {
  return backend::FromBackend(mbedtls_sha256_ret(data.data(), data.size(), out.data(), 0));
}

}  // namespace bleota::crypto
