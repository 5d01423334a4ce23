// The BlueZ central's parts that need no Bluetooth: option checks, the write size from the ATT
// MTU (and BlueZ 5.66's 512-byte rule), requests of one write each (--one-write-per-request),
// notification reassembly, and how a device is chosen from what BlueZ reports.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <vector>

#include "bleota/host/bluez_central_notifications.hpp"
#include "bleota/host/bluez_central_options.hpp"
#include "bleota/host/bluez_scan.hpp"
#include "bleota/host/dfu_connection.hpp"
#include "bleota/host/dfu_upload_chunker.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/smp_bluez_transport.hpp"
#include "bleota/host/smp_message.hpp"

namespace bleota::host {
namespace {

ExitCode CodeOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const HostError& e) {
    return e.code();
  }
  return ExitCode::kOk;
}

std::string MessageOf(const std::function<void()>& f) {
  try {
    f();
  } catch (const HostError& e) {
    return e.what();
  }
  return "";
}

// An SMP v2 read response of `payload_size` bytes (contents: 0, 1, 2 ...), sequence `seq`.
std::vector<uint8_t> SmpPacket(size_t payload_size, uint8_t seq) {
  std::vector<uint8_t> packet = {0x09,
                                 0x00,
                                 static_cast<uint8_t>(payload_size >> 8),
                                 static_cast<uint8_t>(payload_size & 0xff),
                                 0x00,
                                 0x01,
                                 seq,
                                 0x01};
  for (size_t i = 0; i < payload_size; ++i) packet.push_back(static_cast<uint8_t>(i));
  return packet;
}

std::vector<uint8_t> Slice(const std::vector<uint8_t>& v, size_t from, size_t to) {
  return std::vector<uint8_t>(v.begin() + from, v.begin() + to);
}

TEST(BluezCentralOptions, AddressIsNormalisedToUpperCase) {
  EXPECT_EQ(NormalizeBleAddress("c0:ff:ee:00:0a:01", "--device"), "C0:FF:EE:00:0A:01");
  EXPECT_EQ(NormalizeBleAddress("00:AA:01:00:00:23", "--device"), "00:AA:01:00:00:23");
}

TEST(BluezCentralOptions, MalformedAddressesAreUsageErrors) {
  for (const char* bad :
       {"", "C0:FF:EE:00:0A", "C0:FF:EE:00:0A:01:02", "C0-FF-EE-00-0A-01", "G0:FF:EE:00:0A:01",
        "C0:FF:EE:00:0A:1", "C0:FF:EE:00:0A:011", "/dev/ttyACM0", "C0:FF:EE:00:0A:0\n"}) {
    SCOPED_TRACE(bad);
    EXPECT_EQ(CodeOf([&] { NormalizeBleAddress(bad, "--device"); }), ExitCode::kUsage);
  }
  EXPECT_NE(MessageOf([] { NormalizeBleAddress("nope", "--device"); }).find("--device: 'nope'"),
            std::string::npos);
}

TEST(BluezCentralOptions, DeviceAndNameExcludeEachOther) {
  EXPECT_EQ(CodeOf([] { MakeBleDeviceSelector("C0:FF:EE:00:0A:01", "dev"); }), ExitCode::kUsage);
  const BleDeviceSelector by_address = MakeBleDeviceSelector("c0:ff:ee:00:0a:01", "");
  EXPECT_EQ(by_address.address, "C0:FF:EE:00:0A:01");
  EXPECT_TRUE(by_address.name.empty());
  const BleDeviceSelector by_name = MakeBleDeviceSelector("", "bleota-sim");
  EXPECT_TRUE(by_name.address.empty());
  EXPECT_EQ(by_name.name, "bleota-sim");
  const BleDeviceSelector any = MakeBleDeviceSelector("", "");
  EXPECT_TRUE(any.address.empty() && any.name.empty());
}

TEST(BluezCentralOptions, NamesAreBounded) {
  EXPECT_NO_THROW(MakeBleDeviceSelector("", std::string(248, 'n')));
  EXPECT_EQ(CodeOf([] { MakeBleDeviceSelector("", std::string(249, 'n')); }), ExitCode::kUsage);
  EXPECT_EQ(CodeOf([] { MakeBleDeviceSelector("", "a\tb"); }), ExitCode::kUsage);
  EXPECT_EQ(CodeOf([] { MakeBleDeviceSelector("", std::string("a\x7f")); }), ExitCode::kUsage);
}

TEST(BluezCentralOptions, AdapterNamesAreChecked) {
  DfuConnectionOptions options;
  for (const char* good : {"hci0", "hci1", "hci12", "hci999"}) {
    options.adapter = good;
    EXPECT_EQ(MakeBluezCentralOptions(options).adapter, good);
  }
  for (const char* bad : {"hci", "hcix", "HCI0", "hci-1", "hci1000", "bt0", "/org/bluez/hci0"}) {
    SCOPED_TRACE(bad);
    options.adapter = bad;
    EXPECT_EQ(CodeOf([&] { MakeBluezCentralOptions(options); }), ExitCode::kUsage);
  }
}

TEST(BluezCentralOptions, ConnectTimeoutHasAFloorForRealStacks) {
  DfuConnectionOptions options;
  options.connect_timeout = std::chrono::milliseconds(500);
  options.scan_timeout = std::chrono::milliseconds(3000);
  const BluezCentralOptions ble = MakeBluezCentralOptions(options);
  EXPECT_EQ(ble.connect_timeout, std::chrono::milliseconds(15000));
  EXPECT_EQ(ble.scan_timeout, std::chrono::milliseconds(3000));
  options.connect_timeout = std::chrono::milliseconds(30000);
  EXPECT_EQ(MakeBluezCentralOptions(options).connect_timeout, std::chrono::milliseconds(30000));
}

TEST(DfuConnectionBleOptions, BleOnlyOptionsAreRefusedElsewhere) {
  DfuConnectionOptions options;
  options.transport = "udp";
  options.name = "dev";
  EXPECT_NE(MessageOf([&] { OpenDfuTransport(options); }).find("--name is for --transport ble"),
            std::string::npos);
  options.name.clear();
  options.adapter = "hci0";
  options.transport = "serial";
  options.device = "/dev/null";
  EXPECT_NE(MessageOf([&] { OpenDfuTransport(options); }).find("--adapter is for --transport ble"),
            std::string::npos);
  options.adapter.clear();
  options.scan_timeout_given = true;
  EXPECT_EQ(CodeOf([&] { OpenDfuTransport(options); }), ExitCode::kUsage);
}

TEST(DfuConnectionBleOptions, OptionsOfOtherTransportsAreRefusedForBle) {
  DfuConnectionOptions options;
  options.transport = "ble";
  options.address_given = true;
  EXPECT_NE(MessageOf([&] { OpenDfuTransport(options); }).find("--address is for --transport udp"),
            std::string::npos);
  options.address_given = false;
  options.baud_given = true;
  EXPECT_EQ(CodeOf([&] { OpenDfuTransport(options); }), ExitCode::kUsage);
  options.baud_given = false;
  options.ble_profile_given = true;
  EXPECT_EQ(CodeOf([&] { OpenDfuTransport(options); }), ExitCode::kUsage);
  options.ble_profile_given = false;
  // Malformed selectors fail before any D-Bus connection is tried.
  options.device = "12:34";
  EXPECT_EQ(CodeOf([&] { OpenDfuTransport(options); }), ExitCode::kUsage);
  options.device = "12:34:56:78:9A:BC";
  options.name = "dev";
  EXPECT_EQ(CodeOf([&] { OpenDfuTransport(options); }), ExitCode::kUsage);
}

TEST(BluezWritePieceSize, IsMtuMinusThreeBelow512) {
  EXPECT_EQ(BluezWritePieceSize(23), 20u);
  EXPECT_EQ(BluezWritePieceSize(185), 182u);  // iOS
  EXPECT_EQ(BluezWritePieceSize(247), 244u);  // 251-byte LL payload with DLE
  EXPECT_EQ(BluezWritePieceSize(513), 510u);
}

TEST(BluezWritePieceSize, NeverWritesExactly512Bytes) {
  // BlueZ 5.66 drops Write Commands of exactly 512 bytes: MTU 515..517 would give 512..514.
  EXPECT_EQ(BluezWritePieceSize(517), 510u);
  EXPECT_EQ(BluezWritePieceSize(515), 510u);
  EXPECT_EQ(BluezWritePieceSize(514), 510u);
  for (uint32_t mtu = 0; mtu < 2000; ++mtu) {
    const size_t piece = BluezWritePieceSize(mtu);
    ASSERT_NE(piece, 512u) << mtu;
    ASSERT_GE(piece, 20u) << mtu;
    ASSERT_LE(piece, 510u) << mtu;
  }
}

TEST(BluezWritePieceSize, OutOfRangeMtusAreClamped) {
  EXPECT_EQ(BluezWritePieceSize(0), 20u);
  EXPECT_EQ(BluezWritePieceSize(22), 20u);
  EXPECT_EQ(BluezWritePieceSize(65535), 510u);
}

TEST(DfuConnectionBleOptions, OneWritePerRequestIsForBleOnly) {
  DfuConnectionOptions options;
  options.one_write_per_request = true;
  EXPECT_NE(MessageOf([&] {
              OpenDfuTransport(options);
            }).find("--one-write-per-request is for --transport ble, not udp"),
            std::string::npos);
  EXPECT_TRUE(MakeBluezCentralOptions(options).one_write_per_request);
  options.one_write_per_request = false;
  EXPECT_FALSE(MakeBluezCentralOptions(options).one_write_per_request);
}

TEST(BluezRequestLimit, OneWriteOrTheWholePacketLimit) {
  EXPECT_EQ(BluezRequestLimit(244, kBluezMaxSmpPacket, false), kBluezMaxSmpPacket);
  EXPECT_EQ(BluezRequestLimit(244, kBluezMaxSmpPacket, true), 244u);
  EXPECT_EQ(BluezRequestLimit(510, kBluezMaxSmpPacket, true), 510u);
  EXPECT_EQ(BluezRequestLimit(510, 300, true), 300u);  // never above the packet limit
}

// Every upload request the chunker makes for `size` bytes at ATT MTU `mtu` with
// --one-write-per-request, as encoded on the link; checks that they cover the data in order.
std::vector<size_t> OneWriteRequestSizes(uint32_t mtu, size_t size, uint32_t image) {
  const size_t piece = BluezWritePieceSize(mtu);
  const size_t limit = BluezRequestLimit(piece, kBluezMaxSmpPacket, true);
  std::vector<uint8_t> data(size);
  for (size_t i = 0; i < size; ++i) data[i] = static_cast<uint8_t>(i * 7);
  const UploadChunker chunker(data, std::array<uint8_t, 32>{}, image, limit, piece);
  std::vector<size_t> sizes;
  for (size_t offset = 0; offset < size;) {
    const size_t n = chunker.DataSizeAt(static_cast<uint32_t>(offset));
    EXPECT_GE(n, 1u);
    const SmpCommand request = chunker.RequestAt(static_cast<uint32_t>(offset), n);
    EXPECT_EQ(request.payload["off"].get<uint32_t>(), offset);
    EXPECT_EQ(request.payload["data"].get_binary().size(), n);
    sizes.push_back(EncodeSmpRequest(request, smp::SmpVersion::kV2, 0).size());
    offset += n;
  }
  return sizes;
}

TEST(OneWritePerRequest, NoUploadRequestIsLongerThanOneWrite) {
  for (const uint32_t mtu : {185u, 247u, 517u}) {
    const size_t piece = BluezWritePieceSize(mtu);
    // 70000 bytes: len and offsets above 65535 take the longest CBOR integers.
    for (const size_t size : {size_t{1}, size_t{300}, size_t{70000}}) {
      const std::vector<size_t> sizes = OneWriteRequestSizes(mtu, size, 0);
      ASSERT_FALSE(sizes.empty());
      for (size_t i = 0; i < sizes.size(); ++i) {
        ASSERT_LE(sizes[i], piece) << "MTU " << mtu << ", " << size << " bytes, request " << i;
      }
      if (size == 70000) {
        // The requests still carry data: past the first, they fill the write but for a few
        // bytes of header and CBOR (the last one excepted).
        for (size_t i = 1; i + 1 < sizes.size(); ++i) ASSERT_GE(sizes[i], piece - 2) << mtu;
        // About one request per write's worth of data, not a packet of many writes.
        EXPECT_GT(sizes.size(), size / piece) << mtu;
        EXPECT_LT(sizes.size(), size / (piece - 30) + 2) << mtu;
      }
    }
  }
}

TEST(OneWritePerRequest, FirstRequestWithLenAndShaFitsOneWrite) {
  for (const uint32_t mtu : {185u, 247u, 517u}) {
    const std::vector<size_t> sizes = OneWriteRequestSizes(mtu, 70000, 1);
    EXPECT_LE(sizes.front(), BluezWritePieceSize(mtu)) << mtu;
    EXPECT_NO_THROW(
        CheckOneWriteUpload(std::vector<uint8_t>(70000), 0, BluezWritePieceSize(mtu), mtu));
  }
}

TEST(OneWritePerRequest, Mtu23CannotCarryAnUploadRequest) {
  // 20 bytes: an 8-byte SMP header and the CBOR keys "off" and "data" leave no room (the first
  // request, with "len" and a 32-byte "sha", needs far more). The chunker refuses it, and the
  // check names the option and the MTU.
  const size_t piece = BluezWritePieceSize(23);
  std::vector<uint8_t> data(70000);
  EXPECT_EQ(CodeOf([&] {
              UploadChunker(data, std::array<uint8_t, 32>{}, 0,
                            BluezRequestLimit(piece, kBluezMaxSmpPacket, true), piece);
            }),
            ExitCode::kUsage);
  const std::string message = MessageOf([&] { CheckOneWriteUpload(data, 0, piece, 23); });
  EXPECT_NE(message.find("--one-write-per-request: one Write Command carries 20 bytes at ATT "
                         "MTU 23, and the first upload request needs "),
            std::string::npos)
      << message;
  // The size named is the real one: the chunker accepts exactly that limit.
  const size_t needs = std::stoul(message.substr(message.find("needs ") + 6));
  EXPECT_GT(needs, 60u);
  EXPECT_NO_THROW(UploadChunker(data, std::array<uint8_t, 32>{}, 0, needs, needs));
  EXPECT_EQ(CodeOf([&] { UploadChunker(data, std::array<uint8_t, 32>{}, 0, needs - 1, 0); }),
            ExitCode::kUsage);
  EXPECT_EQ(CodeOf([&] { CheckOneWriteUpload(data, 0, piece, 23); }), ExitCode::kUsage);
}

TEST(SmpNotificationAssembler, OnePacketInOneNotification) {
  SmpNotificationAssembler assembler(8192);
  const std::vector<uint8_t> packet = SmpPacket(12, 7);
  assembler.Feed(packet);
  EXPECT_EQ(assembler.Pop(), packet);
  EXPECT_FALSE(assembler.Pop());
  EXPECT_EQ(assembler.dropped_values(), 0u);
}

TEST(SmpNotificationAssembler, PacketSplitAtEveryPieceSize) {
  // MTU 23 cuts a reply into 20-byte notifications; other sizes cut the header too.
  const std::vector<uint8_t> packet = SmpPacket(300, 3);
  for (size_t piece : {1u, 3u, 7u, 8u, 9u, 20u, 182u, 244u, 510u}) {
    SCOPED_TRACE(piece);
    SmpNotificationAssembler assembler(8192);
    for (size_t at = 0; at < packet.size(); at += piece) {
      EXPECT_FALSE(assembler.has_packet());
      assembler.Feed(Slice(packet, at, std::min(packet.size(), at + piece)));
    }
    EXPECT_EQ(assembler.Pop(), packet);
    EXPECT_FALSE(assembler.in_packet());
  }
}

TEST(SmpNotificationAssembler, HeaderSplitAcrossNotifications) {
  SmpNotificationAssembler assembler(8192);
  const std::vector<uint8_t> packet = SmpPacket(40, 9);
  assembler.Feed(Slice(packet, 0, 5));  // 5 of the 8 header bytes
  EXPECT_TRUE(assembler.in_packet());
  EXPECT_FALSE(assembler.has_packet());
  assembler.Feed(Slice(packet, 5, packet.size()));
  EXPECT_EQ(assembler.Pop(), packet);
}

TEST(SmpNotificationAssembler, TwoPacketsInOneNotification) {
  SmpNotificationAssembler assembler(8192);
  const std::vector<uint8_t> a = SmpPacket(10, 1);
  const std::vector<uint8_t> b = SmpPacket(0, 2);
  std::vector<uint8_t> value = a;
  value.insert(value.end(), b.begin(), b.end());
  assembler.Feed(value);
  EXPECT_EQ(assembler.Pop(), a);
  EXPECT_EQ(assembler.Pop(), b);
}

TEST(SmpNotificationAssembler, GarbageIsDroppedAndCounted) {
  SmpNotificationAssembler assembler(8192);
  // 0xff: reserved bits set, not an SMP header; the whole value is dropped.
  assembler.Feed(std::vector<uint8_t>{0xff, 0x00, 0x00, 0x04, 0x00, 0x01, 0x00, 0x00, 1, 2, 3, 4});
  EXPECT_FALSE(assembler.has_packet());
  EXPECT_EQ(assembler.dropped_values(), 1u);
  EXPECT_EQ(assembler.dropped_bytes(), 12u);
  // An op of 7 and SMP version 3 are not headers either.
  assembler.Feed(std::vector<uint8_t>{0x07, 0, 0, 0, 0, 0, 0, 0});
  assembler.Feed(std::vector<uint8_t>{0x19, 0, 0, 0, 0, 0, 0, 0});
  EXPECT_EQ(assembler.dropped_values(), 3u);
  // The stream recovers at the next value that starts a packet.
  const std::vector<uint8_t> packet = SmpPacket(30, 4);
  assembler.Feed(packet);
  EXPECT_EQ(assembler.Pop(), packet);
}

TEST(SmpNotificationAssembler, OversizedPacketIsSkippedByItsLength) {
  SmpNotificationAssembler assembler(64);
  const std::vector<uint8_t> big = SmpPacket(100, 1);
  const std::vector<uint8_t> small = SmpPacket(4, 2);
  assembler.Feed(Slice(big, 0, 50));
  assembler.Feed(Slice(big, 50, big.size()));
  assembler.Feed(small);
  EXPECT_EQ(assembler.dropped_values(), 1u);
  EXPECT_EQ(assembler.Pop(), small);
  EXPECT_FALSE(assembler.Pop());
}

TEST(SmpNotificationAssembler, DropPartialForgetsAnUnfinishedPacket) {
  SmpNotificationAssembler assembler(8192);
  const std::vector<uint8_t> packet = SmpPacket(40, 5);
  assembler.Feed(Slice(packet, 0, 20));
  assembler.DropPartial();
  EXPECT_FALSE(assembler.in_packet());
  // The rest of the lost packet would be garbage; a fresh packet is taken whole.
  const std::vector<uint8_t> next = SmpPacket(3, 6);
  assembler.Feed(next);
  EXPECT_EQ(assembler.Pop(), next);
}

std::map<std::string, sdbus::Variant> DeviceProperties(const std::string& address,
                                                       const std::string& name,
                                                       std::optional<int16_t> rssi, bool smp) {
  std::map<std::string, sdbus::Variant> properties;
  properties["Address"] = sdbus::Variant(address);
  properties["AddressType"] = sdbus::Variant(std::string("random"));
  if (!name.empty()) properties["Name"] = sdbus::Variant(name);
  if (rssi) properties["RSSI"] = sdbus::Variant(*rssi);
  properties["Connected"] = sdbus::Variant(false);
  std::vector<std::string> uuids = {"0000180f-0000-1000-8000-00805f9b34fb"};
  if (smp) uuids.push_back("8D53DC1D-1DB7-4CD3-868B-8A527460AA84");  // either case
  properties["UUIDs"] = sdbus::Variant(uuids);
  return properties;
}

TEST(BleSeenDevice, PropertiesAreApplied) {
  BleSeenDevice device;
  ApplyDeviceProperties(device, DeviceProperties("C0:FF:EE:00:00:01", "dev", -40, true));
  EXPECT_EQ(device.address, "C0:FF:EE:00:00:01");
  EXPECT_EQ(device.address_type, "random");
  EXPECT_EQ(device.name, "dev");
  EXPECT_EQ(device.rssi, -40);
  EXPECT_TRUE(device.smp);
  EXPECT_TRUE(device.present);
  // BlueZ invalidates RSSI when the discovery ends: the device is no longer known to be there.
  ApplyDeviceProperties(device, {}, {"RSSI"});
  EXPECT_FALSE(device.rssi);
  EXPECT_FALSE(device.present);
  // A connected device does not advertise but can be used.
  std::map<std::string, sdbus::Variant> connected;
  connected["Connected"] = sdbus::Variant(true);
  ApplyDeviceProperties(device, connected);
  EXPECT_TRUE(device.present);
  // A value of the wrong type is ignored.
  std::map<std::string, sdbus::Variant> odd;
  odd["RSSI"] = sdbus::Variant(std::string("loud"));
  ApplyDeviceProperties(device, odd);
  EXPECT_FALSE(device.rssi);
}

TEST(SelectDevice, ByAddressByNameOrTheFirstSmpDevice) {
  std::map<std::string, BleSeenDevice> devices;
  auto add = [&devices](const std::string& address, const std::string& name,
                        std::optional<int16_t> rssi, bool smp, uint64_t order) {
    BleSeenDevice& d = devices["/org/bluez/hci1/dev_" + address];
    ApplyDeviceProperties(d, DeviceProperties(address, name, rssi, smp));
    d.order = order;
  };
  add("00:00:00:00:00:01", "other", -30, false, 1);
  add("00:00:00:00:00:02", "second", -50, true, 3);
  add("00:00:00:00:00:03", "first", -70, true, 2);
  add("00:00:00:00:00:04", "gone", std::nullopt, true, 0);  // not seen in this discovery

  const BleSeenDevice* d = SelectDevice(devices, {});
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->name, "first");  // the SMP device seen first, not the strongest

  d = SelectDevice(devices, {"00:00:00:00:00:01", ""});
  ASSERT_NE(d, nullptr);  // an address is taken as given, SMP in its advertisement or not
  EXPECT_EQ(d->name, "other");
  d = SelectDevice(devices, {"", "second"});
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->address, "00:00:00:00:00:02");

  EXPECT_EQ(SelectDevice(devices, {"", "gone"}), nullptr);
  EXPECT_EQ(SelectDevice(devices, {"", "Second"}), nullptr);  // names match exactly
  EXPECT_EQ(SelectDevice(devices, {"00:00:00:00:00:09", ""}), nullptr);
  EXPECT_EQ(SelectDevice({}, {}), nullptr);
}

}  // namespace
}  // namespace bleota::host
