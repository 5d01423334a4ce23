// BleLink in virtual time: throughput of a saturating write stream against ModelLinkLimit for
// every profile, loss and retransmission, flow control both ways, the MTU exchange,
// fragmentation, notifications, disconnects and determinism.
#include <gtest/gtest.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ble_test_support.hpp"
#include "bleota/host/error.hpp"
#include "bleota/simdev/ble_link.hpp"
#include "bleota/simdev/ble_link_limit.hpp"
#include "bleota/simdev/ble_link_params.hpp"

namespace bleota::sim {
namespace {

using testing::ConnectAndExchangeMtu;
using testing::Numbered;
using testing::NumberOf;
using testing::SaturatingStream;
using testing::StreamResult;
using testing::TestPeripheral;

TEST(BleLinkTest, ASaturatingStreamReachesTheModelLimitForEveryProfile) {
  for (const BleProfile& profile : BleProfiles()) {
    BleLink link(profile.params);
    TestPeripheral peripheral;
    link.AttachPeripheral(&peripheral);
    ASSERT_TRUE(ConnectAndExchangeMtu(link));
    ASSERT_EQ(link.att_mtu(), profile.params.att_mtu);
    const StreamResult stream = SaturatingStream(link, 400);
    const BleLinkLimit limit = ModelLinkLimit(profile.params);
    EXPECT_NEAR(stream.bytes_per_s / limit.goodput_bytes_per_s, 1.0, 0.015)
        << profile.name << ": simulated " << stream.bytes_per_s << " B/s, model "
        << limit.goodput_bytes_per_s << " B/s";
    EXPECT_EQ(stream.stats.central_retransmissions, 0u) << profile.name;
    EXPECT_EQ(stream.stats.lost_packets, 0u) << profile.name;
    // Every write arrived whole and in order.
    ASSERT_GE(peripheral.writes.size(), 100u) << profile.name;
    for (size_t i = 0; i < peripheral.writes.size(); ++i) {
      ASSERT_EQ(peripheral.writes[i],
                Numbered(static_cast<uint32_t>(i), smp::AttPayloadSize(link.att_mtu())))
          << profile.name << " write " << i;
    }
  }
}

TEST(BleLinkTest, EventsHoldAsManyExchangesAsTheModelSays) {
  for (const BleProfile& profile : BleProfiles()) {
    BleLink link(profile.params);
    TestPeripheral peripheral;
    link.AttachPeripheral(&peripheral);
    ASSERT_TRUE(ConnectAndExchangeMtu(link));
    const BleLinkStats before = link.stats();
    SaturatingStream(link, 100);
    const BleLinkStats after = link.stats();
    const double per_event =
        static_cast<double>(after.central_data_packets - before.central_data_packets) /
        static_cast<double>(after.events - before.events);
    EXPECT_NEAR(per_event, ModelLinkLimit(profile.params).packets_per_event, 0.05) << profile.name;
    if (profile.params.max_packets_per_event != 0) {
      EXPECT_LE(per_event, profile.params.max_packets_per_event) << profile.name;
    }
  }
}

TEST(BleLinkTest, LossCostsRetransmissionsInProportionAndDeliversEverythingInOrder) {
  for (const uint32_t ppm : {10000u, 50000u}) {
    BleLinkParams params = FindBleProfile("2m-dle")->params;
    params.packet_error_rate_ppm = ppm;
    params.seed = 42;
    BleLink link(params);
    TestPeripheral peripheral;
    link.AttachPeripheral(&peripheral);
    ASSERT_TRUE(ConnectAndExchangeMtu(link));
    const BleLinkStats before = link.stats();
    const StreamResult stream = SaturatingStream(link, 1000);
    const double p = ppm / 1e6;
    // An exchange moves the stream on when both its packets arrive: (1 - p)^2 of them.
    const double success = (1 - p) * (1 - p);
    const double ratio = stream.bytes_per_s / ModelLinkLimit(params).goodput_bytes_per_s;
    EXPECT_NEAR(ratio, success, 0.015) << ppm;
    const double sent =
        static_cast<double>(stream.stats.central_data_packets - before.central_data_packets);
    EXPECT_NEAR(static_cast<double>(stream.stats.central_retransmissions) / sent, 1 - success, 0.01)
        << ppm;
    EXPECT_GT(stream.stats.lost_packets, 0u);
    // Nothing lost, nothing twice, in order.
    ASSERT_GT(peripheral.writes.size(), 1000u);
    for (size_t i = 0; i < peripheral.writes.size(); ++i) {
      ASSERT_EQ(NumberOf(peripheral.writes[i]), i) << ppm;
    }
    // Whatever was queued arrives once the stream stops.
    while (!link.central_tx_idle()) ASSERT_TRUE(link.Step());
    link.RunUntil(link.now_us() + 10 * params.connection_interval_us);
    EXPECT_EQ(peripheral.writes.size(), stream.writes_sent);
  }
}

TEST(BleLinkTest, TheCentralRefusesWritesWhileItsTxBuffersAreFull) {
  BleLinkParams params = FindBleProfile("2m-dle")->params;
  params.central_tx_buffers = 3;
  BleLink link(params);
  TestPeripheral peripheral;
  link.AttachPeripheral(&peripheral);
  ASSERT_TRUE(ConnectAndExchangeMtu(link));
  const std::vector<uint8_t> value(244, 1);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(link.TryWrite(value), BleWriteStatus::kQueued);
  EXPECT_EQ(link.central_tx_free(), 0u);
  EXPECT_EQ(link.TryWrite(value), BleWriteStatus::kBuffersFull);
  EXPECT_EQ(link.TryWrite(value), BleWriteStatus::kBuffersFull);
  EXPECT_EQ(link.stats().writes_refused, 2u);
  // Time does not pass by itself: running the link frees them.
  const uint64_t at = link.now_us();
  ASSERT_TRUE(link.Step());
  EXPECT_GT(link.now_us(), at);
  EXPECT_GT(link.central_tx_free(), 0u);
  EXPECT_EQ(link.TryWrite(value), BleWriteStatus::kQueued);
  EXPECT_EQ(link.TryWrite(std::vector<uint8_t>(245, 1)), BleWriteStatus::kTooLong);
}

TEST(BleLinkTest, ABusyPeripheralNaksAndTheCentralSendsAgain) {
  BleLinkParams params = FindBleProfile("2m-dle")->params;
  params.peripheral_rx_buffers = 4;
  params.central_tx_buffers = 8;
  BleLink link(params);
  TestPeripheral peripheral;
  link.AttachPeripheral(&peripheral);
  ASSERT_TRUE(ConnectAndExchangeMtu(link));
  peripheral.hold = true;
  for (uint32_t i = 0; i < 8; ++i) {
    ASSERT_EQ(link.TryWrite(Numbered(i, 244)), BleWriteStatus::kQueued);
  }
  link.RunUntil(link.now_us() + 3 * params.connection_interval_us);
  const BleLinkStats held = link.stats();
  EXPECT_EQ(held.writes_delivered, 4u);  // the RX buffers' worth
  EXPECT_GT(held.naks, 0u);
  // Each refused packet is sent again (the last one maybe not yet).
  EXPECT_GE(held.naks, held.central_retransmissions);
  EXPECT_LE(held.naks - held.central_retransmissions, 1u);
  EXPECT_EQ(link.central_tx_free(), 4u);  // the refused ones still wait in the central
  // The refused packets took air time: full data exchanges, not polls.
  EXPECT_GE(held.air_us, held.naks * ModelLinkLimit(params).exchange_us);

  peripheral.hold = false;
  link.RunUntil(link.now_us() + 3 * params.connection_interval_us);
  ASSERT_EQ(peripheral.writes.size(), 8u);
  for (uint32_t i = 0; i < 8; ++i) EXPECT_EQ(NumberOf(peripheral.writes[i]), i);
  EXPECT_TRUE(link.central_tx_idle());
}

TEST(BleLinkTest, TheMtuIs23UntilTheExchange) {
  BleLink link(FindBleProfile("1m-dle")->params);
  TestPeripheral peripheral;
  link.AttachPeripheral(&peripheral);
  EXPECT_EQ(link.TryWrite(std::vector<uint8_t>(1, 0)), BleWriteStatus::kNotConnected);
  ASSERT_TRUE(link.Connect().ok());
  EXPECT_EQ(link.Connect().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(peripheral.connects, 1);
  EXPECT_EQ(link.att_mtu(), 23);
  EXPECT_FALSE(link.mtu_exchanged());
  EXPECT_EQ(link.TryWrite(std::vector<uint8_t>(21, 0)), BleWriteStatus::kTooLong);
  EXPECT_EQ(link.TryWrite(std::vector<uint8_t>(20, 0)), BleWriteStatus::kQueued);
  const uint64_t start = link.now_us();
  while (!link.mtu_exchanged()) ASSERT_TRUE(link.Step());
  EXPECT_EQ(peripheral.mtu, 247);
  EXPECT_EQ(link.att_mtu(), 247);
  // The first event one interval after the connect; the request in its first exchange, the
  // response (the peripheral's ATT layer answers at once) in the next one.
  EXPECT_GE(link.now_us() - start, uint64_t{15000});
  EXPECT_LT(link.now_us() - start, uint64_t{2 * 15000});
  EXPECT_EQ(link.TryWrite(std::vector<uint8_t>(244, 0)), BleWriteStatus::kQueued);
}

TEST(BleLinkTest, NotificationsRideInThePeripheralsPacketsFromTheirReadyTime) {
  BleLinkParams params = FindBleProfile("1m-dle")->params;
  BleLink link(params);
  TestPeripheral peripheral;
  link.AttachPeripheral(&peripheral);
  ASSERT_TRUE(ConnectAndExchangeMtu(link));
  const uint64_t ready_at = link.now_us() + 40000;
  EXPECT_FALSE(link.Notify(std::vector<uint8_t>(245, 0), ready_at));  // > att_mtu - 3
  ASSERT_TRUE(link.Notify(Numbered(1, 100), ready_at));
  ASSERT_TRUE(link.Notify(Numbered(2, 244), ready_at));
  EXPECT_FALSE(link.peripheral_tx_idle());
  link.RunUntil(ready_at);
  EXPECT_FALSE(link.has_notification());
  const BleLinkStats before = link.stats();
  link.RunUntil(ready_at + 2 * params.connection_interval_us);
  ASSERT_TRUE(link.has_notification());
  EXPECT_EQ(NumberOf(*link.TakeNotification()), 1u);
  EXPECT_EQ(NumberOf(*link.TakeNotification()), 2u);
  EXPECT_FALSE(link.TakeNotification());
  const BleLinkStats after = link.stats();
  EXPECT_EQ(after.notifications_delivered - before.notifications_delivered, 2u);
  EXPECT_EQ(after.notification_bytes - before.notification_bytes, 344u);
  // Air time: the peripheral's packets were as long as their data (107 and 251 LL bytes).
  const uint64_t polls = after.exchanges - before.exchanges - 2;
  const uint64_t empty_exchange = 80 + 150 + 80 + 150;
  EXPECT_EQ(after.air_us - before.air_us,
            polls * empty_exchange + (80 + 150 + BlePacketAirUs(BlePhy::k1M, 107, true) + 150) +
                (80 + 150 + BlePacketAirUs(BlePhy::k1M, 251, true) + 150));
  EXPECT_TRUE(link.peripheral_tx_idle());
}

// 1M DLE at 15 ms: six 2500 us exchanges fill the event exactly. A notification queued before
// the sixth would make it run past the next anchor: the peripheral answers empty and sends the
// notification first thing in the next event.
TEST(BleLinkTest, APeripheralKeepsDataThatWouldOverrunTheEventForTheNextOne) {
  const BleLinkParams params = FindBleProfile("1m-dle")->params;
  BleLink link(params);
  TestPeripheral peripheral;
  link.AttachPeripheral(&peripheral);
  ASSERT_TRUE(ConnectAndExchangeMtu(link));
  uint32_t number = 0;
  const auto fill = [&] {
    while (link.TryWrite(Numbered(number, 244)) == BleWriteStatus::kQueued) ++number;
  };
  fill();
  const uint64_t events = link.stats().events;
  while (link.stats().events == events) {
    fill();
    ASSERT_TRUE(link.Step());
  }
  const uint64_t anchor = link.now_us() - 2500;  // the event's first exchange is done
  for (int i = 0; i < 4; ++i) {
    fill();
    ASSERT_TRUE(link.Step());
  }
  ASSERT_EQ(link.now_us(), anchor + 5 * 2500);
  ASSERT_TRUE(link.Notify(Numbered(500, 20), link.now_us()));
  fill();
  ASSERT_TRUE(link.Step());
  EXPECT_EQ(link.now_us(), anchor + 15000);  // the sixth exchange, with an empty answer
  EXPECT_EQ(link.stats().notifications_delivered, 0u);
  fill();
  ASSERT_TRUE(link.Step());  // closes the event
  fill();
  ASSERT_TRUE(link.Step());  // the next event's first exchange
  EXPECT_EQ(link.stats().events, events + 2);
  EXPECT_EQ(link.now_us(), anchor + 15000 + 2500 + BlePacketAirUs(BlePhy::k1M, 27, true) - 80);
  ASSERT_TRUE(link.has_notification());
  EXPECT_EQ(NumberOf(*link.TakeNotification()), 500u);
}

TEST(BleLinkTest, LargeWritesAndNotificationsAreFragmentedAndRebuilt) {
  BleLinkParams params = FindBleProfile("android-fast")->params;  // MTU 517 over LL 251
  BleLink link(params);
  TestPeripheral peripheral;
  link.AttachPeripheral(&peripheral);
  ASSERT_TRUE(ConnectAndExchangeMtu(link));
  const BleLinkStats before = link.stats();
  // ATT_MTU - 3 would be 514, but an attribute value is at most 512 bytes.
  EXPECT_EQ(link.TryWrite(Numbered(6, 513)), BleWriteStatus::kTooLong);
  EXPECT_FALSE(link.Notify(Numbered(6, 513), link.now_us()));
  ASSERT_EQ(link.TryWrite(Numbered(7, 512)), BleWriteStatus::kQueued);
  ASSERT_TRUE(link.Notify(Numbered(8, 512), link.now_us()));
  link.RunUntil(link.now_us() + 2 * params.connection_interval_us);
  ASSERT_EQ(peripheral.writes.size(), 1u);
  EXPECT_EQ(peripheral.writes[0], Numbered(7, 512));
  EXPECT_EQ(*link.TakeNotification(), Numbered(8, 512));
  EXPECT_EQ(link.stats().central_data_packets - before.central_data_packets, 3u);
  EXPECT_EQ(link.stats().peripheral_data_packets - before.peripheral_data_packets, 3u);
}

TEST(BleLinkTest, ADisconnectDropsWhatIsInFlight) {
  BleLinkParams params = FindBleProfile("2m-dle")->params;
  params.central_tx_buffers = 40;
  BleLink link(params);
  TestPeripheral peripheral;
  link.AttachPeripheral(&peripheral);
  ASSERT_TRUE(ConnectAndExchangeMtu(link));
  for (uint32_t i = 0; i < 30; ++i)
    ASSERT_EQ(link.TryWrite(Numbered(i, 244)), BleWriteStatus::kQueued);
  ASSERT_TRUE(link.Notify(Numbered(99, 50), link.now_us() + 100000));
  link.RunUntil(link.now_us() + params.connection_interval_us + 1);
  const size_t delivered = peripheral.writes.size();
  EXPECT_GT(delivered, 0u);
  EXPECT_LT(delivered, 30u);
  link.Disconnect(BleDisconnectReason::kCentral);
  EXPECT_FALSE(link.connected());
  EXPECT_EQ(link.last_disconnect(), BleDisconnectReason::kCentral);
  ASSERT_EQ(peripheral.disconnects.size(), 1u);
  EXPECT_EQ(peripheral.disconnects[0], BleDisconnectReason::kCentral);
  EXPECT_EQ(link.TryWrite(Numbered(0, 20)), BleWriteStatus::kNotConnected);
  EXPECT_FALSE(link.Notify(Numbered(0, 20), link.now_us()));
  EXPECT_FALSE(link.Step());
  link.RunUntil(link.now_us() + 1000000);  // time passes, nothing moves
  EXPECT_EQ(peripheral.writes.size(), delivered);
  EXPECT_FALSE(link.has_notification());

  // A new connection starts clean: MTU 23 again, nothing of the old one.
  ASSERT_TRUE(link.Connect().ok());
  EXPECT_EQ(link.att_mtu(), 23);
  EXPECT_TRUE(link.peripheral_tx_idle());
  EXPECT_EQ(link.central_tx_free(), 40u - 1);  // only the MTU request
  while (!link.mtu_exchanged()) ASSERT_TRUE(link.Step());
  EXPECT_TRUE(link.central_tx_idle());
  ASSERT_EQ(link.TryWrite(Numbered(1000, 244)), BleWriteStatus::kQueued);
  link.RunUntil(link.now_us() + params.connection_interval_us + 1);
  ASSERT_EQ(peripheral.writes.size(), delivered + 1);
  EXPECT_EQ(NumberOf(peripheral.writes.back()), 1000u);
  EXPECT_EQ(link.stats().connections, 2u);
}

TEST(BleLinkTest, ALinkThatLosesEverythingEndsAtTheSupervisionTimeout) {
  BleLinkParams params = FindBleProfile("2m-dle")->params;
  params.supervision_timeout_us = 500000;
  BleLink link(params);
  TestPeripheral peripheral;
  link.AttachPeripheral(&peripheral);
  const uint64_t connected_at = link.now_us();
  ASSERT_TRUE(ConnectAndExchangeMtu(link));
  const uint64_t last_good = link.now_us();
  link.SetPacketErrorRate(kBleMaxPacketErrorRatePpm);
  const uint64_t events_before = link.stats().events;
  link.RunUntil(last_good + 2000000);
  EXPECT_FALSE(link.connected());
  EXPECT_EQ(link.last_disconnect(), BleDisconnectReason::kSupervisionTimeout);
  ASSERT_EQ(peripheral.disconnects.size(), 1u);
  // About timeout / interval events, each closed after its first exchange (two lost packets).
  const uint64_t events = link.stats().events - events_before;
  EXPECT_GE(events, 500000u / 15000 - 1);
  EXPECT_LE(events, 500000u / 15000 + 2);
  EXPECT_GE(link.stats().connected_us, last_good - connected_at + 500000);
  EXPECT_LE(link.stats().connected_us, last_good - connected_at + 500000 + 2 * 15000);
}

TEST(BleLinkTest, TheSameSeedGivesTheSameRunAndAnotherSeedAnother) {
  const auto run = [](uint64_t seed) {
    BleLinkParams params = FindBleProfile("1m-dle")->params;
    params.packet_error_rate_ppm = 30000;
    params.seed = seed;
    BleLink link(params);
    TestPeripheral peripheral;
    link.AttachPeripheral(&peripheral);
    EXPECT_TRUE(ConnectAndExchangeMtu(link));
    SaturatingStream(link, 200);
    return link.stats();
  };
  const BleLinkStats a = run(5);
  const BleLinkStats b = run(5);
  const BleLinkStats c = run(6);
  EXPECT_EQ(a.lost_packets, b.lost_packets);
  EXPECT_EQ(a.central_retransmissions, b.central_retransmissions);
  EXPECT_EQ(a.write_bytes, b.write_bytes);
  EXPECT_EQ(a.exchanges, b.exchanges);
  EXPECT_EQ(a.air_us, b.air_us);
  EXPECT_NE(a.lost_packets, c.lost_packets);
}

TEST(BleLinkTest, InvalidParametersAreRefused) {
  BleLinkParams params;
  params.att_mtu = 600;
  try {
    BleLink link(params);
    FAIL() << "accepted";
  } catch (const host::HostError& error) {
    EXPECT_EQ(error.code(), host::ExitCode::kUsage);
    EXPECT_NE(std::string(error.what()).find("att_mtu 600 is out of range"), std::string::npos);
  }
}

}  // namespace
}  // namespace bleota::sim
