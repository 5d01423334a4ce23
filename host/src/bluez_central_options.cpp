#include "bleota/host/bluez_central_options.hpp"

#include <algorithm>
#include <cctype>

#include "bleota/host/bluez_dbus.hpp"
#include "bleota/host/error.hpp"

namespace bleota::host {

namespace {

// The longest device name the Core specification allows (Device Name characteristic).
constexpr size_t kMaxDeviceName = 248;

bool IsHexDigit(char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; }

std::string Printable(const std::string& text) {
  std::string out;
  for (const char c : text.substr(0, 64)) {
    const auto u = static_cast<unsigned char>(c);
    out += (u >= 0x20 && u < 0x7f) ? c : '?';
  }
  if (text.size() > 64) out += "...";
  return out;
}

}  // namespace

std::string NormalizeBleAddress(const std::string& text, const std::string& option) {
  bool ok = text.size() == 17;
  for (size_t i = 0; ok && i < text.size(); ++i) {
    ok = (i % 3 == 2) ? text[i] == ':' : IsHexDigit(text[i]);
  }
  if (!ok) {
    ThrowUsage(option + ": '" + Printable(text) +
               "' is not a Bluetooth address (six pairs of hex digits separated by colons, e.g. "
               "C0:FF:EE:00:00:01)");
  }
  std::string out = text;
  std::transform(out.begin(), out.end(), out.begin(), [](char c) {
    return static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  });
  return out;
}

BleDeviceSelector MakeBleDeviceSelector(const std::string& address, const std::string& name) {
  if (!address.empty() && !name.empty()) {
    ThrowUsage("--device and --name both choose the device: give one of them");
  }
  BleDeviceSelector selector;
  if (!address.empty()) selector.address = NormalizeBleAddress(address, "--device");
  if (!name.empty()) {
    if (name.size() > kMaxDeviceName) {
      ThrowUsage("--name: " + std::to_string(name.size()) +
                 " bytes is longer than a device name (" + std::to_string(kMaxDeviceName) +
                 " bytes at most)");
    }
    for (const char c : name) {
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 || u == 0x7f) {
        ThrowUsage("--name: '" + Printable(name) + "' holds a control character");
      }
    }
    selector.name = name;
  }
  return selector;
}

size_t BluezWritePieceSize(uint32_t att_mtu) {
  const uint32_t mtu = std::clamp<uint32_t>(att_mtu, bluez::kAttMinMtu, bluez::kAttMaxMtu);
  return std::min<size_t>(mtu - bluez::kAttHeaderSize, bluez::kBluezMaxWriteCommand);
}

size_t BluezRequestLimit(size_t write_piece, size_t max_packet, bool one_write_per_request) {
  return one_write_per_request ? std::min(write_piece, max_packet) : max_packet;
}

std::string BluezDevicePath(const std::string& adapter_path, const std::string& address) {
  std::string tail = address;
  std::replace(tail.begin(), tail.end(), ':', '_');
  return adapter_path + "/dev_" + tail;
}

}  // namespace bleota::host
