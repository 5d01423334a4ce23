// The persistent boot state: what the bootloader must remember across resets and power cuts
// (swap progress, test/confirm, pending request, health history). Encoded as one 32-byte record
// (docs/spec/boot-state.md).
#pragma once

#include <cstdint>
#include <span>

#include "bleota/bytes.hpp"
#include "bleota/result.hpp"

namespace bleota::boot {

enum class BootOp : uint8_t {
  kNone = 0,
  kSwap = 1,           // exchange primary and secondary (install or revert)
  kGoldenRestore = 2,  // copy the golden image over primary
  kGoldenUpdate = 3,   // copy a verified image from secondary into the golden slot
};

enum class SwapReason : uint8_t {
  kInstallTest = 0,       // new image, boots in test mode until confirmed
  kInstallPermanent = 1,  // new image, confirmed from the start
  kRevert = 2,            // back to the previous image
};

enum class PendingRequest : uint8_t {
  kNone = 0,
  kTest = 1,       // install in test mode
  kPermanent = 2,  // install, confirmed
  kGolden = 3,     // write into the golden slot (signed golden update)
};

inline constexpr uint32_t kBootRecordSize = 32;
inline constexpr uint16_t kBootRecordMagic = 0xB07A;
inline constexpr uint8_t kBootRecordVersion = 1;
inline constexpr uint32_t kPendingHashBytes = 8;
inline constexpr uint32_t kVerifiedHashBytes = 4;

struct BootState {
  uint32_t seq = 0;  // larger is newer; 0 = no record was found
  BootOp op = BootOp::kNone;
  SwapReason swap_reason = SwapReason::kInstallTest;
  uint16_t step = 0;          // next step of `op` to run
  uint16_t swap_sectors = 0;  // sectors the current swap exchanges
  // Where the image in the secondary area starts: sector 0, or sector 1 after a swap (the
  // secondary area is followed by the swap area, see docs/spec/boot-state.md).
  bool secondary_shifted = false;
  // The secondary image's payload is plaintext even if its header says ENCRYPTED (it was
  // installed and decrypted before, then swapped back out).
  bool secondary_plaintext = false;
  bool primary_testing = false;  // primary runs in test mode and was not confirmed yet
  PendingRequest pending = PendingRequest::kNone;
  uint8_t test_boots = 0;                        // boots of the primary image while testing
  uint8_t pending_hash[kPendingHashBytes] = {};  // first bytes of the requested image's hash
  // VerifyPolicy::kSignatureAfterChange: primary's signature was checked since it last changed,
  // for the image whose hash starts with verified_hash.
  bool primary_verified = false;
  uint8_t verified_hash[kVerifiedHashBytes] = {};

  friend bool operator==(const BootState&, const BootState&) = default;
};

// Encodes `state` into a record (CRC included).
void EncodeBootRecord(const BootState& state, std::span<uint8_t, kBootRecordSize> out);
// Decodes a record; kDataLoss when the magic, version or CRC do not match (torn or erased).
Result<BootState> DecodeBootRecord(std::span<const uint8_t, kBootRecordSize> in);

}  // namespace bleota::boot
