// The command line, in-process through RunCli and as the real executable (exit codes):
// keygen/getpub/getpriv, verify/info/decrypt on every vector, and errors naming the problem.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>

#include "bleota/host/error.hpp"
#include "bleota/host/key_der.hpp"
#include "bleota/host/key_files.hpp"
#include "host_test_support.hpp"

namespace bleota::host {
namespace {

using test::CliRun;
using test::ManifestImage;
using test::ManifestKey;
using test::RunBleota;
using test::RunBleotaProcess;
using test::TempDir;
using test::VectorDir;

std::string V(const std::string& relative) { return (VectorDir() / relative).string(); }

constexpr int kOk = 0;
constexpr int kVerifyFailed = static_cast<int>(ExitCode::kVerifyFailed);
constexpr int kUsage = static_cast<int>(ExitCode::kUsage);
constexpr int kIo = static_cast<int>(ExitCode::kIo);
constexpr int kKey = static_cast<int>(ExitCode::kKey);
constexpr int kImage = static_cast<int>(ExitCode::kImage);

bool Contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

// -- keygen / getpub / getpriv ------------------------------------------------------------------

class KeygenTest : public ::testing::TestWithParam<std::string> {};

TEST_P(KeygenTest, GeneratedKeyParsesBackAndGetpubAgrees) {
  TempDir dir;
  const CliRun gen = RunBleota({"image", "keygen", "-k", dir.file("k.pem"), "-t", GetParam()});
  ASSERT_EQ(gen.code, kOk) << gen.err;
  const PrivateKey key = LoadPrivateKeyFile(dir.file("k.pem"));
  EXPECT_EQ(KeyTypeName(key.type), GetParam());
  EXPECT_EQ(std::filesystem::status(dir.file("k.pem")).permissions() &
                (std::filesystem::perms::group_all | std::filesystem::perms::others_all),
            std::filesystem::perms::none);

  const CliRun pub =
      RunBleota({"image", "getpub", "-k", dir.file("k.pem"), "-o", dir.file("p.pem")});
  ASSERT_EQ(pub.code, kOk) << pub.err;
  EXPECT_EQ(LoadPublicKeyFile(dir.file("p.pem")), key.public_key);

  // Refuses to overwrite a key unless asked.
  const CliRun again = RunBleota({"image", "keygen", "-k", dir.file("k.pem"), "-t", GetParam()});
  EXPECT_EQ(again.code, kIo);
  EXPECT_TRUE(Contains(again.err, "already exists")) << again.err;
  EXPECT_EQ(
      RunBleota({"image", "keygen", "-k", dir.file("k.pem"), "-t", GetParam(), "--force"}).code,
      kOk);
  EXPECT_NE(LoadPrivateKeyFile(dir.file("k.pem")).public_key, key.public_key);
}

INSTANTIATE_TEST_SUITE_P(Types, KeygenTest, ::testing::Values("ecdsa-p256", "ed25519", "x25519"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

class GetpubVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(GetpubVectorTest, EncodingsMatchTheManifest) {
  const auto& entry = ManifestKey(GetParam());
  const std::string priv = V(entry["private"]);
  const CliRun raw = RunBleota({"image", "getpub", "-k", priv, "-e", "raw"});
  ASSERT_EQ(raw.code, kOk) << raw.err;
  EXPECT_EQ(raw.out, std::string(entry["public_raw_hex"]) + "\n");
  const CliRun der = RunBleota({"image", "getpub", "-k", priv, "--encoding", "der"});
  EXPECT_EQ(der.out, std::string(entry["public_spki_der_hex"]) + "\n");
  const CliRun pem = RunBleota({"image", "getpub", "-k", priv});
  std::ifstream pub_file(V(entry["public"]));
  EXPECT_EQ(pem.out, std::string(std::istreambuf_iterator<char>(pub_file), {}));

  // Binary output with -o.
  TempDir dir;
  ASSERT_EQ(RunBleota({"image", "getpub", "-k", priv, "-e", "raw", "-o", dir.file("raw.bin")}).code,
            kOk);
  EXPECT_EQ(test::ToHex(test::ReadBytes(dir.file("raw.bin"))), entry["public_raw_hex"]);

  // C array: MCUboot-style declaration, 8 bytes a line, and the bytes are the SPKI DER.
  const CliRun c = RunBleota({"image", "getpub", "-k", priv, "-e", "c"});
  ASSERT_EQ(c.code, kOk) << c.err;
  const std::regex shape(
      R"(^/\* [^\n]* \*/\nconst unsigned char ([a-z0-9_]+)\[\] = \{\n((    (0x[0-9a-f]{2},)( 0x[0-9a-f]{2},){0,7}\n)+)\};\nconst unsigned int \1_len = ([0-9]+);\n$)");
  std::smatch match;
  ASSERT_TRUE(std::regex_match(c.out, match, shape)) << c.out;
  std::string hex;
  const std::string body = match[2];
  for (size_t pos = body.find("0x"); pos != std::string::npos; pos = body.find("0x", pos + 4)) {
    hex += body.substr(pos + 2, 2);
  }
  EXPECT_EQ(hex, entry["public_spki_der_hex"]);
  EXPECT_EQ(std::stoul(match[6]), hex.size() / 2);
  const std::string type = entry["type"];
  EXPECT_EQ(match[1], type == "ecdsa-p256" ? "ecdsa_pub_key" : type + "_pub_key");
}

INSTANTIATE_TEST_SUITE_P(VectorKeys, GetpubVectorTest,
                         ::testing::Values("sign-ecdsa-p256", "sign-ed25519", "enc-ec256",
                                           "enc-x25519"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name) c = c == '-' ? '_' : c;
                           return name;
                         });

TEST(Getpriv, RawAndCGiveThePrivateKeyForProvisioning) {
  const PrivateKey key = LoadPrivateKeyFile(V("keys/enc-x25519-priv.pem"));
  const std::string expected =
      test::ToHex(std::vector<uint8_t>(key.secret.data(), key.secret.data() + key.secret.size()));
  const CliRun raw =
      RunBleota({"image", "getpriv", "-k", V("keys/enc-x25519-priv.pem"), "-e", "raw"});
  ASSERT_EQ(raw.code, kOk) << raw.err;
  EXPECT_EQ(raw.out, expected + "\n");
  const CliRun c = RunBleota(
      {"image", "getpriv", "-k", V("keys/enc-x25519-priv.pem"), "--name", "device_enc_key"});
  ASSERT_EQ(c.code, kOk) << c.err;
  EXPECT_TRUE(Contains(c.out, "const unsigned char device_enc_key[] = {")) << c.out;
  EXPECT_TRUE(Contains(c.out, "const unsigned int device_enc_key_len = 32;")) << c.out;
  EXPECT_EQ(RunBleota({"image", "getpriv", "-k", V("keys/enc-x25519-pub.pem")}).code, kKey);
}

// -- verify / info / decrypt over the vectors ---------------------------------------------------

std::vector<std::string> AllImageNames() {
  std::vector<std::string> names;
  for (const auto& image : test::Manifest()["images"]) names.push_back(image["name"]);
  return names;
}

// Decryption key arguments for an image's encryption (the key the vector was meant for).
std::vector<std::string> DecryptArgs(const nlohmann::json& image) {
  if (image["encryption"].is_null()) return {};
  const std::string key = image["encryption"]["key"];
  if (image["encryption"]["type"] == "ENC_KW") return {"--kek", V(key)};
  return {"-E", V(key)};
}

class VerifyVectorTest : public ::testing::TestWithParam<std::string> {};

TEST_P(VerifyVectorTest, AcceptsValidAndNamesTheFailedCheckOfInvalid) {
  const nlohmann::json& image = ManifestImage(GetParam());
  std::vector<std::string> args = {"image", "verify"};
  if (image.contains("verify_key") && !image["verify_key"].is_null()) {
    args.push_back("-k");
    args.push_back(V(image["verify_key"]));
  }
  const std::vector<std::string> decrypt = DecryptArgs(image);
  args.insert(args.end(), decrypt.begin(), decrypt.end());
  args.push_back(V(image["file"]));
  const CliRun run = RunBleota(args);
  if (image["kind"] == "valid") {
    EXPECT_EQ(run.code, kOk) << run.out << run.err;
    EXPECT_EQ(run.out.rfind("OK: ", 0), 0u) << run.out;
    EXPECT_TRUE(Contains(run.out, image["sha256"])) << run.out;
  } else {
    const std::string check = image["must_fail"];
    EXPECT_EQ(run.code, kVerifyFailed) << run.out << run.err;
    EXPECT_TRUE(Contains(run.out, "FAILED: ")) << run.out;
    EXPECT_TRUE(Contains(run.out, ": " + check + ": ")) << run.out;
    // JSON form carries the check id and its meaning.
    std::vector<std::string> json_args = args;
    json_args.insert(json_args.begin() + 2, "--json");
    const CliRun json = RunBleota(json_args);
    const nlohmann::json result = nlohmann::json::parse(json.out);
    EXPECT_EQ(result["result"], "fail");
    EXPECT_EQ(result["check"], check);
    EXPECT_EQ(result["meaning"], test::Manifest()["check_ids"][check]);
  }
}

INSTANTIATE_TEST_SUITE_P(Vectors, VerifyVectorTest, ::testing::ValuesIn(AllImageNames()),
                         [](const auto& info) { return info.param; });

TEST(VerifyCli, DecryptedImagesVerifyWithTheDecryptedFlag) {
  for (const auto& image : test::Manifest()["images"]) {
    if (image["kind"] != "valid" || image["encryption"].is_null()) continue;
    const std::string decrypted = V(image["encryption"]["decrypted_image"]);
    EXPECT_EQ(
        RunBleota({"image", "verify", "-k", V(image["verify_key"]), "--decrypted", decrypted}).code,
        kOk)
        << image["name"];
    // As stored, an encrypted image cannot be checked without its key.
    const CliRun no_key =
        RunBleota({"image", "verify", "-k", V(image["verify_key"]), V(image["file"])});
    EXPECT_EQ(no_key.code, kVerifyFailed);
    EXPECT_TRUE(Contains(no_key.err, "encrypted")) << no_key.err;
  }
}

TEST(DecryptCli, ReproducesEveryExpectedDecryptedImage) {
  TempDir dir;
  for (const auto& image : test::Manifest()["images"]) {
    if (image["kind"] != "valid" || image["encryption"].is_null()) continue;
    std::vector<std::string> args = {"image", "decrypt"};
    const std::vector<std::string> decrypt = DecryptArgs(image);
    args.insert(args.end(), decrypt.begin(), decrypt.end());
    args.push_back(V(image["file"]));
    args.push_back(dir.file("out.bin"));
    const CliRun run = RunBleota(args);
    ASSERT_EQ(run.code, kOk) << image["name"] << run.err;
    EXPECT_TRUE(test::ReadBytes(dir.file("out.bin")) ==
                test::VectorBytes(image["encryption"]["decrypted_image"]))
        << image["name"];
  }
}

TEST(DecryptCli, FailuresNameTheCheck) {
  TempDir dir;
  const CliRun tag = RunBleota({"image", "decrypt", "-E", V("keys/enc-ec256-priv.pem"),
                                V("negative/neg_enc_ec256_tag_flip.bin"), dir.file("o.bin")});
  EXPECT_EQ(tag.code, kVerifyFailed);
  EXPECT_TRUE(Contains(tag.err, "enc_key_unwrap")) << tag.err;
  const CliRun cipher = RunBleota({"image", "decrypt", "-E", V("keys/enc-ec256-priv.pem"),
                                   V("negative/neg_enc_ciphertext_flip.bin"), dir.file("o.bin")});
  EXPECT_EQ(cipher.code, kVerifyFailed);
  EXPECT_TRUE(Contains(cipher.err, "hash")) << cipher.err;
  const CliRun clear = RunBleota({"image", "decrypt", "-E", V("keys/enc-ec256-priv.pem"),
                                  V("images/ecdsa_p256_h200.bin"), dir.file("o.bin")});
  EXPECT_EQ(clear.code, kImage);
  EXPECT_TRUE(Contains(clear.err, "not encrypted")) << clear.err;
  EXPECT_EQ(
      RunBleota({"image", "decrypt", V("images/enc_ec256_aes128.bin"), dir.file("o.bin")}).code,
      kUsage);
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.bin")));
}

TEST(InfoCli, TextAndJson) {
  const CliRun text = RunBleota({"image", "info", V("images/pad_confirm_align32.bin")});
  ASSERT_EQ(text.code, kOk) << text.err;
  EXPECT_TRUE(Contains(text.out, "KEYHASH (0x01) offset 12897 len 32")) << text.out;
  EXPECT_TRUE(Contains(text.out, "max_align 32")) << text.out;
  EXPECT_TRUE(Contains(text.out, "image_ok  at 32704: 0x1 (set)")) << text.out;
  const CliRun json = RunBleota({"image", "info", "--json", V("images/enc_kw_aes256.bin")});
  ASSERT_EQ(json.code, kOk) << json.err;
  const nlohmann::json j = nlohmann::json::parse(json.out);
  EXPECT_EQ(j["header"]["flag_names"], nlohmann::json::array({"ENCRYPTED_AES256"}));
  EXPECT_EQ(j["tlvs"][3]["name"], "ENCKW");
  EXPECT_EQ(j["tlvs"][3]["len"], 40);
  const CliRun bad = RunBleota({"image", "info", V("negative/neg_tlv_magic.bin")});
  EXPECT_EQ(bad.code, kImage);
  EXPECT_TRUE(Contains(bad.err, "tlv_magic: unprotected TLV info magic must be 0x6907")) << bad.err;
}

// -- errors ---------------------------------------------------------------------------------------

std::vector<std::string> SignArgs(const std::string& out) {
  return {"image",
          "sign",
          "-k",
          V("keys/sign-ecdsa-p256-priv.pem"),
          "-v",
          "1.2.3",
          "-H",
          "0x200",
          "--pad-header",
          "-S",
          "0x40000",
          V("payloads/p1000.bin"),
          out};
}

TEST(CliErrors, MissingFileIsAnIoErrorNamingThePath) {
  TempDir dir;
  std::vector<std::string> args = SignArgs(dir.file("o.bin"));
  args[args.size() - 2] = dir.file("nope.bin");
  const CliRun run = RunBleota(args);
  EXPECT_EQ(run.code, kIo);
  EXPECT_TRUE(Contains(run.err, "input file '" + dir.file("nope.bin") + "'")) << run.err;
  const CliRun key = RunBleota({"image", "getpub", "-k", dir.file("missing.pem")});
  EXPECT_EQ(key.code, kIo);
  EXPECT_TRUE(Contains(key.err, "key file")) << key.err;
}

TEST(CliErrors, BadVersionIsAUsageErrorNamingTheField) {
  TempDir dir;
  std::vector<std::string> args = SignArgs(dir.file("o.bin"));
  args[5] = "1.300.0";
  const CliRun run = RunBleota(args);
  EXPECT_EQ(run.code, kUsage);
  EXPECT_TRUE(Contains(run.err, "version minor 300 is out of range (0..255)")) << run.err;
  args[5] = "one.two";
  EXPECT_EQ(RunBleota(args).code, kUsage);
}

TEST(CliErrors, ImageLargerThanSlotNamesImgSizeAndSlotSize) {
  TempDir dir;
  {
    std::ofstream big(dir.file("big.bin"), std::ios::binary);
    big << std::string(300000, '\x11');
  }
  const CliRun run =
      RunBleota({"image", "sign", "-k", V("keys/sign-ed25519-priv.pem"), "-v", "1.0.0", "-H",
                 "0x200", "--pad-header", "-S", "262144", dir.file("big.bin"), dir.file("o.bin")});
  EXPECT_EQ(run.code, kImage);
  EXPECT_TRUE(Contains(run.err, "img_size 300000 exceeds slot size 262144")) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir.file("o.bin")));
}

TEST(CliErrors, BadKeyTypes) {
  TempDir dir;
  const CliRun keygen = RunBleota({"image", "keygen", "-k", dir.file("k.pem"), "-t", "rsa-2048"});
  EXPECT_EQ(keygen.code, kUsage);
  EXPECT_TRUE(Contains(keygen.err, "unknown key type 'rsa-2048'")) << keygen.err;
  std::vector<std::string> args = SignArgs(dir.file("o.bin"));
  args[3] = V("keys/enc-x25519-priv.pem");
  const CliRun sign = RunBleota(args);
  EXPECT_EQ(sign.code, kKey);
  EXPECT_TRUE(Contains(sign.err, "x25519 key cannot sign")) << sign.err;
  args[3] = V("keys/sign-ecdsa-p256-pub.pem");  // public key where a private key is needed
  EXPECT_EQ(RunBleota(args).code, kKey);
  const CliRun verify = RunBleota(
      {"image", "verify", "-k", V("keys/enc-x25519-pub.pem"), V("images/ed25519_h200.bin")});
  EXPECT_EQ(verify.code, kKey);
}

TEST(CliErrors, OptionProblemsAreUsageErrors) {
  TempDir dir;
  EXPECT_EQ(RunBleota({}).code, kUsage);
  EXPECT_EQ(RunBleota({"image"}).code, kUsage);
  EXPECT_EQ(RunBleota({"image", "sign", V("payloads/p1000.bin"), dir.file("o.bin")}).code, kUsage);
  std::vector<std::string> args = SignArgs(dir.file("o.bin"));
  args.push_back("--bogus");
  EXPECT_EQ(RunBleota(args).code, kUsage);
  args = SignArgs(dir.file("o.bin"));
  args.insert(args.begin() + 2, {"--align", "3"});
  const CliRun align = RunBleota(args);
  EXPECT_EQ(align.code, kUsage);
  EXPECT_TRUE(Contains(align.err, "--align 3")) << align.err;
  args = SignArgs(dir.file("o.bin"));
  args.insert(args.begin() + 2,
              {"-E", V("keys/enc-ec256-pub.pem"), "--kek", V("keys/enc-aes128kw.bin")});
  EXPECT_EQ(RunBleota(args).code, kUsage);
  args = SignArgs(dir.file("o.bin"));
  args[9] = "0x4000x";
  const CliRun slot = RunBleota(args);
  EXPECT_EQ(slot.code, kUsage);
  EXPECT_TRUE(Contains(slot.err, "--slot-size")) << slot.err;
  EXPECT_EQ(RunBleota({"image", "sign", "--help"}).code, kOk);
}

TEST(CliErrors, InputWithoutZeroHeaderNeedsPadHeader) {
  TempDir dir;
  std::vector<std::string> args = SignArgs(dir.file("o.bin"));
  args.erase(args.begin() + 8);  // --pad-header
  const CliRun run = RunBleota(args);
  EXPECT_EQ(run.code, kImage);
  EXPECT_TRUE(Contains(run.err, "--pad-header")) << run.err;
}

// -- the real executable
// ----------------------------------------------------------------------------

TEST(Executable, ExitCodes) {
  TempDir dir;
  const CliRun signed_ok = RunBleotaProcess(SignArgs(dir.file("o.bin")));
  EXPECT_EQ(signed_ok.code, kOk) << signed_ok.err;
  EXPECT_TRUE(Contains(signed_ok.out, "wrote ")) << signed_ok.out;
  EXPECT_EQ(RunBleotaProcess(
                {"image", "verify", "-k", V("keys/sign-ecdsa-p256-pub.pem"), dir.file("o.bin")})
                .code,
            kOk);
  EXPECT_EQ(RunBleotaProcess(
                {"image", "verify", "-k", V("keys/wrong-ecdsa-p256-pub.pem"), dir.file("o.bin")})
                .code,
            kVerifyFailed);
  const CliRun usage = RunBleotaProcess({"image", "sign", "--version", "1.x"});
  EXPECT_EQ(usage.code, kUsage);
  EXPECT_FALSE(usage.err.empty());
  EXPECT_EQ(RunBleotaProcess({"image", "info", dir.file("missing.bin")}).code, kIo);
  EXPECT_EQ(RunBleotaProcess({"image", "getpub", "-k", V("keys/enc-aes128kw.b64")}).code, kKey);
  EXPECT_EQ(RunBleotaProcess({"image", "info", V("negative/neg_hdr_magic.bin")}).code, kImage);
  EXPECT_EQ(RunBleotaProcess({"--help"}).code, kOk);
}

}  // namespace
}  // namespace bleota::host
