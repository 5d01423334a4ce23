// keygen, getpub, getpriv.
#include <filesystem>
#include <string>

#include "bleota/host/c_array.hpp"
#include "bleota/host/cli_command.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/key_der.hpp"
#include "bleota/host/key_files.hpp"

namespace bleota::host::cli {
namespace {

// Names MCUboot's and imgtool's generated key tables use.
std::string DefaultPublicArrayName(KeyType type) {
  switch (type) {
    case KeyType::kEcdsaP256:
      return "ecdsa_pub_key";
    case KeyType::kEd25519:
      return "ed25519_pub_key";
    case KeyType::kX25519:
      return "x25519_pub_key";
  }
  return "pub_key";
}

std::string DefaultPrivateArrayName(KeyType type) {
  return type == KeyType::kX25519 ? "x25519_priv_key" : "enc_priv_key";
}

// Binary to -o, or hex on stdout.
void EmitBinary(Streams& streams, const std::string& output, std::span<const uint8_t> bytes,
                std::string_view what) {
  if (output.empty()) {
    streams.out << HexBytes(bytes.data(), bytes.size()) << "\n";
  } else {
    WriteFileBytes(output, bytes, what);
  }
}

void EmitText(Streams& streams, const std::string& output, const std::string& text,
              std::string_view what) {
  if (output.empty()) {
    streams.out << text;
  } else {
    WriteFileText(output, text, what);
  }
}

class KeygenCommand final : public Command {
 public:
  explicit KeygenCommand(CLI::App& image)
      : Command(image.add_subcommand("keygen", "Generate a private key (PKCS#8 PEM)")) {
    CLI::App* app = this->app();
    app->add_option("-k,--key", key_path_, "Output private key file (PEM)")->required();
    app->add_option("-t,--type", type_, "Key type: ecdsa-p256, ed25519 or x25519")->required();
    app->add_flag("--force", force_, "Overwrite an existing key file");
  }

  int Run(Streams& streams) override {
    const auto type = KeyTypeFromName(type_);
    if (!type) {
      ThrowUsage("--type: unknown key type '" + type_ +
                 "' (expected ecdsa-p256, ed25519 or "
                 "x25519)");
    }
    if (!force_ && std::filesystem::exists(key_path_)) {
      ThrowIo("key file '" + key_path_ + "' already exists; use --force to overwrite it");
    }
    const PrivateKey key = GenerateKey(*type);
    // Restrict the file to its owner before the secret goes in.
    WriteFileText(key_path_, "", "key file");
    std::error_code ec;
    std::filesystem::permissions(
        key_path_, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write,
        std::filesystem::perm_options::replace, ec);
    if (ec) ThrowIo("cannot restrict permissions of '" + key_path_ + "': " + ec.message());
    WriteFileText(key_path_, PrivateKeyPem(key), "key file");
    streams.out << "wrote " << KeyTypeName(*type) << " private key to " << key_path_ << "\n";
    return 0;
  }

 private:
  std::string key_path_;
  std::string type_;
  bool force_ = false;
};

class GetpubCommand final : public Command {
 public:
  explicit GetpubCommand(CLI::App& image)
      : Command(image.add_subcommand("getpub", "Print or write the public key of a key file")) {
    CLI::App* app = this->app();
    app->add_option("-k,--key", key_path_, "Private or public key file")->required();
    app->add_option("-e,--encoding", encoding_,
                    "pem (SubjectPublicKeyInfo), der, raw (point / 32-byte key) or c "
                    "(C array of the DER, for provisioning)")
        ->capture_default_str();
    app->add_option("-o,--output", output_, "Write to this file (binary for der/raw)");
    app->add_option("--name", name_, "C array name for --encoding c");
  }

  int Run(Streams& streams) override {
    const PublicKey key = LoadPublicKeyFile(key_path_);
    if (encoding_ == "pem") {
      EmitText(streams, output_, PublicKeyPem(key), "output file");
    } else if (encoding_ == "der") {
      EmitBinary(streams, output_, SpkiDer(key), "output file");
    } else if (encoding_ == "raw") {
      EmitBinary(streams, output_, key.raw, "output file");
    } else if (encoding_ == "c") {
      const std::string name = name_.empty() ? DefaultPublicArrayName(key.type) : name_;
      const std::string comment = "bleota image getpub: " + std::string(KeyTypeName(key.type)) +
                                  " public key (SubjectPublicKeyInfo DER)";
      EmitText(streams, output_, FormatCArray(name, SpkiDer(key), comment), "output file");
    } else {
      ThrowUsage("--encoding: unknown encoding '" + encoding_ + "' (expected pem, der, raw or c)");
    }
    return 0;
  }

 private:
  std::string key_path_;
  std::string encoding_ = "pem";
  std::string output_;
  std::string name_;
};

class GetprivCommand final : public Command {
 public:
  explicit GetprivCommand(CLI::App& image)
      : Command(image.add_subcommand(
            "getpriv", "Print or write a private key for provisioning a device (SECRET)")) {
    CLI::App* app = this->app();
    app->add_option("-k,--key", key_path_, "Private key file")->required();
    app->add_option("-e,--encoding", encoding_,
                    "c (C array of the raw 32-byte key), raw or pem (PKCS#8)")
        ->capture_default_str();
    app->add_option("-o,--output", output_, "Write to this file (binary for raw)");
    app->add_option("--name", name_, "C array name for --encoding c");
  }

  int Run(Streams& streams) override {
    const PrivateKey key = LoadPrivateKeyFile(key_path_);
    if (encoding_ == "pem") {
      EmitText(streams, output_, PrivateKeyPem(key), "output file");
    } else if (encoding_ == "raw") {
      EmitBinary(streams, output_, key.secret.span(), "output file");
    } else if (encoding_ == "c") {
      const std::string name = name_.empty() ? DefaultPrivateArrayName(key.type) : name_;
      const std::string comment = "bleota image getpriv: " + std::string(KeyTypeName(key.type)) +
                                  " private key (raw 32 bytes). SECRET: keep out of public sources";
      EmitText(streams, output_, FormatCArray(name, key.secret.span(), comment), "output file");
    } else {
      ThrowUsage("--encoding: unknown encoding '" + encoding_ + "' (expected c, raw or pem)");
    }
    return 0;
  }

 private:
  std::string key_path_;
  std::string encoding_ = "c";
  std::string output_;
  std::string name_;
};

}  // namespace

std::unique_ptr<Command> AddKeygenCommand(CLI::App& image) {
  return std::make_unique<KeygenCommand>(image);
}
std::unique_ptr<Command> AddGetpubCommand(CLI::App& image) {
  return std::make_unique<GetpubCommand>(image);
}
std::unique_ptr<Command> AddGetprivCommand(CLI::App& image) {
  return std::make_unique<GetprivCommand>(image);
}

}  // namespace bleota::host::cli
