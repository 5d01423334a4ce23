// libFuzzer target: a sequence of image-group requests (state read/write, upload, erase, slot
// info) against ImageGroup on a small simulated flash (nRF51 geometry: 1 KiB sectors, 8 KiB
// slots, a swap sector), with the imgtool vector keys. Checks properties that must hold for every
// input: replies are one well-formed CBOR map, the primary slot and everything outside the
// secondary, swap and boot state areas are never written, an upload's offset never passes its
// len, and an install is only ever requested for an image that passes the device's checks.
//
// Input: byte 0 = options (bit 0: the device holds the decryption keys, bit 1: 64-byte work
// buffer instead of 256, bit 2: two sectors of erase-ahead, bit 3: the device's security counter
// is 50 instead of 0), then records
// {command u8 (bit 7: write, low bits: index into {0, 1, 5, 6, 2}), length u16 BE, payload}.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "bleota/boot/image_control.hpp"
#include "bleota/boot/slot_geometry.hpp"
#include "bleota/boot/swap_engine.hpp"
#include "bleota/flash_map.hpp"
#include "bleota/sim/flash_profile.hpp"
#include "bleota/sim/sim_flash.hpp"
#include "bleota/smp/cbor_reader.hpp"
#include "bleota/smp/image_group.hpp"
#include "vector_keys.hpp"

namespace bleota::smp {
namespace {

[[noreturn]] void CheckFailed(const char* file, int line, const char* condition) {
  std::fprintf(stderr, "%s:%d: fuzz property violated: %s\n", file, line, condition);
  std::abort();
}

#define FUZZ_CHECK(condition) \
  ((condition) ? static_cast<void>(0) : CheckFailed(__FILE__, __LINE__, #condition))

constexpr uint32_t kBootState = 0x4000, kBootStateSize = 0x800;
constexpr uint32_t kPrimary = 0x8000, kSecondary = 0x10000, kSlotSize = 0x2000;
constexpr uint32_t kSwap = 0x12000, kSwapSize = 0x400;
constexpr uint8_t kCommands[] = {kImageCommandState, kImageCommandUpload, kImageCommandErase,
                                 kImageCommandSlotInfo, 2};

const image::TrustedKey kTrustedKeys[] = {
    {image::KeyAlgorithm::kEcdsaP256, vectors::kSignEcdsaP256Spki},
    {image::KeyAlgorithm::kEd25519, vectors::kSignEd25519Spki},
};

class FixedCounter final : public SecurityCounterSource {
 public:
  explicit FixedCounter(uint32_t value) : value_(value) {}
  Result<uint32_t> ReadSecurityCounter() override { return value_; }

 private:
  uint32_t value_;
};

// A reply is exactly one CBOR map.
void CheckReply(ConstByteSpan reply) {
  CborReader reader(reply);
  Result<CborItem> head = reader.Next();
  FUZZ_CHECK(head.ok() && head->type == CborType::kMap);
  CborReader whole(reply);
  FUZZ_CHECK(whole.Skip().ok());
  FUZZ_CHECK(whole.ExpectEnd().ok());
}

// Bytes of the device outside the areas the image group may write.
std::vector<uint8_t> Protected(const sim::SimFlash& flash) {
  std::vector<uint8_t> bytes(flash.raw().begin(), flash.raw().begin() + kBootState);
  bytes.insert(bytes.end(), flash.raw().begin() + kBootState + kBootStateSize,
               flash.raw().begin() + kSecondary);
  bytes.insert(bytes.end(), flash.raw().begin() + kSwap + kSwapSize, flash.raw().end());
  return bytes;
}

}  // namespace
}  // namespace bleota::smp

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace bleota;
  using namespace bleota::smp;
  if (size < 1 || size > (1u << 20)) return 0;
  const uint8_t options = data[0];

  sim::VirtualClock clock;
  sim::SimFlash flash(sim::Nrf51Profile(), clock);
  FlashArea boot_state(AreaId::kBootState, flash, kBootState, kBootStateSize);
  FlashArea primary(AreaId::kPrimary, flash, kPrimary, kSlotSize);
  FlashArea secondary(AreaId::kSecondary, flash, kSecondary, kSlotSize);
  FlashArea swap(AreaId::kSwap, flash, kSwap, kSwapSize);
  Result<boot::SlotGeometry> geometry = boot::SlotGeometry::Create(primary, secondary, &swap);
  FUZZ_CHECK(geometry.ok());
  // Something recognisable in primary, so a write into it shows.
  for (uint32_t i = 0; i < kSlotSize; ++i) flash.raw()[kPrimary + i] = static_cast<uint8_t>(i);
  flash.MarkProgrammed(kPrimary, kSlotSize, true);
  const std::vector<uint8_t> untouched = Protected(flash);

  image::DecryptionKeys decryption;
  decryption.ec256_private = vectors::kEncEc256Private;
  decryption.x25519_private = vectors::kEncX25519Private;
  decryption.kek = vectors::kEncAes256Kek;  // the seed corpus's ENC_KW image uses AES-256
  FixedCounter counter((options & 8) != 0 ? 50 : 0);
  std::vector<uint8_t> work((options & 2) != 0 ? 64 : 256);
  ImageGroupConfig config;
  config.geometry = &*geometry;
  config.boot_state = &boot_state;
  config.checks.keys = kTrustedKeys;
  config.checks.decryption = (options & 1) != 0 ? &decryption : nullptr;
  config.checks.counter = &counter;
  config.work = work;
  config.erase_ahead_sectors = (options & 4) != 0 ? 2 : 1;
  ImageGroup group(config);
  FUZZ_CHECK(group.init_status().ok());
  boot::ImageControl control(boot_state);

  std::vector<uint8_t> response(1024);
  size_t pos = 1;
  while (pos + 3 <= size) {
    const uint8_t command = data[pos];
    const size_t length = static_cast<size_t>(data[pos + 1]) << 8 | data[pos + 2];
    pos += 3;
    const size_t take = length < size - pos ? length : size - pos;
    SmpRequest request;
    request.header.version = SmpVersion::kV2;
    request.header.op = (command & 0x80) != 0 ? SmpOp::kWrite : SmpOp::kRead;
    request.header.group = kImageGroupId;
    request.header.command = kCommands[(command & 0x7F) % sizeof(kCommands)];
    request.header.length = static_cast<uint16_t>(take);
    request.payload = ConstByteSpan(data + pos, take);
    pos += take;

    CborWriter writer(response);
    const SmpOutcome outcome = group.Handle(request, writer);
    if (outcome.ok()) {
      CheckReply(writer.written());
    } else {
      FUZZ_CHECK(outcome.is_group_error() ? outcome.group() == kImageGroupId && outcome.rc() <= 33
                                          : outcome.rc() != 0);
    }
    const UploadReceiver& uploader = group.uploader();
    FUZZ_CHECK(!uploader.in_progress() || uploader.offset() <= uploader.image_size());
    FUZZ_CHECK(Protected(flash) == untouched);

    // An install request is only ever made for an image that passes the device's checks.
    Result<boot::BootState> state = control.Read();
    FUZZ_CHECK(state.ok());
    if (state->pending != boot::PendingRequest::kNone) {
      boot::IncomingImageView view(*geometry, geometry->max_image_sectors(),
                                   state->secondary_shifted, 0);
      CheckedImage checked;
      FUZZ_CHECK(CheckImage(view, image::PayloadForm::kAsStored, config.checks, work, checked) ==
                 ImageRc::kOk);
      FUZZ_CHECK(std::memcmp(checked.hash_tlv, state->pending_hash, boot::kPendingHashBytes) == 0);
    }
  }
  return 0;
}
