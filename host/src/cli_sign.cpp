// sign: imgtool sign's options and short forms, plus --encrypt-kek for ENC_KW images.
#include <optional>
#include <string>
#include <vector>

#include "bleota/host/cli_command.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/image_inspect.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/host/number_parse.hpp"
#include "bleota/host/sign_args.hpp"

namespace bleota::host::cli {
namespace {

class SignCommand final : public Command {
 public:
  explicit SignCommand(CLI::App& image)
      : Command(image.add_subcommand("sign", "Build (and sign, encrypt, pad) an image")) {
    CLI::App* app = this->app();
    app->add_option("-k,--key", key_,
                    "Signing private key (ecdsa-p256 or ed25519); none: hash "
                    "only");
    app->add_option("--public-key-format", public_key_format_,
                    "hash: KEYHASH TLV; full: PUBKEY TLV")
        ->capture_default_str();
    app->add_option("-H,--header-size", header_size_, "Header area size (>= 32)")->required();
    app->add_flag("--pad-header", pad_header_,
                  "Prepend the header area (filled with the erased value) to the input");
    app->add_option("--align", align_, "Flash write alignment: 1, 2, 4, 8, 16 or 32")
        ->capture_default_str();
    app->add_option("--max-align", max_align_,
                    "Maximum flash alignment of the slots: 8, 16 or 32 (default max(8, align))");
    app->add_option("-v,--version", version_, "Image version major[.minor[.revision[+build]]]")
        ->required();
    app->add_option("-s,--security-counter", security_counter_,
                    "SEC_CNT protected TLV: a number or 'auto' (from the version)");
    app->add_option("-d,--dependencies", dependencies_,
                    "DEPENDENCY protected TLVs: \"(image_id,version), ...\"");
    app->add_option("--custom-tlv", custom_tlvs_,
                    "Protected vendor TLV: TAG (0xa0..0xfffe) VALUE (0x-hex or text); repeatable")
        ->expected(2)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    app->add_option("-S,--slot-size", slot_size_, "Slot size; the image and trailer must fit")
        ->required();
    app->add_flag("--pad", pad_, "Pad to the slot size and write the trailer magic");
    app->add_flag("--confirm", confirm_, "Set image_ok in the trailer (implies --pad)");
    app->add_option("-R,--erased-val", erased_val_, "Erased flash value: 0 or 0xff")
        ->capture_default_str();
    app->add_option("-E,--encrypt", encrypt_,
                    "Encrypt to this public key: ecdsa-p256 -> ENC_EC256, x25519 -> ENC_X25519");
    app->add_option("--encrypt-kek,--kek", kek_,
                    "Encrypt with ENC_KW: AES-KW key-encryption key file (16/32 raw bytes or "
                    "base64)");
    app->add_option("--encrypt-keylen", encrypt_keylen_,
                    "AES key size: 128 or 256 (default 128; with a KEK, its size)");
    app->add_flag("--clear", clear_, "Add the ENC TLV and flag but leave the payload in clear");
    app->add_flag("--save-enctlv", save_enctlv_,
                  "Size the trailer for a saved ENC TLV (MCUBOOT_SWAP_SAVE_ENCTLV)");
    app->add_option("-L,--load-addr", load_addr_, "RAM load address (sets RAM_LOAD)");
    app->add_option("--rom-fixed", rom_fixed_, "Fixed ROM address of the image (sets ROM_FIXED)");
    app->add_flag("--non-bootable", non_bootable_, "Set NON_BOOTABLE");
    app->add_option("-M,--max-sectors", max_sectors_, "Sectors of the swap status (trailer size)")
        ->capture_default_str();
    app->add_flag("--overwrite-only", overwrite_only_, "Size the trailer for overwrite-only mode");
    app->add_option("-e,--endian", endian_, "Byte order: only 'little' is supported")
        ->capture_default_str();
    app->add_option("infile", infile_, "Payload binary")->required();
    app->add_option("outfile", outfile_, "Image to write")->required();
  }

  int Run(Streams& streams) override {
    ImageBuildOptions o;
    o.header_size = ParseU32(header_size_, "--header-size");
    o.pad_header = pad_header_;
    o.version = ParseVersion(version_);
    o.slot_size = ParseU32(slot_size_, "--slot-size");
    if (o.slot_size == 0) ThrowUsage("--slot-size must not be 0");
    o.align = ParseU32(align_, "--align");
    if (!max_align_.empty()) o.max_align = ParseU32(max_align_, "--max-align");
    const uint32_t erased = ParseU32(erased_val_, "--erased-val");
    if (erased != 0 && erased != 0xff) ThrowUsage("--erased-val must be 0 or 0xff");
    o.erased_val = static_cast<uint8_t>(erased);
    o.pad = pad_;
    o.confirm = confirm_;
    o.overwrite_only = overwrite_only_;
    o.max_sectors = ParseU32(max_sectors_, "--max-sectors");
    o.save_enctlv = save_enctlv_;
    if (!security_counter_.empty()) {
      o.security_counter = ParseSecurityCounter(security_counter_, o.version);
    }
    if (!dependencies_.empty()) o.dependencies = ParseDependencies(dependencies_);
    for (size_t i = 0; i + 1 < custom_tlvs_.size(); i += 2) {
      o.custom_tlvs.push_back(ParseCustomTlv(custom_tlvs_[i], custom_tlvs_[i + 1]));
    }
    if (!load_addr_.empty()) o.load_addr = ParseU32(load_addr_, "--load-addr");
    if (!rom_fixed_.empty()) {
      o.rom_fixed = ParseU32(rom_fixed_, "--rom-fixed");
      // imgtool treats 0 as "not given"; refuse it rather than silently drop ROM_FIXED.
      if (o.rom_fixed == 0) ThrowUsage("--rom-fixed 0 cannot be encoded (imgtool ignores 0)");
    }
    o.non_bootable = non_bootable_;
    if (endian_ != "little") ThrowUsage("--endian: only 'little' is supported");
    if (public_key_format_ == "hash") {
      o.public_key_format = PublicKeyFormat::kHash;
    } else if (public_key_format_ == "full") {
      o.public_key_format = PublicKeyFormat::kFull;
    } else {
      ThrowUsage("--public-key-format must be hash or full, not '" + public_key_format_ + "'");
    }

    std::optional<PrivateKey> signing_key;
    if (!key_.empty()) {
      signing_key = LoadPrivateKeyFile(key_);
      o.signing_key = &*signing_key;
    }
    if (!encrypt_.empty() && !kek_.empty()) {
      ThrowUsage("--encrypt and --encrypt-kek cannot be used together");
    }
    if (encrypt_.empty() && kek_.empty() && (!encrypt_keylen_.empty() || clear_)) {
      ThrowUsage("--encrypt-keylen and --clear need --encrypt or --encrypt-kek");
    }
    if (!encrypt_.empty() || !kek_.empty()) {
      ImageEncryption e;
      if (!encrypt_.empty()) e.recipient = LoadPublicKeyFile(encrypt_);
      if (!kek_.empty()) e.kek = LoadKekFile(kek_);
      if (!encrypt_keylen_.empty()) {
        e.key_bits = ParseU32(encrypt_keylen_, "--encrypt-keylen");
      } else if (e.kek) {
        e.key_bits = static_cast<uint32_t>(e.kek->size() * 8);
      }
      e.clear = clear_;
      o.encryption = std::move(e);
    }

    const std::vector<uint8_t> input = ReadFileBounded(infile_, kMaxImageFileBytes, "input file");
    const std::vector<uint8_t> image = BuildImage(input, o);
    WriteFileBytes(outfile_, image, "output image");
    const ImageReport report = InspectImage(image);
    const TlvReport* sha = report.Find(image::kTlvSha256);
    streams.out << "wrote " << outfile_ << ": " << image.size() << " bytes, img_size "
                << report.layout.header.img_size << ", version "
                << FormatVersion(report.layout.header.version) << ", hash "
                << (sha ? HexBytes(sha->value.data(), sha->value.size()) : "-") << "\n";
    return 0;
  }

 private:
  std::string key_;
  std::string public_key_format_ = "hash";
  std::string header_size_;
  bool pad_header_ = false;
  std::string align_ = "1";
  std::string max_align_;
  std::string version_;
  std::string security_counter_;
  std::string dependencies_;
  std::vector<std::string> custom_tlvs_;
  std::string slot_size_;
  bool pad_ = false;
  bool confirm_ = false;
  std::string erased_val_ = "0xff";
  std::string encrypt_;
  std::string kek_;
  std::string encrypt_keylen_;
  bool clear_ = false;
  bool save_enctlv_ = false;
  std::string load_addr_;
  std::string rom_fixed_;
  bool non_bootable_ = false;
  std::string max_sectors_ = "128";
  bool overwrite_only_ = false;
  std::string endian_ = "little";
  std::string infile_;
  std::string outfile_;
};

}  // namespace

std::unique_ptr<Command> AddSignCommand(CLI::App& image) {
  return std::make_unique<SignCommand>(image);
}

}  // namespace bleota::host::cli
