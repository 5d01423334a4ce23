// ModelLinkLimit against every row of the reference's table (ble-and-flash-model.md), from the
// same inputs; the profiles and the parameter checks.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "bleota/simdev/ble_link_limit.hpp"
#include "bleota/simdev/ble_link_params.hpp"

namespace bleota::sim {
namespace {

BleLinkParams Row(BlePhy phy, uint16_t ll_payload, uint16_t mtu, uint32_t interval_us,
                  bool encrypted, uint16_t cap = 0) {
  BleLinkParams params;
  params.phy = phy;
  params.max_ll_payload = ll_payload;
  params.att_mtu = mtu;
  params.connection_interval_us = interval_us;
  params.encrypted = encrypted;
  params.max_packets_per_event = cap;
  EXPECT_EQ(params.Problem(), "");
  return params;
}

TEST(BleLinkLimitTest, PacketAirTimeFollowsTheBytesOnAir) {
  // 2M: 2 + 4 + 2 + 251 + 4 + 3 = 266 bytes at 4 us; empty: 11 bytes; 1M: 265 and 10 at 8 us.
  EXPECT_EQ(BlePacketAirUs(BlePhy::k2M, 251, true), 1064u);
  EXPECT_EQ(BlePacketAirUs(BlePhy::k2M, 0, true), 44u);
  EXPECT_EQ(BlePacketAirUs(BlePhy::k1M, 251, true), 2120u);
  EXPECT_EQ(BlePacketAirUs(BlePhy::k1M, 251, false), 2088u);
  EXPECT_EQ(BlePacketAirUs(BlePhy::k1M, 0, true), 80u);  // no MIC on an empty packet
  EXPECT_EQ(BlePacketAirUs(BlePhy::k1M, 27, false), 296u);
}

// Row 1: 2M PHY, DLE 251, MTU 247, CI 15 ms, encrypted: 1064+150+44+150 = 1408 us, ~10 per
// event, ~163 kB/s (~1.30 Mbit/s).
TEST(BleLinkLimitTest, Row2mDle) {
  const BleLinkLimit limit = ModelLinkLimit(Row(BlePhy::k2M, 251, 247, 15000, true));
  EXPECT_EQ(limit.data_packet_us, 1064u);
  EXPECT_EQ(limit.empty_packet_us, 44u);
  EXPECT_EQ(limit.exchange_us, 1064u + 150 + 44 + 150);
  EXPECT_EQ(limit.packets_per_event, 10.0);
  EXPECT_EQ(limit.att_payload_per_packet, 244.0);
  EXPECT_EQ(limit.packets_per_write, 1u);
  EXPECT_NEAR(limit.goodput_bytes_per_s, 163e3, 0.005 * 163e3);
  EXPECT_NEAR(limit.goodput_bytes_per_s * 8, 1.30e6, 0.01 * 1.30e6);
  EXPECT_NEAR(limit.goodput_bytes_per_s, 162.7e3, 50);  // docs/ble-link.md
}

// Row 2: 1M PHY, DLE 251, MTU 247, CI 15 ms: 2120+150+80+150 = 2500 us, 5-6 per event,
// ~81-98 kB/s. Six exchanges end exactly at the next anchor, so the model takes 6.
TEST(BleLinkLimitTest, Row1mDle) {
  const BleLinkLimit limit = ModelLinkLimit(Row(BlePhy::k1M, 251, 247, 15000, true));
  EXPECT_EQ(limit.exchange_us, 2120u + 150 + 80 + 150);
  EXPECT_GE(limit.packets_per_event, 5.0);
  EXPECT_LE(limit.packets_per_event, 6.0);
  EXPECT_GE(limit.goodput_bytes_per_s, 81e3);
  EXPECT_LE(limit.goodput_bytes_per_s, 98e3);
  EXPECT_NEAR(limit.goodput_bytes_per_s, 97.6e3, 50);  // docs/ble-link.md
  // A 13.75 ms interval holds only five: the low end of the row.
  const BleLinkLimit five = ModelLinkLimit(Row(BlePhy::k1M, 251, 247, 13750, true));
  EXPECT_EQ(five.packets_per_event, 5.0);
}

// Row 3: 1M PHY, no DLE (27), MTU 23, CI 7.5 ms: ~0.7 ms exchange, 20 B ATT payload, ~16 kB/s.
// The ~16 kB/s needs a 6 packets/event cap: without one, 10 exchanges fit the interval.
TEST(BleLinkLimitTest, Row1mNoDleNeedsASixPacketCap) {
  const BleLinkLimit uncapped = ModelLinkLimit(Row(BlePhy::k1M, 27, 23, 7500, true));
  EXPECT_NEAR(static_cast<double>(uncapped.exchange_us), 700.0, 50.0);
  EXPECT_EQ(uncapped.att_payload_per_packet, 20.0);
  EXPECT_EQ(uncapped.packets_per_event, 10.0);
  EXPECT_EQ(uncapped.exchange_us, 708u);
  EXPECT_NEAR(uncapped.goodput_bytes_per_s, 26.7e3, 50);  // docs/ble-link.md

  const BleLinkLimit capped = ModelLinkLimit(Row(BlePhy::k1M, 27, 23, 7500, true, 6));
  EXPECT_EQ(capped.packets_per_event, 6.0);
  EXPECT_NEAR(capped.goodput_bytes_per_s, 16e3, 0.02 * 16e3);
  // Unencrypted the exchange is 296+150+80+150 = 676 us: still ~0.7 ms.
  EXPECT_EQ(ModelLinkLimit(Row(BlePhy::k1M, 27, 23, 7500, false)).exchange_us, 676u);
}

// Row 4: iOS, CI 15-30 ms, 4-6 packets/event: ~35-50 kB/s (MTU 185 on DLE: 182 B per packet).
TEST(BleLinkLimitTest, RowIos) {
  for (const uint32_t interval : {15000u, 30000u}) {
    for (const uint16_t cap : {4, 6}) {
      const BleLinkLimit limit = ModelLinkLimit(Row(BlePhy::k2M, 251, 185, interval, true, cap));
      EXPECT_EQ(limit.packets_per_event, cap);
      EXPECT_EQ(limit.att_payload_per_packet, 182.0);
      EXPECT_EQ(limit.exchange_us, 1160u);
      if ((interval == 15000 && cap == 4) || (interval == 30000 && cap == 6)) {
        // The row's two ends.
        EXPECT_GE(limit.goodput_bytes_per_s, 35e3) << interval << " " << cap;
        EXPECT_LE(limit.goodput_bytes_per_s, 50e3) << interval << " " << cap;
        // docs/ble-link.md
        EXPECT_NEAR(limit.goodput_bytes_per_s, interval == 15000 ? 48.5e3 : 36.4e3, 50);
      }
    }
  }
  const BleLinkLimit iphone = ModelLinkLimit(FindBleProfile("iphone")->params);
  EXPECT_GE(iphone.goodput_bytes_per_s, 35e3);
  EXPECT_LE(iphone.goodput_bytes_per_s, 50e3);
}

TEST(BleLinkLimitTest, TheFirstThreeProfilesAreTheReferenceRows) {
  EXPECT_EQ(ModelLinkLimit(FindBleProfile("2m-dle")->params).exchange_us, 1408u);
  EXPECT_EQ(ModelLinkLimit(FindBleProfile("1m-dle")->params).exchange_us, 2500u);
  EXPECT_NEAR(ModelLinkLimit(FindBleProfile("1m-no-dle")->params).goodput_bytes_per_s, 16e3,
              0.02 * 16e3);
  EXPECT_STREQ(DefaultBleProfile().name, "2m-dle");
}

// A full write at MTU 517 carries 512 bytes (the longest attribute value, not MTU - 3 = 514):
// over DLE 251 that is 519 L2CAP bytes, packets of 251, 251 and 17; at 2M those exchanges take
// 1408, 1408 and 472 us, and a 7.5 ms event holds 6 of them (two writes, 6576 us; a seventh
// would end at 7984 us).
TEST(BleLinkLimitTest, FragmentedWritesCountEveryPacket) {
  const BleLinkLimit limit = ModelLinkLimit(FindBleProfile("android-fast")->params);
  EXPECT_EQ(limit.packets_per_write, 3u);
  EXPECT_EQ(limit.packets_per_event, 6.0);
  EXPECT_EQ(limit.exchange_us, 1408u);
  EXPECT_NEAR(limit.goodput_bytes_per_s, 2 * 512 / 0.0075, 1e-6);
  // The same phone with MTU 247 carries more: whole packets only.
  BleLinkParams mtu247 = FindBleProfile("android-fast")->params;
  mtu247.att_mtu = 247;
  EXPECT_GT(ModelLinkLimit(mtu247).goodput_bytes_per_s, limit.goodput_bytes_per_s);
}

TEST(BleLinkLimitTest, ACapAboveWhatFitsChangesNothing) {
  BleLinkParams params = FindBleProfile("2m-dle")->params;
  const double free = ModelLinkLimit(params).goodput_bytes_per_s;
  params.max_packets_per_event = 11;
  EXPECT_EQ(ModelLinkLimit(params).goodput_bytes_per_s, free);
  params.max_packets_per_event = 9;
  EXPECT_NEAR(ModelLinkLimit(params).goodput_bytes_per_s, free * 9 / 10, 1e-6);
}

TEST(BleLinkParamsTest, ProfilesAreValidAndNamedOnce) {
  std::set<std::string> names;
  for (const BleProfile& profile : BleProfiles()) {
    EXPECT_EQ(profile.params.Problem(), "") << profile.name;
    EXPECT_TRUE(profile.params.Validate().ok()) << profile.name;
    EXPECT_GT(std::string(profile.description).size(), 20u);
    EXPECT_TRUE(names.insert(profile.name).second) << profile.name;
    EXPECT_EQ(FindBleProfile(profile.name), &profile);
  }
  for (const char* name :
       {"2m-dle", "1m-dle", "1m-no-dle", "iphone", "android-fast", "nrf-dongle"}) {
    EXPECT_NE(FindBleProfile(name), nullptr) << name;
  }
  EXPECT_EQ(FindBleProfile("2M-DLE"), nullptr);
  EXPECT_EQ(FindBleProfile(""), nullptr);
}

TEST(BleLinkParamsTest, EachBoundIsCheckedWithAClearMessage) {
  const auto problem = [](auto change) {
    BleLinkParams params;
    change(params);
    EXPECT_EQ(params.Validate().ok(), params.Problem().empty());
    return params.Problem();
  };
  EXPECT_EQ(problem([](BleLinkParams&) {}), "");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.max_ll_payload = 26; }),
            "max_ll_payload 26 is out of range (27..251)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.max_ll_payload = 252; }),
            "max_ll_payload 252 is out of range (27..251)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.att_mtu = 22; }),
            "att_mtu 22 is out of range (23..517)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.att_mtu = 518; }),
            "att_mtu 518 is out of range (23..517)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.connection_interval_us = 6250; }),
            "connection_interval_us 6250 is out of range (7500..4000000)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.connection_interval_us = 4001250; }),
            "connection_interval_us 4001250 is out of range (7500..4000000)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.connection_interval_us = 10500; }),
            "connection_interval_us 10500 is not a multiple of 1250 us");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.packet_error_rate_ppm = 1000001; }),
            "packet_error_rate_ppm 1000001 is out of range (0..1000000)");
  EXPECT_EQ(problem([](BleLinkParams& p) {
              p.att_mtu = 517;
              p.central_tx_buffers = 2;
            }),
            "central_tx_buffers 2 is out of range (3..1024) (a full write needs 3)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.peripheral_rx_buffers = 0; }),
            "peripheral_rx_buffers 0 is out of range (1..1024) (a full write needs 1)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.supervision_timeout_us = 90000; }),
            "supervision_timeout_us 90000 is out of range (100000..32000000)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.supervision_timeout_us = 105000; }),
            "supervision_timeout_us 105000 is not a multiple of 10 ms");
  EXPECT_EQ(problem([](BleLinkParams& p) {
              p.connection_interval_us = 100000;
              p.supervision_timeout_us = 200000;
            }),
            "supervision_timeout_us 200000 must exceed two connection intervals (200000 us)");
  EXPECT_EQ(problem([](BleLinkParams& p) { p.phy = static_cast<BlePhy>(7); }),
            "phy must be 1M or 2M");
}

}  // namespace
}  // namespace bleota::sim
