// The control commands of a running simulated device (docs/simulator.md, "Controls"): one text
// line each, from `bleota sim ctl` through DIR/control.sock or typed on the device's terminal.
//
//   status
//   power-cut [--at-flash-op N [--mode
//   before|after|program-partial|program-word-noise|erase-noise]] power-on reset button
//   hold|release app normal|crash|hang|no-confirm|no-advertising corrupt primary|secondary advance
//   SECONDS
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "bleota/sim/sim_flash.hpp"
#include "bleota/simdev/app_behaviour.hpp"

namespace bleota::sim {

// Longest command line (without its newline) the device reads.
inline constexpr size_t kMaxControlLineBytes = 256;
// Bounds of the numeric arguments.
inline constexpr uint64_t kMaxFlashOpsAhead = 100'000'000;
inline constexpr uint64_t kMaxAdvanceUs = 3'600'000'000;  // one hour of virtual time

enum class ControlVerb : uint8_t {
  kStatus,
  kPowerCut,
  kPowerOn,
  kReset,
  kButton,
  kApp,
  kCorrupt,
  kAdvance,
};

enum class SlotName : uint8_t { kPrimary, kSecondary };

struct ControlCommand {
  ControlVerb verb = ControlVerb::kStatus;
  uint64_t at_flash_op = 0;  // power-cut: 0 = now, else the N-th flash operation from now
  CutMode cut_mode = CutMode::kBefore;
  bool button_held = false;
  AppFault app_fault = AppFault::kNone;
  SlotName slot = SlotName::kPrimary;
  uint64_t advance_us = 0;
};

struct ControlParse {
  std::optional<ControlCommand> command;
  std::string error;  // why the line is not a command (when command is empty)
};

// Parses one line (a trailing '\r' is allowed). Never throws for any input.
ControlParse ParseControlLine(std::string_view line);

// The --mode names: CutModeName with '-' for '_' ("program-partial").
std::string CutModeOptionName(CutMode mode);

}  // namespace bleota::sim
