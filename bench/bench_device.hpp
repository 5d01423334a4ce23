// A simulated device for the `bleota bench` tables: a freshly provisioned SimDevice (the default
// simulated nRF52840, the real bootloader, the example application) in a temporary state
// directory removed afterwards, signed with a fixed Ed25519 key so that every run builds the same
// images (Ed25519 signatures are deterministic) and measures the same virtual times.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <vector>

#include "bleota/boot/flash_layout.hpp"
#include "bleota/host/keys.hpp"
#include "bleota/simdev/sim_device.hpp"

namespace bleota::bench {

class BenchDevice {
 public:
  // Provisions a device whose primary slot holds version 1 (an image of `image_size` bytes) and
  // boots it. `flash_timing` false: erases and programs take no virtual time (link tables).
  // Throws host::HostError when the temporary directory or the device cannot be made.
  BenchDevice(uint32_t image_size, bool flash_timing);
  ~BenchDevice();
  BenchDevice(const BenchDevice&) = delete;
  BenchDevice& operator=(const BenchDevice&) = delete;

  sim::SimDevice& device() { return *device_; }
  // The device's virtual time (its SoC clock), microseconds.
  uint64_t now_us() { return device_->soc().clock().now_us(); }

  // A signed image of exactly `size` bytes (header + payload + TLVs) with version `major`.0.0.
  std::vector<uint8_t> MakeImage(uint8_t major, uint32_t size) const;

  // The device's flash areas (offsets and sizes), for wear counts.
  boot::BootAreas areas() { return layout_->areas(); }

 private:
  std::filesystem::path dir_;
  host::PrivateKey key_;
  std::unique_ptr<sim::SimDevice> device_;
  std::optional<boot::BootLayout> layout_;
};

}  // namespace bleota::bench
