// Simulated NOR flash: the rules real parts enforce, their timing, wear counters, an operation
// log, and power cuts (clean or torn) at any chosen operation. Host-side model of hardware.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "bleota/flash.hpp"
#include "bleota/sim/flash_profile.hpp"
#include "bleota/sim/virtual_clock.hpp"

namespace bleota::sim {

// What happens to the operation that the power cut interrupts.
enum class CutMode : uint8_t {
  kBefore,            // the operation never starts
  kProgramPartial,    // a program wrote only its first k write units (k random, may be 0)
  kProgramWordNoise,  // a program wrote its units up to one, which holds random bits; rest
                      // untouched
  kEraseNoise,        // an erase left random content in the sector it was erasing
  kAfter,             // the operation completed, then power failed
};

const char* CutModeName(CutMode mode);

// Rule for programming a write unit that was already programmed since its last erase.
enum class ReprogramRule : uint8_t {
  kError,    // kFlashNotErased (nRF52 allows a limited count; many ECC parts forbid it)
  kAndBits,  // classic NOR: bits can only be cleared, the result is old & new
};

enum class FlashOpKind : uint8_t { kRead, kProgram, kErase };

struct FlashOp {
  FlashOpKind kind;
  uint32_t offset;
  uint32_t size;
  uint64_t start_us;
};

class SimFlash final : public Flash {
 public:
  SimFlash(const FlashProfile& profile, VirtualClock& clock,
           ReprogramRule rule = ReprogramRule::kError);

  // Flash interface. Reads are free in time and are not counted as operations for power cuts.
  const FlashGeometry& geometry() const override { return geometry_; }
  Status Read(uint32_t offset, ByteSpan out) override;
  Status Program(uint32_t offset, ConstByteSpan data) override;
  Status Erase(uint32_t offset, uint32_t size) override;

  // Power cut when the mutating operation with index `op_index` (0-based count of programs and
  // erases since construction or ResetOpCount()) runs. Afterwards every access fails with
  // kFlashIo until PowerOn().
  void ArmPowerCut(uint64_t op_index, CutMode mode, uint64_t seed);
  void DisarmPowerCut() { cut_armed_ = false; }
  bool powered() const { return powered_; }
  bool cut_happened() const { return cut_happened_; }
  void PowerOn() { powered_ = true; }
  // Power lost elsewhere (SimSoc: a power cut during an OTP program): accesses fail until
  // PowerOn().
  void PowerOff() { powered_ = false; }

  uint64_t mutating_ops() const { return mutating_ops_; }
  void ResetOpCount() { mutating_ops_ = 0; }

  // Per-sector erase counts (index = sector index), and the log of every operation.
  const std::vector<uint32_t>& erase_counts() const { return erase_counts_; }
  const std::vector<FlashOp>& log() const { return log_; }
  void ClearLog() { log_.clear(); }
  void set_log_reads(bool on) { log_reads_ = on; }

  const FlashProfile& profile() const { return profile_; }
  VirtualClock& clock() { return clock_; }

  // Direct access for tests and provisioning (no rules, no time, no log).
  std::vector<uint8_t>& raw() { return bytes_; }
  const std::vector<uint8_t>& raw() const { return bytes_; }
  // Marks [offset, offset+size) as programmed or erased to match raw() after a direct write.
  void MarkProgrammed(uint32_t offset, uint32_t size, bool programmed);

 private:
  bool CutNow(CutMode* mode);
  void ApplyTornProgram(uint32_t offset, ConstByteSpan data, CutMode mode);
  Status ProgramUnits(uint32_t offset, ConstByteSpan data, uint32_t unit_count);
  void SetUnits(uint32_t offset, uint32_t size, bool programmed);

  FlashProfile profile_;
  FlashGeometry geometry_;
  VirtualClock& clock_;
  ReprogramRule rule_;
  std::vector<uint8_t> bytes_;
  std::vector<uint8_t> unit_programmed_;  // one flag per write unit (bytes: fast to fill)
  std::vector<uint32_t> erase_counts_;
  std::vector<FlashOp> log_;
  bool log_reads_ = false;

  uint64_t mutating_ops_ = 0;
  bool cut_armed_ = false;
  uint64_t cut_at_ = 0;
  CutMode cut_mode_ = CutMode::kBefore;
  std::mt19937_64 rng_;
  bool powered_ = true;
  bool cut_happened_ = false;
};

}  // namespace bleota::sim
