// What `bleota dfu --transport ble` is told on the command line (which adapter, which device,
// how long to look for it) and the write size it derives from the link's ATT MTU. Pure
// functions, no D-Bus: the checks run before any connection is made.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <string>

namespace bleota::host {

// Which device to connect to; with neither field, the first device seen advertising the SMP
// service.
struct BleDeviceSelector {
  std::string address;  // "AA:BB:CC:DD:EE:FF" (upper case), or empty
  std::string name;     // the advertised name (exact), or empty
};

struct BluezCentralOptions {
  std::string adapter;  // "hci1", or empty: the first adapter BlueZ lists
  BleDeviceSelector device;
  // How long to scan for the device (and to find it again after a disconnect).
  std::chrono::milliseconds scan_timeout{10000};
  // How long Device1.Connect and the GATT discovery (ServicesResolved) may take.
  std::chrono::milliseconds connect_timeout{10000};
  // Every SMP request must fit one Write Command (--one-write-per-request): with EATT, BlueZ may
  // send the writes of one request over different ATT bearers, and they can arrive swapped.
  bool one_write_per_request = false;
};

// "aa:bb:cc:dd:ee:ff" -> "AA:BB:CC:DD:EE:FF". Throws HostError(kUsage) naming `option` for
// anything that is not six colon-separated pairs of hex digits.
std::string NormalizeBleAddress(const std::string& text, const std::string& option);

// Checks --device (address) and --name together: at most one, each well formed; a name is
// 1..248 bytes (the longest a device name can be) without control characters. Returns the
// selector with the address normalised. Throws HostError(kUsage).
BleDeviceSelector MakeBleDeviceSelector(const std::string& address, const std::string& name);

// The value bytes of one Write Command (and the piece size SMP packets are cut into) for an
// ATT MTU: ATT_MTU - 3, at most bluez::kBluezMaxWriteCommand (510: an attribute value is at most
// 512 bytes, and BlueZ 5.66 drops Write Commands of exactly 512). An MTU below 23 (the LE minimum)
// is taken as 23 and one above 517 as 517.
size_t BluezWritePieceSize(uint32_t att_mtu);

// The largest SMP request packet for a link whose Write Commands carry `write_piece` bytes:
// `write_piece` with --one-write-per-request (a request is never cut, so the device cannot get its
// pieces in the wrong order), else `max_packet` (requests are cut into write_piece pieces).
size_t BluezRequestLimit(size_t write_piece, size_t max_packet, bool one_write_per_request);

// "/org/bluez/hci1/dev_AA_BB_CC_DD_EE_FF" for adapter path and address.
std::string BluezDevicePath(const std::string& adapter_path, const std::string& address);

}  // namespace bleota::host
