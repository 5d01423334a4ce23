// The image group through its SMP interface on a simulated device running the real bootloader:
// state read/write across test, confirm, revert and reset; erase; slot info; v1 rc mapping.
#include "bleota/smp/image_group.hpp"

#include <gtest/gtest.h>

#include "bleota/image/tlv.hpp"
#include "image_group_fixture.hpp"

namespace bleota::smp::testing {
namespace {

using boot::BootReason;

int Rc(ImageRc rc) { return static_cast<int>(rc); }

TEST(ImageGroupStateTest, ReadListsTheRunningImageWithExactlyZephyrsFields) {
  ImageGroupHarness h(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  h.BootWith(v1);
  Reply reply = h.StateRead();
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(Reply::Keys(reply.body), (std::vector<std::string>{"images", "splitStatus"}));
  EXPECT_EQ(reply.Get("splitStatus")->argument, 0u);
  const CborValue* images = reply.Get("images");
  ASSERT_EQ(images->items.size(), 1u);
  EXPECT_EQ(Reply::Keys(images->items[0]),
            (std::vector<std::string>{"image", "slot", "version", "hash", "bootable", "pending",
                                      "confirmed", "active", "permanent"}));
  std::vector<SlotState> slots = h.Slots();
  EXPECT_EQ(slots[0].slot, 0u);
  EXPECT_EQ(slots[0].version, "1.0.0");
  EXPECT_EQ(slots[0].hash, HashOf(v1));
  EXPECT_TRUE(slots[0].bootable);
  EXPECT_TRUE(slots[0].active);
  EXPECT_TRUE(slots[0].confirmed);
  EXPECT_FALSE(slots[0].pending);
  EXPECT_FALSE(slots[0].permanent);
}

TEST(ImageGroupStateTest, VersionTextAddsTheBuildOnlyWhenNonZero) {
  char text[kImageVersionTextMax];
  EXPECT_EQ(FormatImageVersion({1, 2, 3, 0}, text), "1.2.3");
  EXPECT_EQ(FormatImageVersion({1, 2, 3, 4}, text), "1.2.3.4");
  EXPECT_EQ(FormatImageVersion({255, 255, 65535, 4294967295u}, text), "255.255.65535.4294967295");
  EXPECT_EQ(FormatImageVersion({0, 0, 0, 0}, text), "0.0.0");
}

TEST(SlotImageInfoTest, ReadsLikeZephyrsReadInfo) {
  auto image = MakeImage({.major = 3, .seed = 9});
  SlotImageInfo info;
  MemoryReadable readable(image);
  ASSERT_EQ(ReadSlotImageInfo(readable, info), ImageRc::kOk);
  EXPECT_EQ(info.version.major, 3);
  EXPECT_EQ(std::vector<uint8_t>(info.hash, info.hash + 32), HashOf(image));

  std::vector<uint8_t> erased(image.size(), 0xFF);
  MemoryReadable erased_slot(erased);
  EXPECT_EQ(ReadSlotImageInfo(erased_slot, info), ImageRc::kNoImage);
  std::vector<uint8_t> garbage = image;
  garbage[1] ^= 0x40;
  MemoryReadable garbage_slot(garbage);
  EXPECT_EQ(ReadSlotImageInfo(garbage_slot, info), ImageRc::kInvalidImageHeaderMagic);

  // Find the unprotected SHA256 TLV and turn it into another type, or duplicate it.
  MemoryReadable original(image);
  Result<image::ImageLayout> layout = image::ParseImageHeader(original);
  ASSERT_TRUE(layout.ok());
  uint32_t sha_at = 0;
  image::TlvIterator it(original, *layout, image::TlvArea::kUnprotected);
  image::TlvEntry entry;
  for (Result<bool> more = it.Next(entry); more.ok() && *more; more = it.Next(entry)) {
    if (entry.type == image::kTlvSha256) sha_at = entry.value_offset - 4;
  }
  ASSERT_NE(sha_at, 0u);
  std::vector<uint8_t> no_hash = image;
  no_hash[sha_at] = 0x13;  // an unknown TLV type now
  MemoryReadable no_hash_slot(no_hash);
  EXPECT_EQ(ReadSlotImageInfo(no_hash_slot, info), ImageRc::kHashNotFound);
  std::vector<uint8_t> two_hashes = image;
  const std::vector<uint8_t> sha_tlv(image.begin() + sha_at, image.begin() + sha_at + 36);
  two_hashes.insert(two_hashes.begin() + sha_at, sha_tlv.begin(), sha_tlv.end());
  StoreLe16(&two_hashes[layout->tlv_offset + 2], static_cast<uint16_t>(layout->tlv_size + 36));
  MemoryReadable two_hashes_slot(two_hashes);
  EXPECT_EQ(ReadSlotImageInfo(two_hashes_slot, info), ImageRc::kTlvMultipleHashesFound);
  std::vector<uint8_t> bad_tlv_magic = image;
  bad_tlv_magic[layout->tlv_offset] ^= 0x01;
  MemoryReadable bad_tlv_slot(bad_tlv_magic);
  EXPECT_EQ(ReadSlotImageInfo(bad_tlv_slot, info), ImageRc::kNoTlvs);
}

TEST(ImageGroupStateTest, UploadTestResetConfirmThroughTheBootloader) {
  ImageGroupHarness h(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .payload_size = 9000, .seed = 2});
  h.BootWith(v1);
  Reply last = h.UploadAll(v2);
  ASSERT_TRUE(last.ok()) << last.group_rc();
  EXPECT_EQ(last.off(), v2.size());
  ASSERT_NE(last.Get("match"), nullptr);
  EXPECT_EQ(last.Get("match")->type, CborType::kTrue);

  std::vector<SlotState> slots = h.Slots();
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[1].slot, 1u);
  EXPECT_EQ(slots[1].version, "2.0.0");
  EXPECT_EQ(slots[1].hash, HashOf(v2));
  EXPECT_FALSE(slots[1].pending || slots[1].confirmed || slots[1].active || slots[1].permanent);

  // Test: the reply is the new state read.
  Reply write = h.StateWrite({{"hash", Bytes(HashOf(v2))}, {"confirm", Bool(false)}});
  ASSERT_TRUE(write.ok()) << write.group_rc();
  ASSERT_EQ(write.Get("images")->items.size(), 2u);
  slots = h.Slots();
  EXPECT_TRUE(slots[1].pending);
  EXPECT_FALSE(slots[1].permanent);
  EXPECT_TRUE(slots[0].confirmed && slots[0].active);
  // Asking again for the same test changes nothing (Zephyr: no-op).
  EXPECT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).ok());

  boot::BootDecision d = h.Reboot();
  EXPECT_EQ(d.reason, BootReason::kInstalled);
  EXPECT_TRUE(d.testing);
  slots = h.Slots();
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_EQ(slots[0].version, "2.0.0");
  EXPECT_TRUE(slots[0].active);
  EXPECT_FALSE(slots[0].confirmed);      // under test: a revert is due
  EXPECT_EQ(slots[1].version, "1.0.0");  // the previous image, shifted by the swap
  EXPECT_EQ(slots[1].hash, HashOf(v1));
  EXPECT_TRUE(slots[1].confirmed);
  EXPECT_FALSE(slots[1].pending);

  // Confirm without a hash confirms the running image.
  Reply confirm = h.StateWrite({{"confirm", Bool(true)}});
  ASSERT_TRUE(confirm.ok()) << confirm.group_rc();
  slots = h.Slots();
  EXPECT_TRUE(slots[0].confirmed);
  EXPECT_FALSE(slots[1].confirmed);
  d = h.Reboot();
  EXPECT_EQ(d.reason, BootReason::kPrimaryValid);
  EXPECT_EQ(d.version.major, 2);
  EXPECT_FALSE(d.testing);
}

TEST(ImageGroupStateTest, UnconfirmedImageRevertsAndPermanentInstallNeedsNoConfirm) {
  ImageGroupHarness h(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  auto v3 = MakeImage({.major = 3, .seed = 3});
  h.BootWith(v1);
  ASSERT_TRUE(h.UploadAll(v2).ok());
  ASSERT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).ok());
  ASSERT_TRUE(h.Reboot().testing);
  // While the new image is tested, the secondary holds the revert image: uploads are refused.
  EXPECT_EQ(h.UploadFirst(v3, 200).group_rc(), Rc(ImageRc::kNoFreeSlot));
  boot::BootDecision d = h.Reboot();  // not confirmed
  EXPECT_EQ(d.reason, BootReason::kReverted);
  EXPECT_EQ(h.Slots()[0].version, "1.0.0");

  ASSERT_TRUE(h.UploadAll(v3).ok());
  Reply perm = h.StateWrite({{"hash", Bytes(HashOf(v3))}, {"confirm", Bool(true)}});
  ASSERT_TRUE(perm.ok()) << perm.group_rc();
  std::vector<SlotState> slots = h.Slots();
  ASSERT_EQ(slots.size(), 2u);
  EXPECT_TRUE(slots[1].pending && slots[1].permanent);
  d = h.Reboot();
  EXPECT_EQ(d.version.major, 3);
  EXPECT_FALSE(d.testing);
  EXPECT_TRUE(h.Slots()[0].confirmed);
}

TEST(ImageGroupStateTest, WriteErrorsAreZephyrs) {
  ImageGroupHarness h(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  h.BootWith(v1);
  // Test without a hash, a hash of the wrong length, an unknown hash.
  EXPECT_EQ(h.StateWrite({{"confirm", Bool(false)}}).group_rc(), Rc(ImageRc::kInvalidHash));
  EXPECT_EQ(h.StateWrite({{"hash", Bytes(std::vector<uint8_t>(31, 1))}}).group_rc(),
            Rc(ImageRc::kInvalidHash));
  EXPECT_EQ(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).group_rc(), Rc(ImageRc::kHashNotFound));
  // Testing the running image.
  EXPECT_EQ(h.StateWrite({{"hash", Bytes(HashOf(v1))}}).group_rc(),
            Rc(ImageRc::kImageSettingTestToActiveDenied));
  // Confirming the running (already confirmed) image by hash: no change.
  EXPECT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v1))}, {"confirm", Bool(true)}}).ok());

  ASSERT_TRUE(h.UploadAll(v2).ok());
  ASSERT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).ok());
  // A test is pending: making it permanent or confirming the running image is refused.
  EXPECT_EQ(h.StateWrite({{"hash", Bytes(HashOf(v2))}, {"confirm", Bool(true)}}).group_rc(),
            Rc(ImageRc::kImageAlreadyPending));
  EXPECT_EQ(h.StateWrite({{"confirm", Bool(true)}}).group_rc(), Rc(ImageRc::kImageAlreadyPending));
  // Malformed requests are generic errors.
  Reply bad = h.Call(kImageCommandState, SmpOp::kWrite, {0x01});
  EXPECT_FALSE(bad.outcome.is_group_error());
  EXPECT_EQ(bad.outcome.rc(), static_cast<uint16_t>(SmpRc::kInvalid));
  Reply wrong_type = h.StateWrite({{"confirm", Uint(1)}});
  EXPECT_EQ(wrong_type.outcome.rc(), static_cast<uint16_t>(SmpRc::kInvalid));
  Reply twice = h.StateWrite({{"confirm", Bool(true)}, {"confirm", Bool(true)}});
  EXPECT_EQ(twice.outcome.rc(), static_cast<uint16_t>(SmpRc::kInvalid));
}

TEST(ImageGroupStateTest, ImageThatFailsVerificationCannotBecomePending) {
  ImageGroupHarness h(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  h.BootWith(v1);
  ASSERT_TRUE(h.UploadAll(v2).ok());
  // Someone corrupts the payload after the upload (or the upload path was bypassed).
  auto& raw = h.device().soc().sim_flash().raw();
  raw[h.device().spec().secondary_offset + 0x300] ^= 0x01;
  EXPECT_EQ(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).group_rc(), Rc(ImageRc::kInvalidHash));
  EXPECT_EQ(h.BootState()->pending, boot::PendingRequest::kNone);
}

TEST(ImageGroupEraseTest, ErasesTheSecondaryUnlessItIsPendingAndRefusesOtherSlots) {
  ImageGroupHarness h(Nrf52840());
  auto v1 = MakeImage({.major = 1, .seed = 1});
  auto v2 = MakeImage({.major = 2, .seed = 2});
  h.BootWith(v1);
  EXPECT_EQ(h.Erase({{"slot", Uint(0)}}).group_rc(), Rc(ImageRc::kNoFreeSlot));
  EXPECT_EQ(h.Erase({{"slot", Uint(2)}}).group_rc(), Rc(ImageRc::kInvalidSlot));

  ASSERT_TRUE(h.UploadAll(v2).ok());
  ASSERT_TRUE(h.StateWrite({{"hash", Bytes(HashOf(v2))}}).ok());
  EXPECT_EQ(h.Erase({}).group_rc(), Rc(ImageRc::kNoFreeSlot));
  EXPECT_EQ(h.Slots().size(), 2u);

  ASSERT_TRUE(h.Reboot().testing);
  EXPECT_EQ(h.Erase({}).group_rc(), Rc(ImageRc::kNoFreeSlot));  // the revert image
  ASSERT_TRUE(h.StateWrite({{"confirm", Bool(true)}}).ok());

  const std::vector<uint32_t> before = h.device().soc().sim_flash().erase_counts();
  Reply erased = h.Erase({});
  ASSERT_TRUE(erased.ok()) << erased.group_rc();
  EXPECT_TRUE(erased.body.items.empty());  // {}
  EXPECT_EQ(h.Slots().size(), 1u);
  std::vector<uint8_t> slot(h.secondary().size());
  ASSERT_TRUE(h.secondary().Read(0, slot).ok());
  EXPECT_EQ(slot, std::vector<uint8_t>(slot.size(), 0xFF));
  // Erasing an erased slot erases nothing.
  const std::vector<uint32_t> after_first = h.device().soc().sim_flash().erase_counts();
  EXPECT_NE(before, after_first);
  ASSERT_TRUE(h.Erase({{"slot", Uint(1)}}).ok());
  EXPECT_EQ(after_first, h.device().soc().sim_flash().erase_counts());
}

TEST(ImageGroupSlotInfoTest, ReportsSlotSizesAndTheMaxImageSize) {
  ImageGroupHarness h(Nrf52840());
  h.BootWith(MakeImage({.major = 1, .seed = 1}));
  Reply reply = h.Call(kImageCommandSlotInfo, SmpOp::kRead, EncodeMap({}));
  ASSERT_TRUE(reply.ok());
  const CborValue* images = reply.Get("images");
  ASSERT_NE(images, nullptr);
  ASSERT_EQ(images->items.size(), 1u);
  const CborValue& image = images->items[0];
  EXPECT_EQ(Reply::Keys(image), (std::vector<std::string>{"image", "slots", "max_image_size"}));
  EXPECT_EQ(Reply::Find(image, "image")->argument, 0u);
  EXPECT_EQ(Reply::Find(image, "max_image_size")->argument, h.geometry().max_image_size());
  const CborValue* slots = Reply::Find(image, "slots");
  ASSERT_EQ(slots->items.size(), 2u);
  EXPECT_EQ(Reply::Keys(slots->items[0]), (std::vector<std::string>{"slot", "size"}));
  EXPECT_EQ(Reply::Keys(slots->items[1]),
            (std::vector<std::string>{"slot", "size", "upload_image_id"}));
  EXPECT_EQ(Reply::Find(slots->items[1], "slot")->argument, 1u);
  EXPECT_EQ(Reply::Find(slots->items[1], "size")->argument, h.device().spec().slot_size);
  EXPECT_EQ(Reply::Find(slots->items[1], "upload_image_id")->argument, 0u);
}

TEST(ImageGroupTest, UnknownCommandsAndOpsAreNotSupported) {
  ImageGroupHarness h(Nrf52840());
  h.BootWith(MakeImage({.major = 1, .seed = 1}));
  for (auto [command, op] :
       std::vector<std::pair<uint8_t, SmpOp>>{{kImageCommandUpload, SmpOp::kRead},
                                              {kImageCommandErase, SmpOp::kRead},
                                              {kImageCommandSlotInfo, SmpOp::kWrite},
                                              {2, SmpOp::kRead},
                                              {7, SmpOp::kWrite}}) {
    Reply reply = h.Call(command, op, EncodeMap({}));
    EXPECT_FALSE(reply.outcome.is_group_error());
    EXPECT_EQ(reply.outcome.rc(), static_cast<uint16_t>(SmpRc::kNotSupported));
  }
  EXPECT_EQ(h.group().group_id(), 1);
}

TEST(ImageGroupTest, V1TranslationIsZephyrs) {
  ImageGroupHarness h(Nrf52840());
  h.BootWith(MakeImage({.major = 1, .seed = 1}));
  const SmpGroup& group = h.group();
  auto v1 = [&](ImageRc rc) { return group.V1Rc(static_cast<uint16_t>(rc)); };
  EXPECT_EQ(v1(ImageRc::kNoImage), SmpRc::kNoEntry);
  EXPECT_EQ(v1(ImageRc::kNoTlvs), SmpRc::kNoEntry);
  EXPECT_EQ(v1(ImageRc::kNoFreeSlot), SmpRc::kBadState);
  EXPECT_EQ(v1(ImageRc::kCurrentVersionIsNewer), SmpRc::kBadState);
  EXPECT_EQ(v1(ImageRc::kImageAlreadyPending), SmpRc::kBadState);
  EXPECT_EQ(v1(ImageRc::kNoFreeMemory), SmpRc::kNoMemory);
  for (ImageRc rc : {ImageRc::kInvalidSlot, ImageRc::kInvalidPageOffset, ImageRc::kInvalidOffset,
                     ImageRc::kInvalidLength, ImageRc::kInvalidImageHeader, ImageRc::kInvalidHash,
                     ImageRc::kInvalidFlashAddress}) {
    EXPECT_EQ(v1(rc), SmpRc::kInvalid) << static_cast<int>(rc);
  }
  for (ImageRc rc : {ImageRc::kUnknown, ImageRc::kHashNotFound, ImageRc::kFlashWriteFailed,
                     ImageRc::kInvalidImageHeaderMagic, ImageRc::kInvalidImageTooLarge,
                     ImageRc::kInvalidImageDataOverrun, ImageRc::kInvalidImageVectorTable,
                     ImageRc::kImageConfirmationDenied, ImageRc::kImageSettingTestToActiveDenied,
                     ImageRc::kInvalidTlv}) {
    EXPECT_EQ(v1(rc), SmpRc::kUnknown) << static_cast<int>(rc);
  }
  EXPECT_EQ(group.V1Rc(200), SmpRc::kUnknown);
}

}  // namespace
}  // namespace bleota::smp::testing
