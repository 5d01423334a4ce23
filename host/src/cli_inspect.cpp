// verify, info, decrypt: read images through the device verifier/decryptor.
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "bleota/host/cli_command.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_check.hpp"
#include "bleota/host/image_inspect.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/version.hpp"

namespace bleota::host::cli {
namespace {

DecryptionKeySet LoadDecryptionKeys(const std::vector<std::string>& key_paths,
                                    const std::string& kek_path) {
  DecryptionKeySet keys;
  for (const std::string& path : key_paths) keys.private_keys.push_back(LoadPrivateKeyFile(path));
  if (!kek_path.empty()) keys.kek = LoadKekFile(kek_path);
  return keys;
}

std::string_view SignatureName(image::SignatureKind kind) {
  switch (kind) {
    case image::SignatureKind::kEcdsaP256:
      return "ecdsa-p256";
    case image::SignatureKind::kEd25519:
      return "ed25519";
    case image::SignatureKind::kNone:
      break;
  }
  return "none";
}

class VerifyCommand final : public Command {
 public:
  explicit VerifyCommand(CLI::App& image)
      : Command(image.add_subcommand("verify", "Check an image as a device would")) {
    CLI::App* app = this->app();
    app->add_option("-k,--key", keys_,
                    "Trusted signing key (public or private PEM); repeatable. None: only "
                    "unsigned (hash-only) images pass");
    app->add_option("-E,--decrypt-key", decrypt_keys_,
                    "Private key that decrypts ENC_EC256 / ENC_X25519; repeatable");
    app->add_option("--kek", kek_, "AES-KW key-encryption key file for ENC_KW");
    app->add_flag("--decrypted", decrypted_,
                  "The payload of this ENCRYPTED image already holds the plaintext "
                  "(e.g. the output of decrypt)");
    app->add_flag("--allow-ram-load", allow_ram_load_, "Accept the RAM_LOAD flag");
    app->add_flag("--json", json_, "Print the result as JSON");
    app->add_option("image", image_, "Image file")->required();
  }

  int Run(Streams& streams) override {
    VerifyRequest request;
    for (const std::string& path : keys_) request.trusted_keys.push_back(LoadPublicKeyFile(path));
    request.decryption = LoadDecryptionKeys(decrypt_keys_, kek_);
    request.payload_decrypted = decrypted_;
    request.allow_unsigned = keys_.empty();
    request.allow_ram_load = allow_ram_load_;
    const std::vector<uint8_t> file = ReadFileBounded(image_, kMaxImageFileBytes, "image");
    const VerifyReport report = VerifyImageBytes(file, request);
    const bool encrypted_without_key =
        !report.ok() && report.status.code() == StatusCode::kImageEncKeyUnwrap &&
        request.decryption.private_keys.empty() && !request.decryption.kek && !decrypted_;
    if (json_) {
      nlohmann::json j;
      j["image"] = image_;
      j["result"] = report.ok() ? "ok" : "fail";
      if (report.ok()) {
        const image::VerifiedImage& v = report.image;
        j["hash"] = HexBytes(v.hash, sizeof(v.hash));
        j["version"] = FormatVersion(v.layout.header.version);
        j["signature"] = SignatureName(v.signature);
        j["key_index"] = v.key_index;
        j["encrypted"] = v.encrypted;
        j["security_counter"] = v.protected_tlvs.has_security_counter
                                    ? nlohmann::json(v.protected_tlvs.security_counter)
                                    : nlohmann::json(nullptr);
      } else {
        j["check"] = report.check_id();
        j["meaning"] = CheckMeaning(report.status.code());
        j["detail"] = DescribeFault(report.fault);
      }
      streams.out << j.dump(2) << "\n";
    } else if (report.ok()) {
      const image::VerifiedImage& v = report.image;
      streams.out << "OK: " << image_ << ": version " << FormatVersion(v.layout.header.version)
                  << ", hash " << HexBytes(v.hash, sizeof(v.hash));
      if (v.signature != image::SignatureKind::kNone) {
        streams.out << ", " << SignatureName(v.signature) << " signature by "
                    << keys_.at(static_cast<size_t>(v.key_index));
      } else {
        streams.out << ", unsigned (hash only)";
      }
      if (v.encrypted) streams.out << ", encrypted";
      if (v.protected_tlvs.has_security_counter) {
        streams.out << ", security counter " << v.protected_tlvs.security_counter;
      }
      streams.out << "\n";
    } else {
      streams.out << "FAILED: " << image_ << ": " << report.Describe() << "\n";
      if (encrypted_without_key) {
        streams.err << "note: the image is encrypted; give its key with -E/--decrypt-key or "
                       "--kek, or --decrypted for an already decrypted image\n";
      }
    }
    return report.ok() ? 0 : static_cast<int>(ExitCode::kVerifyFailed);
  }

 private:
  std::vector<std::string> keys_;
  std::vector<std::string> decrypt_keys_;
  std::string kek_;
  bool decrypted_ = false;
  bool allow_ram_load_ = false;
  bool json_ = false;
  std::string image_;
};

class InfoCommand final : public Command {
 public:
  explicit InfoCommand(CLI::App& image)
      : Command(image.add_subcommand("info", "Show an image's header, TLVs and trailer")) {
    CLI::App* app = this->app();
    app->add_flag("--json", json_, "Print JSON (keys as in the test vector manifest)");
    app->add_option("image", image_, "Image file")->required();
  }

  int Run(Streams& streams) override {
    const std::vector<uint8_t> file = ReadFileBounded(image_, kMaxImageFileBytes, "image");
    const ImageReport report = InspectImage(file);
    if (json_) {
      streams.out << ImageReportJson(report).dump(2) << "\n";
    } else {
      streams.out << "image: " << image_ << "\n" << FormatImageReport(report);
    }
    return 0;
  }

 private:
  bool json_ = false;
  std::string image_;
};

class DecryptCommand final : public Command {
 public:
  explicit DecryptCommand(CLI::App& image)
      : Command(image.add_subcommand(
            "decrypt", "Write the image with its payload decrypted (as a primary slot holds it)")) {
    CLI::App* app = this->app();
    app->add_option("-E,--decrypt-key", decrypt_keys_,
                    "Private key for ENC_EC256 (ecdsa-p256) / ENC_X25519 (x25519); repeatable");
    app->add_option("--kek", kek_, "AES-KW key-encryption key file for ENC_KW");
    app->add_option("infile", infile_, "Encrypted image")->required();
    app->add_option("outfile", outfile_, "Decrypted image to write")->required();
  }

  int Run(Streams& streams) override {
    if (decrypt_keys_.empty() && kek_.empty())
      ThrowUsage("decrypt needs -E/--decrypt-key or --kek");
    const DecryptionKeySet keys = LoadDecryptionKeys(decrypt_keys_, kek_);
    const std::vector<uint8_t> file = ReadFileBounded(infile_, kMaxImageFileBytes, "image");
    const std::vector<uint8_t> decrypted = DecryptImageBytes(file, keys);
    WriteFileBytes(outfile_, decrypted, "output image");
    streams.out << "wrote " << outfile_ << ": payload decrypted, hash matches the SHA256 TLV\n";
    return 0;
  }

 private:
  std::vector<std::string> decrypt_keys_;
  std::string kek_;
  std::string infile_;
  std::string outfile_;
};

}  // namespace

std::unique_ptr<Command> AddVerifyCommand(CLI::App& image) {
  return std::make_unique<VerifyCommand>(image);
}
std::unique_ptr<Command> AddInfoCommand(CLI::App& image) {
  return std::make_unique<InfoCommand>(image);
}
std::unique_ptr<Command> AddDecryptCommand(CLI::App& image) {
  return std::make_unique<DecryptCommand>(image);
}

}  // namespace bleota::host::cli
