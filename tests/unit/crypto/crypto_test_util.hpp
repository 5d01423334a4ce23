// Helpers for the crypto tests: hex decoding and the imgtool vector manifest.
#pragma once

#include <algorithm>
#include <cstdint>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

namespace bleota::crypto::test {

using Bytes = std::vector<uint8_t>;

inline Bytes Hex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    throw std::invalid_argument("bad hex digit");
  };
  Bytes out;
  std::string digits;
  for (char c : hex) {
    if (c != ' ' && c != '\n') digits.push_back(c);
  }
  if (digits.size() % 2 != 0) throw std::invalid_argument("odd hex length");
  for (size_t i = 0; i < digits.size(); i += 2) {
    out.push_back(static_cast<uint8_t>(nibble(digits[i]) << 4 | nibble(digits[i + 1])));
  }
  return out;
}

inline Bytes Ascii(std::string_view text) { return Bytes(text.begin(), text.end()); }

inline Bytes ReadVectorFile(const std::string& relative) {
  std::ifstream in(std::string(BLEOTA_VECTOR_DIR) + "/" + relative, std::ios::binary);
  if (!in) throw std::runtime_error("cannot open vector file " + relative);
  return Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

inline const nlohmann::json& Manifest() {
  static const nlohmann::json manifest = [] {
    std::ifstream in(std::string(BLEOTA_VECTOR_DIR) + "/manifest.json");
    if (!in) throw std::runtime_error("cannot open manifest.json");
    return nlohmann::json::parse(in);
  }();
  return manifest;
}

inline const nlohmann::json& ManifestImage(std::string_view name) {
  for (const auto& image : Manifest().at("images")) {
    if (image.at("name") == name) return image;
  }
  throw std::runtime_error("no image named " + std::string(name));
}

inline const nlohmann::json& ManifestKey(std::string_view name) {
  for (const auto& key : Manifest().at("keys")) {
    if (key.at("name") == name) return key;
  }
  throw std::runtime_error("no key named " + std::string(name));
}

// The value bytes of the first TLV of `type` listed for `image` in the manifest.
inline Bytes TlvValue(const nlohmann::json& image, const Bytes& file, int type) {
  for (const auto& tlv : image.at("tlvs")) {
    if (tlv.at("type") == type) {
      const size_t offset = tlv.at("offset").get<size_t>() + 4;  // skip type and length
      const size_t len = tlv.at("len").get<size_t>();
      return Bytes(file.begin() + static_cast<std::ptrdiff_t>(offset),
                   file.begin() + static_cast<std::ptrdiff_t>(offset + len));
    }
  }
  throw std::runtime_error("TLV not found");
}

}  // namespace bleota::crypto::test

namespace bleota::crypto::test {

// The 32-byte private key of a test PKCS#8 PEM whose DER starts with `der_prefix` (the fixed
// encoding of a P-256 or X25519 private key as written by Python's cryptography package).
inline Bytes PrivateKeyFromPem(const std::string& relative, const Bytes& der_prefix) {
  const Bytes pem = ReadVectorFile(relative);
  std::string body;
  std::string line;
  for (uint8_t c : pem) {
    if (c == '\n') {
      if (line.rfind("-----", 0) != 0) body += line;
      line.clear();
    } else if (c != '\r') {
      line.push_back(static_cast<char>(c));
    }
  }
  static constexpr std::string_view kAlphabet =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  Bytes der;
  uint32_t acc = 0;
  int bits = 0;
  for (char c : body) {
    if (c == '=') break;
    const size_t v = kAlphabet.find(c);
    if (v == std::string_view::npos) throw std::runtime_error("bad base64 in " + relative);
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      der.push_back(static_cast<uint8_t>(acc >> bits));
    }
  }
  if (der.size() < der_prefix.size() + 32 ||
      !std::equal(der_prefix.begin(), der_prefix.end(), der.begin())) {
    throw std::runtime_error("unexpected PKCS#8 layout in " + relative);
  }
  return Bytes(der.begin() + static_cast<std::ptrdiff_t>(der_prefix.size()),
               der.begin() + static_cast<std::ptrdiff_t>(der_prefix.size() + 32));
}

}  // namespace bleota::crypto::test
