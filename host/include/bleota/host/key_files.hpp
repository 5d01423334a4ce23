// Key files: PEM (or DER) private/public keys as imgtool reads and writes them, and the raw or
// base64 AES key-encryption keys (KEK) of ENC_KW images, as newt reads them.
#pragma once

#include <filesystem>
#include <string>

#include "bleota/host/keys.hpp"
#include "bleota/host/secret_bytes.hpp"

namespace bleota::host {

// A private key: PEM "PRIVATE KEY" (PKCS#8) or "EC PRIVATE KEY" (SEC1), or the same as DER.
// Throws HostError(kIo) for file problems, HostError(kKey) for contents.
PrivateKey LoadPrivateKeyFile(const std::filesystem::path& path);

// A public key: PEM "PUBLIC KEY" (SubjectPublicKeyInfo) or DER; a private key file is accepted
// too and its public half returned (imgtool accepts both for verify).
PublicKey LoadPublicKeyFile(const std::filesystem::path& path);

// PEM texts in imgtool's formats: PKCS#8 "PRIVATE KEY", SubjectPublicKeyInfo "PUBLIC KEY".
std::string PrivateKeyPem(const PrivateKey& key);
std::string PublicKeyPem(const PublicKey& key);

// An AES-KW key-encryption key: a file of exactly 16 or 32 raw bytes, or base64 text of 16 or 32
// bytes (surrounding whitespace ignored). Throws HostError(kKey) for any other content.
SecretBytes LoadKekFile(const std::filesystem::path& path);

}  // namespace bleota::host
