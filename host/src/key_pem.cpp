#include "bleota/host/key_pem.hpp"

#include <mbedtls/pem.h>

#include <string>
#include <vector>

#include "bleota/host/error.hpp"

namespace bleota::host {
namespace {

constexpr std::string_view kBegin = "-----BEGIN ";
constexpr std::string_view kDashes = "-----";
constexpr size_t kMaxLabelBytes = 64;

class PemContext {
 public:
  PemContext() { mbedtls_pem_init(&ctx_); }
  ~PemContext() { mbedtls_pem_free(&ctx_); }  // wipes the decoded buffer
  PemContext(const PemContext&) = delete;
  PemContext& operator=(const PemContext&) = delete;
  mbedtls_pem_context* get() { return &ctx_; }

 private:
  mbedtls_pem_context ctx_;
};

}  // namespace

PemBlock PemDecode(std::string_view text, std::string_view source) {
  const size_t begin = text.find(kBegin);
  if (begin == std::string_view::npos) {
    ThrowKey(std::string(source) + ": no PEM block ('-----BEGIN ...-----') found");
  }
  const size_t label_start = begin + kBegin.size();
  const size_t label_end = text.find(kDashes, label_start);
  if (label_end == std::string_view::npos || label_end - label_start > kMaxLabelBytes) {
    ThrowKey(std::string(source) + ": malformed PEM header");
  }
  PemBlock block;
  block.label = std::string(text.substr(label_start, label_end - label_start));
  for (char c : block.label) {
    if (!(c == ' ' || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))) {
      ThrowKey(std::string(source) + ": malformed PEM label");
    }
  }
  const std::string header = "-----BEGIN " + block.label + "-----";
  const std::string footer = "-----END " + block.label + "-----";
  // mbedTLS wants a NUL-terminated buffer.
  const std::string terminated(text.substr(begin));
  PemContext pem;
  size_t used = 0;
  const int ret = mbedtls_pem_read_buffer(
      pem.get(), header.c_str(), footer.c_str(),
      reinterpret_cast<const unsigned char*>(terminated.c_str()), nullptr, 0, &used);
  if (ret == MBEDTLS_ERR_PEM_PASSWORD_REQUIRED || block.label == "ENCRYPTED PRIVATE KEY") {
    ThrowKey(std::string(source) + ": password-protected keys are not supported");
  }
  if (ret == MBEDTLS_ERR_PEM_INVALID_DATA) {
    ThrowKey(std::string(source) + ": PEM block '" + block.label + "' has invalid base64 data");
  }
  if (ret != 0) {
    ThrowKey(std::string(source) + ": malformed PEM block '" + block.label + "' (missing " +
             footer + "?)");
  }
  block.der = SecretBytes(std::span<const uint8_t>(pem.get()->buf, pem.get()->buflen));
  return block;
}

std::string PemEncode(std::string_view label, std::span<const uint8_t> der) {
  const std::string header = "-----BEGIN " + std::string(label) + "-----\n";
  const std::string footer = "-----END " + std::string(label) + "-----\n";
  // base64 grows 4/3, plus a newline every 64 characters, the armour and the NUL.
  std::vector<unsigned char> buffer(header.size() + footer.size() + der.size() * 2 + 16);
  size_t written = 0;
  if (mbedtls_pem_write_buffer(header.c_str(), footer.c_str(), der.data(), der.size(),
                               buffer.data(), buffer.size(), &written) != 0 ||
      written == 0) {
    ThrowInternal("mbedTLS failed to write a PEM block");
  }
  // `written` counts the terminating NUL.
  std::string out(reinterpret_cast<const char*>(buffer.data()), written - 1);
  std::fill(buffer.begin(), buffer.end(), 0);
  return out;
}

}  // namespace bleota::host
