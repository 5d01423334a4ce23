// Image upload (group 1, command 1) on a simulated device: chunk order, resume, early refusals,
// erase-ahead wear, end-of-upload checks, and resume across a device reset.
#include <gtest/gtest.h>

#include <algorithm>

#include "bleota/smp/image_group.hpp"
#include "image_group_fixture.hpp"

namespace bleota::smp::testing {
namespace {

int Rc(ImageRc rc) { return static_cast<int>(rc); }

std::vector<uint8_t> V1() { return MakeImage({.major = 1, .seed = 1}); }

// Erases per sector of the secondary slot (index relative to the slot) since `before`.
std::vector<uint32_t> SecondaryErases(ImageGroupHarness& h, const std::vector<uint32_t>& before) {
  const auto& counts = h.device().soc().sim_flash().erase_counts();
  const FlashGeometry& geometry = h.device().soc().sim_flash().geometry();
  const uint32_t first = geometry.SectorAt(h.device().spec().secondary_offset)->index;
  const uint32_t end = geometry.SectorAt(h.device().spec().swap_offset)->index;
  std::vector<uint32_t> erases;
  for (uint32_t i = first; i < end; ++i) erases.push_back(counts[i] - before[i]);
  return erases;
}

class UploadLayoutTest : public ::testing::TestWithParam<LayoutSpec> {};

TEST_P(UploadLayoutTest, InOrderUploadWritesTheImageAndErasesEachSectorOnce) {
  ImageGroupHarness h(GetParam());
  h.BootWith(V1());
  // Several sectors, and less than half the slot (nrf51: 8 KiB slots of 1 KiB sectors).
  const uint32_t payload = std::min<uint32_t>(9000, GetParam().slot_size / 2);
  auto v2 = MakeImage({.major = 2, .payload_size = payload, .seed = 2});
  const std::vector<uint32_t> before = h.device().soc().sim_flash().erase_counts();
  Reply last = h.UploadAll(v2, 173);  // odd chunks: staging and alignment are exercised
  ASSERT_TRUE(last.ok()) << last.group_rc();
  EXPECT_EQ(last.Get("match")->type, CborType::kTrue);
  EXPECT_EQ(Reply::Keys(last.body), (std::vector<std::string>{"off", "match"}));

  std::vector<uint8_t> stored(v2.size());
  ASSERT_TRUE(h.secondary().Read(0, stored).ok());
  EXPECT_EQ(stored, v2);
  const uint32_t sector_size = h.geometry().sector_size();
  const uint32_t used = (static_cast<uint32_t>(v2.size()) + sector_size - 1) / sector_size;
  std::vector<uint32_t> erases = SecondaryErases(h, before);
  for (uint32_t i = 0; i < erases.size(); ++i) {
    EXPECT_EQ(erases[i], i < used ? 1u : 0u) << "sector " << i;
  }
  // Installs through the bootloader.
  ASSERT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}, {"confirm", Bool(true)}}).ok());
  EXPECT_EQ(h.Reboot().version.major, 2);
}

std::vector<LayoutSpec> Layouts() {
  std::vector<LayoutSpec> layouts = boot::testing::SmallLayouts();
  layouts.push_back(boot::testing::WithAlign(Nrf52840(), 16));
  return layouts;
}

INSTANTIATE_TEST_SUITE_P(Layouts, UploadLayoutTest, ::testing::ValuesIn(Layouts()),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

TEST(ImageUploadTest, WrongOffsetsAreAnsweredWithTheExpectedOffset) {
  ImageGroupHarness h(Nrf52840());
  h.BootWith(V1());
  auto v2 = MakeImage({.major = 2, .payload_size = 3000, .seed = 2});
  // No upload open: any continuation is told to start at 0.
  EXPECT_EQ(h.UploadChunk(v2, 100, 100).off(), 0u);
  Reply first = h.UploadFirst(v2, 100);
  ASSERT_EQ(first.off(), 100u);
  EXPECT_EQ(Reply::Keys(first.body), std::vector<std::string>{"off"});  // no "rc": 0
  EXPECT_EQ(h.UploadChunk(v2, 300, 100).off(), 100u);                   // ahead: dropped
  ASSERT_EQ(h.UploadChunk(v2, 100, 100).off(), 200u);
  EXPECT_EQ(h.UploadChunk(v2, 100, 100).off(), 200u);  // duplicate: dropped
  Reply empty = h.Upload({{"off", Uint(200)}, {"data", Bytes({})}});
  EXPECT_EQ(empty.off(), 200u);
  // Past len: overrun, and the session is gone.
  Reply overrun =
      h.Upload({{"off", Uint(200)}, {"data", Bytes(std::vector<uint8_t>(v2.size(), 0))}});
  EXPECT_EQ(overrun.group_rc(), Rc(ImageRc::kInvalidImageDataOverrun));
  EXPECT_EQ(h.UploadChunk(v2, 200, 100).off(), 0u);
  // Missing off; first chunk without len; first chunk shorter than a header; long sha.
  EXPECT_EQ(h.Upload({{"data", Bytes({1})}}).group_rc(), Rc(ImageRc::kInvalidOffset));
  EXPECT_EQ(h.Upload({{"off", Uint(0)}, {"data", Bytes({v2.begin(), v2.begin() + 64})}}).group_rc(),
            Rc(ImageRc::kInvalidLength));
  EXPECT_EQ(h.Upload({{"off", Uint(0)},
                      {"data", Bytes({v2.begin(), v2.begin() + 31})},
                      {"len", Uint(v2.size())}})
                .group_rc(),
            Rc(ImageRc::kInvalidImageHeader));
  EXPECT_EQ(h.Upload({{"off", Uint(0)},
                      {"data", Bytes({v2.begin(), v2.begin() + 64})},
                      {"len", Uint(v2.size())},
                      {"sha", Bytes(std::vector<uint8_t>(33, 0))}})
                .group_rc(),
            Rc(ImageRc::kInvalidHash));
  // Type errors are generic.
  EXPECT_EQ(h.Upload({{"off", Text("0")}}).outcome.rc(), static_cast<uint16_t>(SmpRc::kInvalid));
}

TEST(ImageUploadTest, ResumesAfterADisconnectAndRestartsForAnotherImage) {
  ImageGroupHarness h(Nrf52840());
  h.BootWith(V1());
  auto v2 = MakeImage({.major = 2, .payload_size = 9000, .seed = 2});
  auto v3 = MakeImage({.major = 3, .payload_size = 9000, .seed = 3});
  ASSERT_EQ(h.UploadFirst(v2, 500).off(), 500u);
  ASSERT_EQ(h.UploadChunk(v2, 500, 500).off(), 1000u);
  EXPECT_EQ(h.Slots().size(), 1u);  // half written: not an image yet
  // The client reconnects and starts over with the same len and sha: it is told to go on at 1000.
  Reply again = h.UploadFirst(v2, 500);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again.off(), 1000u);
  // The same sha with another len is another upload.
  std::vector<uint8_t> longer = v2;
  longer.resize(v2.size() + 16, 0x00);  // unlike the erased bytes after v2 in the slot
  Reply other_len = h.Upload({{"off", Uint(0)},
                              {"data", Bytes({v2.begin(), v2.begin() + 500})},
                              {"len", Uint(longer.size())},
                              {"sha", Bytes(Sha256Of(v2))}});
  EXPECT_EQ(other_len.off(), 500u);
  // Back to v2 from scratch, resumed halfway, to its end.
  ASSERT_EQ(h.UploadFirst(v2, 500).off(), 500u);
  ASSERT_EQ(h.UploadFirst(v2, 500).off(), 500u);
  Reply last = h.UploadAll(v2, 500, 500);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.Get("match")->type, CborType::kTrue);

  ASSERT_EQ(h.Slots().size(), 2u);
  // Once complete, the same first chunk finds the whole upload in the slot (a client whose last
  // reply was lost): done at once, nothing written.
  const std::vector<uint32_t> erases = h.device().soc().sim_flash().erase_counts();
  Reply done = h.UploadFirst(v2, 500);
  ASSERT_TRUE(done.ok());
  EXPECT_EQ(done.off(), v2.size());
  EXPECT_EQ(done.Get("match")->type, CborType::kTrue);
  EXPECT_EQ(h.device().soc().sim_flash().erase_counts(), erases);
  EXPECT_FALSE(h.group().uploader().in_progress());
  // Another upload whose first bytes are the same: while it is open the slot is not listed,
  // although its end still holds the complete older image.
  Reply other = h.Upload({{"off", Uint(0)},
                          {"data", Bytes({v2.begin(), v2.begin() + 500})},
                          {"len", Uint(longer.size())},
                          {"sha", Bytes(Sha256Of(longer))}});
  ASSERT_EQ(other.off(), 500u);
  EXPECT_EQ(h.Slots().size(), 1u);
  // A different image restarts at 0.
  ASSERT_EQ(h.UploadFirst(v3, 500).off(), 500u);
  EXPECT_EQ(h.UploadFirst(v2, 500).off(), 500u);  // v2 again: a new upload replaces v3's
  last = h.UploadAll(v2, 500, 500);
  ASSERT_TRUE(last.ok()) << last.group_rc();
  EXPECT_EQ(h.Slots()[1].hash, HashOf(v2));
}

TEST(ImageUploadTest, MatchIsFalseWhenTheShaDoesNotDescribeTheUploadAndAbsentWithoutSha) {
  ImageGroupHarness h(Nrf52840());
  h.BootWith(V1());
  auto v2 = MakeImage({.major = 2, .seed = 2});
  std::vector<uint8_t> wrong_sha = Sha256Of(v2);
  wrong_sha[0] ^= 1;
  Reply first = h.Upload({{"off", Uint(0)},
                          {"data", Bytes({v2.begin(), v2.begin() + 200})},
                          {"len", Uint(v2.size())},
                          {"sha", Bytes(wrong_sha)}});
  ASSERT_TRUE(first.ok());
  Reply last = h.UploadAll(v2, 200, 200);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last.Get("match")->type, CborType::kFalse);

  // mcumgr-web style without image/upgrade, and here without sha: no match field.
  Reply no_sha = h.Upload({{"data", Bytes({v2.begin(), v2.begin() + 200})},
                           {"off", Uint(0)},
                           {"len", Uint(v2.size())}});
  ASSERT_TRUE(no_sha.ok());
  last = h.UploadAll(v2, 200, 200);
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(Reply::Keys(last.body), (std::vector<std::string>{"off"}));
}

// A refused upload: the error rc, the running image and boot state untouched, nothing listed.
void ExpectRefused(ImageGroupHarness& h, const std::vector<uint8_t>& image, ImageRc rc,
                   bool upgrade = false, size_t chunk = 200) {
  const std::vector<uint8_t> primary = h.PrimaryBytes();
  const boot::BootState state = *h.BootState();
  Reply reply = h.UploadFirst(image, chunk, upgrade);
  size_t off = 0;
  while (reply.ok() && reply.off() < image.size()) {
    off = reply.off();
    reply = h.UploadChunk(image, off, chunk);
  }
  EXPECT_EQ(reply.group_rc(), Rc(rc));
  EXPECT_EQ(h.PrimaryBytes(), primary);
  EXPECT_EQ(*h.BootState(), state);
  EXPECT_EQ(h.Slots().size(), 1u);
  EXPECT_FALSE(h.group().uploader().in_progress());
  EXPECT_EQ(h.StateWrite({{"hash", Bytes(HashOf(image))}}).group_rc(), Rc(ImageRc::kHashNotFound));
}

TEST(ImageUploadTest, RefusesWhatTheBootloaderWouldNeverBootEarly) {
  ImageGroupHarness h(Nrf52840());
  auto v5 = MakeImage({.major = 5, .seed = 1, .security_counter = 4});
  h.BootWith(v5);
  ASSERT_TRUE(h.StateWrite({{"confirm", Bool(true)}}).ok());
  h.Reboot();  // confirmed: the counter rises to 4
  const std::vector<uint32_t> before = h.device().soc().sim_flash().erase_counts();

  // Larger than the slot can hold: nothing is erased.
  auto good = MakeImage({.major = 6, .seed = 2, .security_counter = 4});
  Reply big = h.Upload({{"off", Uint(0)},
                        {"data", Bytes({good.begin(), good.begin() + 200})},
                        {"len", Uint(h.geometry().max_image_size() + 1)},
                        {"sha", Bytes(Sha256Of(good))}});
  EXPECT_EQ(big.group_rc(), Rc(ImageRc::kInvalidImageTooLarge));

  std::vector<uint8_t> bad_magic = good;
  bad_magic[0] ^= 0xFF;
  ExpectRefused(h, bad_magic, ImageRc::kInvalidImageHeaderMagic);

  std::vector<uint8_t> bad_sizes = good;
  StoreLe32(&bad_sizes[12], static_cast<uint32_t>(good.size()));  // img_size past len
  ExpectRefused(h, bad_sizes, ImageRc::kInvalidImageHeader);

  std::vector<uint8_t> compressed = good;
  StoreLe32(&compressed[16], image::kFlagCompressedLzma2);
  ExpectRefused(h, compressed, ImageRc::kInvalidImageVectorTable);
  std::vector<uint8_t> ram_load = good;
  StoreLe32(&ram_load[16], image::kFlagRamLoad);
  ExpectRefused(h, ram_load, ImageRc::kInvalidImageVectorTable);
  EXPECT_EQ(SecondaryErases(h, before), std::vector<uint32_t>(SecondaryErases(h, before).size()));

  // Refusals that need the TLVs come when they arrive (at the end of these images).
  ExpectRefused(h, MakeImage({.major = 7, .seed = 3, .security_counter = 3}),
                ImageRc::kImageConfirmationDenied);
  boot::testing::ImageSpec foreign{.major = 7, .seed = 4, .security_counter = 4};
  const host::PrivateKey other = host::GenerateKey(host::KeyType::kEcdsaP256);
  foreign.signer = &other;
  ExpectRefused(h, MakeImage(foreign), ImageRc::kHashNotFound);

  // upgrade=true: only newer versions (major.minor.revision, as Zephyr compares).
  ExpectRefused(h, MakeImage({.major = 5, .seed = 5, .security_counter = 4}),
                ImageRc::kCurrentVersionIsNewer, /*upgrade=*/true);
  ExpectRefused(h, MakeImage({.major = 4, .seed = 5, .security_counter = 4}),
                ImageRc::kCurrentVersionIsNewer, /*upgrade=*/true);
  Reply newer = h.UploadFirst(good, 200, /*upgrade=*/true);
  EXPECT_TRUE(newer.ok()) << newer.group_rc();
  EXPECT_TRUE(h.UploadAll(good, 200, 200).ok());
}

TEST(ImageUploadTest, BadSignatureAtTheEndIsAnErrorAndTheImageIsGone) {
  ImageGroupHarness h(Nrf52840());
  h.BootWith(V1());
  auto v2 = MakeImage({.major = 2, .payload_size = 6000, .seed = 2});
  v2[v2.size() - 10] ^= 0x01;  // inside the ECDSA signature (the last TLV)
  const boot::BootState state = *h.BootState();
  Reply last = h.UploadAll(v2, 256);
  EXPECT_EQ(last.group_rc(), Rc(ImageRc::kInvalidHash));
  EXPECT_EQ(h.Slots().size(), 1u);
  EXPECT_EQ(*h.BootState(), state);
  EXPECT_EQ(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).group_rc(), Rc(ImageRc::kHashNotFound));
  // The next boot runs the old image.
  EXPECT_EQ(h.Reboot().version.major, 1);
}

TEST(ImageUploadTest, UploadWhileAnInstallIsPendingIsRefused) {
  ImageGroupHarness h(Nrf52840());
  h.BootWith(V1());
  auto v2 = MakeImage({.major = 2, .seed = 2});
  ASSERT_TRUE(h.UploadAll(v2).ok());
  ASSERT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).ok());
  EXPECT_EQ(h.UploadFirst(MakeImage({.major = 3, .seed = 3}), 200).group_rc(),
            Rc(ImageRc::kNoFreeSlot));
  EXPECT_TRUE(h.Slots()[1].pending);
  EXPECT_EQ(h.UploadFirst(v2, 200, false).group_rc(), Rc(ImageRc::kNoFreeSlot));
  // image 1 does not exist.
  ImageGroupHarness fresh(Nrf52840());
  fresh.BootWith(V1());
  Reply other_image = fresh.Upload({{"off", Uint(0)},
                                    {"data", Bytes({v2.begin(), v2.begin() + 200})},
                                    {"image", Uint(1)},
                                    {"len", Uint(v2.size())}});
  EXPECT_EQ(other_image.group_rc(), Rc(ImageRc::kInvalidSlot));
}

TEST(ImageUploadTest, EncryptedImageIsCheckedWithoutKeysByTheAppAndInFullInOtaMode) {
  for (bool ota : {false, true}) {
    SCOPED_TRACE(ota ? "ota mode" : "application");
    ImageGroupHarness h(Nrf52840(), {.ota_mode = ota});
    h.BootWith(V1());
    auto v2 = MakeImage({.major = 2, .payload_size = 7000, .seed = 2, .encrypted = true});
    Reply last = h.UploadAll(v2, 240);
    ASSERT_TRUE(last.ok()) << last.group_rc();
    ASSERT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).ok());
    boot::BootDecision d = h.Reboot();
    EXPECT_EQ(d.reason, boot::BootReason::kInstalled);
    EXPECT_EQ(d.version.major, 2);

    // A corrupted ciphertext: only a device with the image key can tell at upload time.
    ImageGroupHarness h2(Nrf52840(), {.ota_mode = ota});
    h2.BootWith(V1());
    auto bad = MakeImage({.major = 3, .payload_size = 7000, .seed = 3, .encrypted = true});
    bad[0x400] ^= 0x01;
    last = h2.UploadAll(bad, 240);
    if (ota) {
      EXPECT_EQ(last.group_rc(), Rc(ImageRc::kInvalidHash));
    } else {
      ASSERT_TRUE(last.ok());
      ASSERT_TRUE(h2.StateWrite({{"hash", Bytes(HashOf(bad))}}).ok());
      d = h2.Reboot();  // the bootloader's install-time check refuses it
      EXPECT_TRUE(d.refused_pending);
      EXPECT_EQ(d.version.major, 1);
    }

    // A signature that does not match the stated hash: refused with or without the image key.
    ImageGroupHarness h3(Nrf52840(), {.ota_mode = ota});
    h3.BootWith(V1());
    auto forged = MakeImage({.major = 4, .payload_size = 7000, .seed = 4, .encrypted = true});
    MemoryReadable readable(forged);
    Result<image::ImageLayout> layout = image::ParseImageHeader(readable);
    ASSERT_TRUE(layout.ok());
    image::TlvIterator it(readable, *layout, image::TlvArea::kUnprotected);
    image::TlvEntry entry;
    for (Result<bool> more = it.Next(entry); more.ok() && *more; more = it.Next(entry)) {
      if (entry.type == image::kTlvEcdsaSig) forged[entry.value_offset + 10] ^= 0x01;
    }
    EXPECT_EQ(h3.UploadAll(forged, 240).group_rc(), Rc(ImageRc::kInvalidHash));
    EXPECT_EQ(h3.Slots().size(), 1u);
  }
}

TEST(ImageUploadTest, EraseAheadKeepsErasedSectorsAheadButNotPastTheImage) {
  ImageGroupHarness h(Nrf52840(), {.erase_ahead = 2});
  h.BootWith(V1());
  auto v2 = MakeImage({.major = 2, .payload_size = 12000, .seed = 2});  // 4 sectors of 4 KiB
  const std::vector<uint32_t> before = h.device().soc().sim_flash().erase_counts();
  ASSERT_EQ(h.UploadFirst(v2, 100).off(), 100u);
  // After the first request: one erase (at most one per request).
  std::vector<uint32_t> erases = SecondaryErases(h, before);
  EXPECT_EQ(erases[0], 1u);
  EXPECT_EQ(std::count(erases.begin(), erases.end(), 1u), 1);
  size_t off = 100;
  for (int i = 0; i < 5; ++i) off = h.UploadChunk(v2, off, 100).off();
  // Two sectors ahead of the one being written, and nothing beyond.
  erases = SecondaryErases(h, before);
  EXPECT_EQ(std::count(erases.begin(), erases.end(), 1u), 3);
  ASSERT_TRUE(h.UploadAll(v2, 100, off).ok());
  erases = SecondaryErases(h, before);
  EXPECT_EQ(std::count(erases.begin(), erases.end(), 1u), 4);
  EXPECT_EQ(*std::max_element(erases.begin(), erases.end()), 1u);
}

TEST(ImageUploadTest, ResumesAfterADeviceResetFromTheLastWholeSector) {
  ImageGroupHarness h(Nrf52840(), {.upload_store = true});
  h.BootWith(V1());
  auto v2 = MakeImage({.major = 2, .payload_size = 14000, .seed = 2});
  Reply reply = h.UploadFirst(v2, 300);
  size_t off = reply.off();
  while (off < 9000) off = h.UploadChunk(v2, off, 300).off();
  // Power cycle in the middle: RAM state lost; the store remembers 8 KiB (two whole sectors).
  h.Reboot();
  EXPECT_TRUE(h.group().init_status().ok());
  EXPECT_TRUE(h.group().uploader().in_progress());
  EXPECT_EQ(h.group().uploader().offset(), 8192u);
  EXPECT_EQ(h.UploadChunk(v2, off, 300).off(), 8192u);  // the client is told where to resume
  Reply again = h.UploadFirst(v2, 300);
  ASSERT_EQ(again.off(), 8192u);
  Reply last = h.UploadAll(v2, 300, 8192);
  ASSERT_TRUE(last.ok()) << last.group_rc();
  EXPECT_EQ(last.Get("match")->type, CborType::kTrue);
  // The record is cleared at the end: a later start is a fresh upload.
  h.Reboot();
  EXPECT_FALSE(h.group().uploader().in_progress());
  ASSERT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).ok());
  EXPECT_EQ(h.Reboot().version.major, 2);
}

TEST(ImageUploadTest, PowerCutsDuringAnUploadLeaveTheRunningImageAndTheUploadResumes) {
  auto v1 = V1();
  auto v2 = MakeImage({.major = 2, .payload_size = 14000, .seed = 2});
  uint64_t seed = 1;
  int cuts = 0;
  for (sim::CutMode mode :
       {sim::CutMode::kBefore, sim::CutMode::kProgramPartial, sim::CutMode::kEraseNoise}) {
    for (uint64_t cut : {0u, 1u, 2u, 5u, 9u, 17u, 30u, 44u, 58u}) {
      SCOPED_TRACE(::testing::Message() << "mode " << sim::CutModeName(mode) << " cut " << cut);
      ImageGroupHarness h(Nrf52840(), {.upload_store = true});
      h.BootWith(v1);
      h.ArmPowerCut(cut, mode, ++seed);
      Reply reply = h.UploadFirst(v2, 300);
      size_t off = 0;
      while (reply.ok() && reply.off() < v2.size()) {
        off = reply.off();
        reply = h.UploadChunk(v2, off, 300);
      }
      if (h.device().soc().sim_flash().cut_happened()) {
        EXPECT_FALSE(reply.ok());
        ++cuts;
      }
      boot::BootDecision d = h.PowerCycle();
      ASSERT_EQ(d.action, boot::BootAction::kJumpToApplication);
      EXPECT_EQ(d.version.major, 1);
      EXPECT_TRUE(h.device().PrimaryHolds(v1));
      // The client starts over; the device resumes from what it had made durable.
      Reply first = h.UploadFirst(v2, 300);
      ASSERT_TRUE(first.ok()) << first.group_rc();
      ASSERT_LE(first.off(), v2.size());
      Reply last = first.off() < v2.size() ? h.UploadAll(v2, 300, first.off()) : first;
      ASSERT_TRUE(last.ok()) << last.group_rc();
      ASSERT_NE(last.Get("match"), nullptr);
      EXPECT_EQ(last.Get("match")->type, CborType::kTrue);
      ASSERT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).ok());
      d = h.Reboot();
      EXPECT_EQ(d.reason, boot::BootReason::kInstalled);
      EXPECT_EQ(d.version.major, 2);
    }
  }
  EXPECT_EQ(cuts, 27);  // every cut point lies inside the upload
}

TEST(ImageUploadTest, AStaleUploadRecordIsDroppedAfterTheSlotChanged) {
  ImageGroupHarness h(Nrf52840(), {.upload_store = true});
  h.BootWith(V1());
  auto v2 = MakeImage({.major = 2, .payload_size = 14000, .seed = 2});
  Reply reply = h.UploadFirst(v2, 300);
  size_t off = reply.off();
  while (off < 5000) off = h.UploadChunk(v2, off, 300).off();
  // The app's own code overwrites the slot and requests an install behind the group's back.
  ASSERT_TRUE(h.device().AppOfferUpdate(MakeImage({.major = 3, .seed = 3}), false).ok());
  h.StartGroup();
  EXPECT_FALSE(h.group().uploader().in_progress());
  EXPECT_EQ(h.UploadFirst(v2, 300).group_rc(), Rc(ImageRc::kNoFreeSlot));
}

}  // namespace
}  // namespace bleota::smp::testing
