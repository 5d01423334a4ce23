#include "bleota/host/key_files.hpp"

#include <mbedtls/base64.h>

#include <string_view>

#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/key_der.hpp"
#include "bleota/host/key_pem.hpp"

namespace bleota::host {
namespace {

std::string Source(const std::filesystem::path& path) { return "key file '" + path.string() + "'"; }

// The DER inside a key file, PEM-armoured or not, with the PEM label ("" for DER).
PemBlock ReadKeyDer(const std::filesystem::path& path) {
  SecretBytes contents(ReadFileBounded(path, kMaxKeyFileBytes, "key file"));
  const std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
  if (text.find("-----BEGIN ") != std::string_view::npos) return PemDecode(text, Source(path));
  if (contents.size() == 0) ThrowKey(Source(path) + " is empty");
  return PemBlock{"", std::move(contents)};
}

bool IsPrivateLabel(std::string_view label) {
  return label == "PRIVATE KEY" || label == "EC PRIVATE KEY";
}

}  // namespace

PrivateKey LoadPrivateKeyFile(const std::filesystem::path& path) {
  PemBlock block = ReadKeyDer(path);
  if (!block.label.empty() && !IsPrivateLabel(block.label)) {
    ThrowKey(Source(path) + " holds a '" + block.label +
             "' PEM block; a private key (PRIVATE KEY or EC PRIVATE KEY) is needed");
  }
  return ParsePrivateKeyDer(block.der.span(), Source(path));
}

PublicKey LoadPublicKeyFile(const std::filesystem::path& path) {
  PemBlock block = ReadKeyDer(path);
  if (block.label == "PUBLIC KEY") return ParseSpkiDer(block.der.span(), Source(path));
  if (IsPrivateLabel(block.label)) {
    return ParsePrivateKeyDer(block.der.span(), Source(path)).public_key;
  }
  if (!block.label.empty()) {
    ThrowKey(Source(path) + " holds a '" + block.label + "' PEM block, not a key");
  }
  // Bare DER: a SubjectPublicKeyInfo, or else a private key.
  try {
    return ParseSpkiDer(block.der.span(), Source(path));
  } catch (const HostError&) {
    return ParsePrivateKeyDer(block.der.span(), Source(path)).public_key;
  }
}

std::string PrivateKeyPem(const PrivateKey& key) {
  return PemEncode("PRIVATE KEY", Pkcs8Der(key).span());
}

std::string PublicKeyPem(const PublicKey& key) { return PemEncode("PUBLIC KEY", SpkiDer(key)); }

SecretBytes LoadKekFile(const std::filesystem::path& path) {
  SecretBytes contents(ReadFileBounded(path, kMaxKeyFileBytes, "KEK file"));
  if (contents.size() == 16 || contents.size() == 32) return contents;
  std::string_view text(reinterpret_cast<const char*>(contents.data()), contents.size());
  const auto is_space = [](char c) { return c == ' ' || c == '\n' || c == '\r' || c == '\t'; };
  while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
  SecretBytes decoded(48);
  size_t length = 0;
  const int ret =
      mbedtls_base64_decode(decoded.data(), decoded.size(), &length,
                            reinterpret_cast<const unsigned char*>(text.data()), text.size());
  if (ret != 0 || (length != 16 && length != 32)) {
    ThrowKey("KEK file '" + path.string() + "' must hold 16 or 32 raw bytes or their base64 (" +
             std::to_string(contents.size()) + " bytes found" +
             (ret == 0 ? ", base64 of " + std::to_string(length) + " bytes)" : ")"));
  }
  return SecretBytes(decoded.span().first(length));
}

}  // namespace bleota::host
