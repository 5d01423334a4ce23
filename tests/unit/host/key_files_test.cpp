// Key files: the vector keys parse to the manifest's public keys, our PKCS#8/SPKI output is
// byte-identical to imgtool's files, and malformed or wrong-type keys are refused.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>

#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/key_der.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/key_pem.hpp"
#include "host_test_support.hpp"

namespace bleota::host {
namespace {

using test::FromHex;
using test::ManifestKey;
using test::TempDir;
using test::ToHex;
using test::VectorDir;

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

void WriteText(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

void WriteBytes(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()),
             static_cast<std::streamsize>(bytes.size()));
}

ExitCode CodeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const HostError& e) {
    return e.code();
  }
  return ExitCode::kOk;
}

struct VectorKey {
  const char* name;
  KeyType type;
};

class VectorKeyTest : public ::testing::TestWithParam<VectorKey> {};

TEST_P(VectorKeyTest, PrivateAndPublicFilesGiveTheManifestKey) {
  const auto& entry = ManifestKey(GetParam().name);
  const PrivateKey priv = LoadPrivateKeyFile(VectorDir() / std::string(entry["private"]));
  EXPECT_EQ(priv.type, GetParam().type);
  EXPECT_EQ(ToHex(priv.public_key.raw), entry["public_raw_hex"]);
  EXPECT_EQ(ToHex(SpkiDer(priv.public_key)), entry["public_spki_der_hex"]);

  const PublicKey pub = LoadPublicKeyFile(VectorDir() / std::string(entry["public"]));
  EXPECT_EQ(pub, priv.public_key);
  // A private key file is accepted where a public key is wanted (imgtool verify does too).
  EXPECT_EQ(LoadPublicKeyFile(VectorDir() / std::string(entry["private"])), pub);
}

TEST_P(VectorKeyTest, OurPemIsByteIdenticalToImgtools) {
  const auto& entry = ManifestKey(GetParam().name);
  const PrivateKey priv = LoadPrivateKeyFile(VectorDir() / std::string(entry["private"]));
  EXPECT_EQ(PrivateKeyPem(priv), ReadText(VectorDir() / std::string(entry["private"])));
  EXPECT_EQ(PublicKeyPem(priv.public_key), ReadText(VectorDir() / std::string(entry["public"])));
}

TEST_P(VectorKeyTest, DerFilesAreAcceptedToo) {
  const auto& entry = ManifestKey(GetParam().name);
  const PrivateKey priv = LoadPrivateKeyFile(VectorDir() / std::string(entry["private"]));
  TempDir dir;
  const SecretBytes der = Pkcs8Der(priv);
  WriteBytes(dir.file("priv.der"), std::vector<uint8_t>(der.data(), der.data() + der.size()));
  WriteBytes(dir.file("pub.der"), SpkiDer(priv.public_key));
  EXPECT_EQ(LoadPrivateKeyFile(dir.file("priv.der")).public_key, priv.public_key);
  EXPECT_EQ(LoadPublicKeyFile(dir.file("pub.der")), priv.public_key);
}

TEST_P(VectorKeyTest, GeneratedKeysParseBack) {
  const PrivateKey key = GenerateKey(GetParam().type);
  TempDir dir;
  WriteText(dir.file("k.pem"), PrivateKeyPem(key));
  const PrivateKey back = LoadPrivateKeyFile(dir.file("k.pem"));
  EXPECT_EQ(back.type, key.type);
  EXPECT_EQ(back.public_key, key.public_key);
  EXPECT_EQ(std::vector<uint8_t>(back.secret.data(), back.secret.data() + back.secret.size()),
            std::vector<uint8_t>(key.secret.data(), key.secret.data() + key.secret.size()));
  EXPECT_EQ(DerivePublicKey(key.type, key.secret.span()), key.public_key);
  // Two generated keys differ.
  EXPECT_NE(GenerateKey(GetParam().type).public_key, key.public_key);
}

INSTANTIATE_TEST_SUITE_P(Keys, VectorKeyTest,
                         ::testing::Values(VectorKey{"sign-ecdsa-p256", KeyType::kEcdsaP256},
                                           VectorKey{"sign-ed25519", KeyType::kEd25519},
                                           VectorKey{"enc-ec256", KeyType::kEcdsaP256},
                                           VectorKey{"enc-x25519", KeyType::kX25519},
                                           VectorKey{"wrong-ecdsa-p256", KeyType::kEcdsaP256}),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(KeyFiles, Sec1EcPrivateKeyIsAccepted) {
  // The same key as keys/sign-ecdsa-p256-priv.pem in SEC1 form (RFC 5915, with the curve
  // parameters and public key), as `openssl ec` writes it.
  const PrivateKey pkcs8 = LoadPrivateKeyFile(VectorDir() / "keys/sign-ecdsa-p256-priv.pem");
  std::vector<uint8_t> sec1 = FromHex("30770201010420");
  sec1.insert(sec1.end(), pkcs8.secret.data(), pkcs8.secret.data() + 32);
  const std::vector<uint8_t> params = FromHex("a00a06082a8648ce3d030107a144034200");
  sec1.insert(sec1.end(), params.begin(), params.end());
  sec1.insert(sec1.end(), pkcs8.public_key.raw.begin(), pkcs8.public_key.raw.end());
  TempDir dir;
  WriteText(dir.file("sec1.pem"), PemEncode("EC PRIVATE KEY", sec1));
  EXPECT_EQ(LoadPrivateKeyFile(dir.file("sec1.pem")).public_key, pkcs8.public_key);
}

TEST(KeyFiles, Ed25519Pkcs8WithPublicKeyIsCheckedAgainstThePrivateKey) {
  const PrivateKey key = LoadPrivateKeyFile(VectorDir() / "keys/sign-ed25519-priv.pem");
  std::vector<uint8_t> v1 = FromHex("3051020101300506032b657004220420");
  v1.insert(v1.end(), key.secret.data(), key.secret.data() + 32);
  v1.push_back(0x81);
  v1.push_back(0x21);
  v1.push_back(0x00);
  v1.insert(v1.end(), key.public_key.raw.begin(), key.public_key.raw.end());
  EXPECT_EQ(ParsePrivateKeyDer(v1, "test").public_key, key.public_key);
  v1.back() ^= 1;
  EXPECT_EQ(CodeOf([&] { ParsePrivateKeyDer(v1, "test"); }), ExitCode::kKey);
}

TEST(KeyFiles, MalformedCurve25519LayoutsAreRefused) {
  const SecretBytes good = Pkcs8Der(LoadPrivateKeyFile(VectorDir() / "keys/enc-x25519-priv.pem"));
  const std::vector<uint8_t> der(good.data(), good.data() + good.size());
  // Truncated, one byte longer, a wrong inner length, version 2.
  std::vector<std::vector<uint8_t>> bad = {std::vector<uint8_t>(der.begin(), der.end() - 1), der,
                                           der, der};
  bad[1].push_back(0);
  bad[2][15] = 0x1f;
  bad[3][4] = 0x02;
  for (const auto& b : bad) {
    EXPECT_EQ(CodeOf([&] { ParsePrivateKeyDer(b, "test"); }), ExitCode::kKey) << ToHex(b);
  }
  std::vector<uint8_t> spki = SpkiDer(LoadPublicKeyFile(VectorDir() / "keys/enc-x25519-pub.pem"));
  spki.pop_back();
  EXPECT_EQ(CodeOf([&] { ParseSpkiDer(spki, "test"); }), ExitCode::kKey);
}

TEST(KeyFiles, P256KeyWhosePublicHalfDisagreesIsRefused) {
  const PrivateKey a = LoadPrivateKeyFile(VectorDir() / "keys/sign-ecdsa-p256-priv.pem");
  const PrivateKey b = LoadPrivateKeyFile(VectorDir() / "keys/wrong-ecdsa-p256-priv.pem");
  PrivateKey mixed{KeyType::kEcdsaP256, a.secret, b.public_key};
  const SecretBytes der = Pkcs8Der(mixed);
  EXPECT_EQ(CodeOf([&] { ParsePrivateKeyDer(der.span(), "test"); }), ExitCode::kKey);
}

TEST(KeyFiles, WrongContentsGiveKeyErrorsAndMissingFilesIoErrors) {
  TempDir dir;
  WriteText(dir.file("empty.pem"), "");
  WriteText(dir.file("garbage.pem"),
            "-----BEGIN PRIVATE KEY-----\n!!!!\n-----END PRIVATE KEY-----\n");
  WriteText(dir.file("unterminated.pem"), "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMG\n");
  WriteText(dir.file("encrypted.pem"),
            "-----BEGIN ENCRYPTED PRIVATE KEY-----\nMIGHAgEAMBMG\n-----END ENCRYPTED PRIVATE "
            "KEY-----\n");
  WriteText(dir.file("cert.pem"), PemEncode("CERTIFICATE", std::vector<uint8_t>{0x30, 0x00}));
  // An RSA SubjectPublicKeyInfo (512-bit modulus) is a valid key of an unsupported type.
  WriteText(dir.file("rsa.pem"),
            "-----BEGIN PUBLIC KEY-----\n"
            "MFwwDQYJKoZIhvcNAQEBBQADSwAwSAJBAMvdvsYPFhEoDCDjQtC+JdRf4fTcWVKo\n"
            "SN0+1J4DgnGgbqdYMu5FdftXsEXVq7lZi6N6VWhQLHyq8glyhQ/cW80CAwEAAQ==\n"
            "-----END PUBLIC KEY-----\n");
  for (const char* name :
       {"empty.pem", "garbage.pem", "unterminated.pem", "encrypted.pem", "cert.pem"}) {
    EXPECT_EQ(CodeOf([&] { LoadPrivateKeyFile(dir.file(name)); }), ExitCode::kKey) << name;
  }
  try {
    LoadPublicKeyFile(dir.file("rsa.pem"));
    ADD_FAILURE() << "RSA key accepted";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kKey);
    EXPECT_NE(std::string(e.what()).find("unsupported key type RSA"), std::string::npos)
        << e.what();
  }
  EXPECT_EQ(CodeOf([&] { LoadPrivateKeyFile(dir.file("missing.pem")); }), ExitCode::kIo);
  EXPECT_EQ(CodeOf([&] { LoadPrivateKeyFile(dir.path()); }), ExitCode::kIo);  // a directory
  // A public key where a private key is needed.
  EXPECT_EQ(CodeOf([&] { LoadPrivateKeyFile(VectorDir() / "keys/sign-ecdsa-p256-pub.pem"); }),
            ExitCode::kKey);
}

TEST(KeyFiles, OversizedKeyFileIsRefusedBeforeParsing) {
  TempDir dir;
  WriteText(dir.file("big.pem"), std::string(kMaxKeyFileBytes + 1, 'A'));
  try {
    LoadPrivateKeyFile(dir.file("big.pem"));
    FAIL() << "no error";
  } catch (const HostError& e) {
    EXPECT_EQ(e.code(), ExitCode::kIo);
    EXPECT_NE(std::string(e.what()).find("allowed"), std::string::npos) << e.what();
  }
}

TEST(KekFiles, RawAndBase64FilesGiveTheManifestKek) {
  for (const char* name : {"enc-aes128kw", "enc-aes256kw"}) {
    const auto& entry = ManifestKey(name);
    const SecretBytes raw = LoadKekFile(VectorDir() / std::string(entry["raw"]));
    const SecretBytes b64 = LoadKekFile(VectorDir() / std::string(entry["b64"]));
    EXPECT_EQ(ToHex(std::vector<uint8_t>(raw.data(), raw.data() + raw.size())), entry["hex"]);
    EXPECT_EQ(ToHex(std::vector<uint8_t>(b64.data(), b64.data() + b64.size())), entry["hex"]);
  }
}

TEST(KekFiles, OtherSizesAreRefused) {
  TempDir dir;
  WriteBytes(dir.file("k24.bin"), std::vector<uint8_t>(24, 7));
  WriteText(dir.file("k24.b64"), "BwcHBwcHBwcHBwcHBwcHBwcHBwcHBwcH\n");  // base64 of 24 bytes
  WriteText(dir.file("bad.b64"), "not base64 at all!!\n");
  WriteBytes(dir.file("empty"), {});
  for (const char* name : {"k24.bin", "k24.b64", "bad.b64", "empty"}) {
    EXPECT_EQ(CodeOf([&] { LoadKekFile(dir.file(name)); }), ExitCode::kKey) << name;
  }
}

}  // namespace
}  // namespace bleota::host
