// Simulated one-time-programmable memory (a UICR/OTP-like block): erased cells read 0xFF, a
// program can only clear bits, and each 32-bit word can be programmed once. The block is split
// into a key region (device keys) followed by a counter region (anti-rollback counters).
// Access rules per requester are enforced by ProtectedOtp, not here.
//
// Power cuts: like SimFlash, a cut can be armed at the N-th program (its own operation count;
// refused programs are not counted). The cut program is torn per CutMode: kBefore and
// kEraseNoise write nothing (OTP has no erase), kProgramPartial writes only its first k words
// (k random, may be 0), kProgramWordNoise also leaves word k with random bits (and used),
// kAfter completes it. Afterwards reads and programs fail with kFlashIo until PowerOn().
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "bleota/bytes.hpp"
#include "bleota/sim/sim_flash.hpp"
#include "bleota/sim/virtual_clock.hpp"
#include "bleota/status.hpp"

namespace bleota::sim {

class SimOtp {
 public:
  static constexpr uint32_t kWordSize = 4;
  static constexpr uint8_t kErasedValue = 0xff;

  // `size` and `key_region_size` must be multiples of kWordSize and key_region_size <= size;
  // throws std::invalid_argument otherwise (a test setup error).
  SimOtp(uint32_t size, uint32_t key_region_size, VirtualClock& clock,
         uint32_t program_us_per_word = 41);

  uint32_t size() const { return static_cast<uint32_t>(bytes_.size()); }
  uint32_t key_region_size() const { return key_region_size_; }
  uint32_t counter_region_offset() const { return key_region_size_; }
  uint32_t counter_region_size() const { return size() - key_region_size_; }

  Status Read(uint32_t offset, ByteSpan out) const;
  // `offset` and data.size() must be multiples of kWordSize (kFlashAlignment). Fails with
  // kFlashNotErased, changing nothing, when any word in the range was programmed before.
  // Programming marks a word used even when the data leaves it at 0xFFFFFFFF.
  Status Program(uint32_t offset, ConstByteSpan data);

  // Power cut at the program with index `op_index` (0-based count of accepted programs since
  // construction or ResetOpCount()).
  void ArmPowerCut(uint64_t op_index, CutMode mode, uint64_t seed);
  void DisarmPowerCut() { cut_armed_ = false; }
  bool powered() const { return powered_; }
  bool cut_happened() const { return cut_happened_; }
  void PowerOn() { powered_ = true; }
  uint64_t mutating_ops() const { return mutating_ops_; }
  void ResetOpCount() { mutating_ops_ = 0; }

  bool word_programmed(uint32_t word_index) const { return word_programmed_.at(word_index); }
  uint32_t programmed_word_count() const;

  // Only a full chip erase through the debug port does this.
  void EraseAll();

  const std::vector<uint8_t>& raw() const { return bytes_; }

 private:
  VirtualClock& clock_;
  uint32_t program_us_per_word_;
  uint32_t key_region_size_;
  std::vector<uint8_t> bytes_;
  std::vector<bool> word_programmed_;

  void ApplyTornProgram(uint32_t offset, ConstByteSpan data, CutMode mode);

  uint64_t mutating_ops_ = 0;
  bool cut_armed_ = false;
  uint64_t cut_at_ = 0;
  CutMode cut_mode_ = CutMode::kBefore;
  std::mt19937_64 rng_;
  bool powered_ = true;
  bool cut_happened_ = false;
};

}  // namespace bleota::sim
