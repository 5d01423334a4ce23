#include "bench_device.hpp"

#include <unistd.h>

#include <array>
#include <atomic>
#include <random>
#include <string>
#include <system_error>

#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_builder.hpp"
#include "bleota/host/key_files.hpp"
#include "bleota/simdev/device_config.hpp"
#include "bleota/simdev/provisioning.hpp"
#include "bleota/simdev/state_dir.hpp"

namespace bleota::bench {
namespace {

namespace fs = std::filesystem;

// The benchmark's signing key: a fixed Ed25519 seed, so images (and so every figure) are the
// same in every run. It signs nothing but these throw-away images.
constexpr std::array<uint8_t, 32> kSigningSeed = {
    0x62, 0x6c, 0x65, 0x6f, 0x74, 0x61, 0x2d, 0x62, 0x65, 0x6e, 0x63, 0x68, 0x2d, 0x6b, 0x65, 0x79,
    0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10};

fs::path NewTempDir() {
  static std::atomic<unsigned> counter{0};
  const fs::path dir = fs::temp_directory_path() / ("bleota-bench-" + std::to_string(getpid()) +
                                                    "-" + std::to_string(counter++));
  std::error_code ec;
  fs::remove_all(dir, ec);
  if (!fs::create_directories(dir, ec) || ec) {
    host::ThrowIo("cannot create the benchmark directory " + dir.string());
  }
  return dir;
}

std::vector<uint8_t> BuildWithPayload(const host::PrivateKey& key, uint8_t major, size_t size) {
  host::ImageBuildOptions options;
  options.header_size = 0x200;
  options.pad_header = true;
  options.align = 4;
  options.version.major = major;
  options.signing_key = &key;
  std::vector<uint8_t> payload(size);
  std::mt19937 rng(major);  // deterministic content (mt19937's sequence is fixed by the standard)
  for (uint8_t& b : payload) b = static_cast<uint8_t>(rng());
  return host::BuildImage(payload, options);
}

}  // namespace

BenchDevice::BenchDevice(uint32_t image_size, bool flash_timing) : dir_(NewTempDir()) {
  try {
    key_.type = host::KeyType::kEd25519;
    key_.secret = host::SecretBytes(kSigningSeed);
    key_.public_key = host::DerivePublicKey(host::KeyType::kEd25519, kSigningSeed);
    host::WriteFileText(dir_ / "sign.pub.pem", host::PublicKeyPem(key_.public_key), "key");
    sim::KeyFiles keys;
    keys.signing_keys = {dir_ / "sign.pub.pem"};

    sim::DeviceConfig config = sim::Nrf52840DeviceConfig();
    config.flash_timing = flash_timing;
    sim::FactoryImages images;
    images.primary = MakeImage(1, image_size);
    const sim::StateDir state(dir_ / "device");
    sim::SimDevice::Provision(state, config, sim::KeyOtpRecordFromFiles(keys), images);
    device_ = std::make_unique<sim::SimDevice>(state, sim::SimDevice::LogSink());
    if (device_->mode() != sim::DeviceMode::kApplication) {
      host::ThrowInternal("the benchmark device did not boot its factory image");
    }
    Result<boot::BootLayout> layout =
        boot::BootLayout::Create(device_->soc().sim_flash(), config.layout);
    if (!layout.ok()) host::ThrowInternal("the benchmark device's layout is invalid");
    layout_.emplace(*layout);
  } catch (...) {
    device_.reset();
    std::error_code ec;
    fs::remove_all(dir_, ec);
    throw;
  }
}

BenchDevice::~BenchDevice() {
  device_.reset();
  std::error_code ec;
  fs::remove_all(dir_, ec);  // best effort: a leftover temporary directory is harmless
}

std::vector<uint8_t> BenchDevice::MakeImage(uint8_t major, uint32_t size) const {
  constexpr size_t kProbe = 1024;
  const size_t overhead = BuildWithPayload(key_, major, kProbe).size() - kProbe;
  if (size <= overhead) {
    host::ThrowUsage("an image of " + std::to_string(size) + " bytes cannot hold a payload");
  }
  std::vector<uint8_t> image = BuildWithPayload(key_, major, size - overhead);
  if (image.size() != size) {
    host::ThrowInternal("the benchmark image is " + std::to_string(image.size()) + " bytes, not " +
                        std::to_string(size));
  }
  return image;
}

}  // namespace bleota::bench
