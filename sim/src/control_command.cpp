#include "bleota/simdev/control_command.hpp"

#include <charconv>
#include <vector>

namespace bleota::sim {
namespace {

constexpr size_t kMaxTokens = 6;

ControlParse Error(std::string message) { return {std::nullopt, std::move(message)}; }
ControlParse Ok(const ControlCommand& command) { return {command, {}}; }

// Splits on spaces and tabs; false (with `error`) for other control bytes or too many words.
bool Tokenize(std::string_view line, std::vector<std::string_view>& tokens, std::string& error) {
  size_t at = 0;
  while (at < line.size()) {
    const unsigned char c = static_cast<unsigned char>(line[at]);
    if (c == ' ' || c == '\t') {
      ++at;
      continue;
    }
    size_t end = at;
    while (end < line.size() && line[end] != ' ' && line[end] != '\t') {
      const unsigned char d = static_cast<unsigned char>(line[end]);
      if (d < 0x20 || d > 0x7e) {
        error = "the line holds a byte that is not printable ASCII";
        return false;
      }
      ++end;
    }
    if (tokens.size() == kMaxTokens) {
      error = "too many words";
      return false;
    }
    tokens.push_back(line.substr(at, end - at));
    at = end;
  }
  return true;
}

std::optional<uint64_t> ParseCount(std::string_view text) {
  uint64_t value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// "12", "0.5", "1.000001": seconds with up to 6 decimals, as microseconds.
std::optional<uint64_t> ParseSeconds(std::string_view text) {
  const size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : text.substr(dot + 1);
  if (whole.empty() || whole.size() > 7 || fraction.size() > 6) return std::nullopt;
  if (dot != std::string_view::npos && fraction.empty()) return std::nullopt;
  const std::optional<uint64_t> seconds = ParseCount(whole);
  if (!seconds) return std::nullopt;
  uint64_t micros = 0;
  if (!fraction.empty()) {
    const std::optional<uint64_t> digits = ParseCount(fraction);
    if (!digits) return std::nullopt;
    micros = *digits;
    for (size_t i = fraction.size(); i < 6; ++i) micros *= 10;
  }
  return *seconds * 1'000'000 + micros;
}

std::optional<CutMode> ParseCutMode(std::string_view name) {
  for (const CutMode mode : {CutMode::kBefore, CutMode::kProgramPartial, CutMode::kProgramWordNoise,
                             CutMode::kEraseNoise, CutMode::kAfter}) {
    if (name == CutModeOptionName(mode)) return mode;
  }
  return std::nullopt;
}

ControlParse ParsePowerCut(const std::vector<std::string_view>& words) {
  ControlCommand command;
  command.verb = ControlVerb::kPowerCut;
  if (words.size() == 1) return Ok(command);
  if (words[1] != "--at-flash-op") return Error("power-cut takes --at-flash-op N [--mode MODE]");
  if (words.size() < 3) return Error("--at-flash-op needs a count");
  const std::optional<uint64_t> count = ParseCount(words[2]);
  if (!count || *count == 0 || *count > kMaxFlashOpsAhead) {
    return Error("--at-flash-op takes a count from 1 to " + std::to_string(kMaxFlashOpsAhead));
  }
  command.at_flash_op = *count;
  if (words.size() == 3) return Ok(command);
  if (words.size() != 5 || words[3] != "--mode") return Error("after --at-flash-op N: --mode MODE");
  const std::optional<CutMode> mode = ParseCutMode(words[4]);
  if (!mode) {
    return Error("--mode is before, after, program-partial, program-word-noise or erase-noise");
  }
  command.cut_mode = *mode;
  return Ok(command);
}

}  // namespace

std::string CutModeOptionName(CutMode mode) {
  std::string name = CutModeName(mode);
  for (char& c : name) {
    if (c == '_') c = '-';
  }
  return name;
}

ControlParse ParseControlLine(std::string_view line) {
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  if (line.size() > kMaxControlLineBytes) {
    return Error("the line is longer than " + std::to_string(kMaxControlLineBytes) + " bytes");
  }
  std::vector<std::string_view> words;
  std::string error;
  if (!Tokenize(line, words, error)) return Error(error);
  if (words.empty()) return Error("empty command");
  const std::string_view verb = words[0];
  const size_t args = words.size() - 1;
  ControlCommand command;
  auto exact = [&](size_t count, ControlVerb v) -> ControlParse {
    if (args != count) return Error(std::string(verb) + " takes no arguments");
    command.verb = v;
    return Ok(command);
  };
  if (verb == "status") return exact(0, ControlVerb::kStatus);
  if (verb == "power-on") return exact(0, ControlVerb::kPowerOn);
  if (verb == "reset") return exact(0, ControlVerb::kReset);
  if (verb == "power-cut") return ParsePowerCut(words);
  if (verb == "button") {
    if (args != 1 || (words[1] != "hold" && words[1] != "release")) {
      return Error("button takes hold or release");
    }
    command.verb = ControlVerb::kButton;
    command.button_held = words[1] == "hold";
    return Ok(command);
  }
  if (verb == "app") {
    const std::optional<AppFault> fault =
        args == 1 ? ParseAppFault(words[1]) : std::optional<AppFault>();
    if (!fault) return Error("app takes normal, crash, hang, no-confirm or no-advertising");
    command.verb = ControlVerb::kApp;
    command.app_fault = *fault;
    return Ok(command);
  }
  if (verb == "corrupt") {
    if (args != 1 || (words[1] != "primary" && words[1] != "secondary")) {
      return Error("corrupt takes primary or secondary");
    }
    command.verb = ControlVerb::kCorrupt;
    command.slot = words[1] == "primary" ? SlotName::kPrimary : SlotName::kSecondary;
    return Ok(command);
  }
  if (verb == "advance") {
    const std::optional<uint64_t> us =
        args == 1 ? ParseSeconds(words[1]) : std::optional<uint64_t>();
    if (!us || *us == 0 || *us > kMaxAdvanceUs) {
      return Error("advance takes SECONDS, more than 0 and at most " +
                   std::to_string(kMaxAdvanceUs / 1'000'000) + " (up to 6 decimals)");
    }
    command.verb = ControlVerb::kAdvance;
    command.advance_us = *us;
    return Ok(command);
  }
  return Error("unknown command '" + std::string(verb.substr(0, 32)) +
               "' (status, power-cut, power-on, reset, button, app, corrupt, advance)");
}

}  // namespace bleota::sim
