// Power-fail harness: runs a full-stack scenario (the app side and the real bootloader on a
// SimSoc) with power cuts armed at chosen flash or OTP operations in chosen torn modes, power-
// cycles and boots again until the bootloader reaches a decision, then checks the invariants
// (docs/powerfail.md):
//   - the decision is a jump to the application;
//   - primary holds exactly one of the scenario's allowed images (plaintext form), and the
//     decision's version and test flag are that image's;
//   - the boot state is settled (op none) and the journal on flash says the same;
//   - the secondary slot holds the other image of the pair, where the scenario keeps one;
//   - the security counter never decreased (checked after every power cut), the running image's
//     SEC_CNT is >= the counter, and a confirmed image has raised it to its SEC_CNT.
// An image that does not verify (corrupt primary/secondary in the golden scenario) is never in
// the allowed set, so it can never be the one that runs.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "bleota/boot/security_counter.hpp"
#include "bleota/boot/slot_geometry.hpp"
#include "bleota/host/image_check.hpp"
#include "test_device.hpp"

namespace bleota::boot::powerfail {

using testing::ImageSpec;
using testing::LayoutSpec;
using testing::TestDevice;

// BLEOTA_POWERFAIL_LONG=1: more image sizes and more random seeds (docs/powerfail.md).
inline bool LongMode() {
  const char* env = std::getenv("BLEOTA_POWERFAIL_LONG");
  return env != nullptr && std::string(env) == "1";
}

inline const sim::CutMode kAllModes[] = {sim::CutMode::kBefore, sim::CutMode::kProgramPartial,
                                         sim::CutMode::kProgramWordNoise, sim::CutMode::kEraseNoise,
                                         sim::CutMode::kAfter};

// The geometries every scenario runs on: the small layouts plus nRF52840 with ECC-like write
// units of 8 and 16 bytes.
inline std::vector<LayoutSpec> PowerfailLayouts() {
  std::vector<LayoutSpec> layouts = testing::SmallLayouts();
  layouts.push_back(testing::WithAlign(testing::SmallLayouts()[0], 8));
  layouts.push_back(testing::WithAlign(testing::SmallLayouts()[0], 16));
  return layouts;
}

inline uint32_t SlotSectorSize(const LayoutSpec& spec) {
  FlashGeometry geometry(spec.profile.runs, spec.profile.write_align, spec.profile.erase_value);
  Result<Sector> sector = geometry.SectorAt(spec.primary_offset);
  if (!sector.ok()) std::abort();
  return sector->size;
}

// A signed image as uploaded (`stored`) and as it must end up in primary (`plain`: the payload
// decrypted for an encrypted image).
struct KnownImage {
  std::string name;
  std::vector<uint8_t> stored;
  std::vector<uint8_t> plain;
  uint8_t major = 0;
  uint32_t security_counter = 0;  // 0 when absent
};

inline KnownImage BuildKnownImage(const std::string& name, const ImageSpec& spec) {
  KnownImage image;
  image.name = name;
  image.stored = testing::MakeImage(spec);
  if (spec.encrypted) {
    host::DecryptionKeySet keys;
    keys.private_keys.push_back(testing::DeviceEncryptionKey());
    image.plain = host::DecryptImageBytes(image.stored, keys);
  } else {
    image.plain = image.stored;
  }
  image.major = spec.major;
  image.security_counter = spec.security_counter.value_or(0);
  return image;
}

// Payload sizes of the old and the new image for one geometry.
struct SizeSet {
  std::string name;
  uint32_t old_payload, new_payload;
};

// CI: a 1-2 sector old image and a 2-3 sector new one. Long mode adds images that fill the slot
// (the swap uses the swap area's sector).
inline std::vector<SizeSet> SizeSets(const LayoutSpec& spec) {
  const uint32_t ss = SlotSectorSize(spec);
  const uint32_t sectors = spec.slot_size / ss;
  const uint32_t max_image = spec.swap_size != 0 ? spec.slot_size : spec.slot_size - ss;
  const uint32_t overhead = 0x200 + 1024;  // header + TLVs (signature, ENC key, counter)
  auto cap = [&](uint32_t payload) {
    return payload + overhead <= max_image ? payload : max_image - overhead;
  };
  std::vector<SizeSet> sets;
  sets.push_back({"small", ss / 2, cap(sectors > 2 ? 2 * ss + ss / 4 : ss + ss / 2)});
  if (LongMode()) {
    sets.push_back({"full", cap(max_image - ss), cap(max_image)});
    sets.push_back({"shrink", cap(max_image), ss / 4});
  }
  return sets;
}

// The images of one scenario run: A (old, in primary), B (new, uploaded), G (golden).
struct ImageSet {
  KnownImage a, b, golden;
};

enum class ScenarioKind {
  kInstall,             // pending test install of B -> boot
  kRevert,              // B installed, unconfirmed -> reset -> revert to A
  kGoldenRestore,       // primary and secondary corrupt -> golden
  kConfirm,             // B testing; the app confirms (cut there too) -> reset -> boot
  kConfirmJournalFull,  // kConfirm with the journal sector full: confirming erases the next one
  kCounterPermanent,    // permanent install of B with a higher SEC_CNT: swap, then OTP raise
  kCounterConfirm,      // B testing with a higher SEC_CNT; confirm -> boot raises the counter
  kEncryptedInstall,    // pending test install of an encrypted B
  kEncryptedRevert,     // revert of an encrypted B (installed decrypted; nrf52840 only)
  kRecover,             // B runs (permanent, A in secondary); primary corrupt -> A from secondary
  kUpload,  // B runs (confirmed, A kept in secondary); the app uploads A again and requests
            // its test install (cut in the upload too) -> reset -> boot
};

inline const char* ScenarioName(ScenarioKind kind) {
  switch (kind) {
    case ScenarioKind::kInstall:
      return "install";
    case ScenarioKind::kRevert:
      return "revert";
    case ScenarioKind::kGoldenRestore:
      return "golden_restore";
    case ScenarioKind::kConfirm:
      return "confirm";
    case ScenarioKind::kConfirmJournalFull:
      return "confirm_journal_full";
    case ScenarioKind::kCounterPermanent:
      return "counter_permanent";
    case ScenarioKind::kCounterConfirm:
      return "counter_confirm";
    case ScenarioKind::kEncryptedInstall:
      return "encrypted_install";
    case ScenarioKind::kEncryptedRevert:
      return "encrypted_revert";
    case ScenarioKind::kRecover:
      return "recover_from_secondary";
    case ScenarioKind::kUpload:
      return "upload";
  }
  return "unknown";
}

inline bool UsesCounter(ScenarioKind kind) {
  return kind == ScenarioKind::kCounterPermanent || kind == ScenarioKind::kCounterConfirm;
}

// Images are signed once per (scenario, geometry, size set) and reused by every run.
inline const ImageSet& ImagesFor(ScenarioKind kind, const LayoutSpec& spec, const SizeSet& sizes) {
  static std::map<std::tuple<int, std::string, std::string>, std::unique_ptr<ImageSet>> cache;
  auto key = std::make_tuple(static_cast<int>(kind), spec.name, sizes.name);
  auto it = cache.find(key);
  if (it != cache.end()) return *it->second;
  const bool counter = UsesCounter(kind);
  auto set = std::make_unique<ImageSet>();
  ImageSpec a;
  a.major = 1;
  a.payload_size = sizes.old_payload;
  a.seed = 11;
  ImageSpec b;
  b.major = 2;
  b.payload_size = sizes.new_payload;
  b.seed = 22;
  if (counter) {
    a.security_counter = 1;
    b.security_counter = 5;
  }
  b.encrypted = kind == ScenarioKind::kEncryptedInstall || kind == ScenarioKind::kEncryptedRevert;
  set->a = BuildKnownImage("A", a);
  set->b = BuildKnownImage("B", b);
  ImageSpec golden;
  golden.major = 7;
  golden.payload_size = sizes.old_payload;
  golden.seed = 77;
  set->golden = BuildKnownImage("G", golden);
  return *cache.emplace(key, std::move(set)).first->second;
}

// One power cut: at operation `op_index` (counted from when it is armed) of the flash or OTP.
enum class CutDomain { kFlash, kOtp };
struct Cut {
  CutDomain domain = CutDomain::kFlash;
  uint64_t op_index = 0;
  sim::CutMode mode = sim::CutMode::kBefore;
  uint64_t seed = 0;
};

inline std::string Describe(const Cut& cut) {
  std::ostringstream out;
  out << (cut.domain == CutDomain::kFlash ? "flash" : "otp") << " op " << cut.op_index << " "
      << sim::CutModeName(cut.mode);
  return out.str();
}

struct RunResult {
  bool ok = false;             // every invariant held (failures are reported through gtest)
  uint32_t cuts_happened = 0;  // cuts that fired
  bool first_cut_fired = false;
  std::string ran;                      // name of the image that runs at the end
  uint64_t flash_ops = 0, otp_ops = 0;  // operations of the run without cuts (baseline)
};

class ScenarioRunner {
 public:
  // `rule`: kAndBits models classic NOR that lets a programmed unit be programmed again (the
  // bits AND), so a write into a torn slot is not refused.
  ScenarioRunner(ScenarioKind kind, const LayoutSpec& spec, const SizeSet& sizes,
                 sim::ReprogramRule rule = sim::ReprogramRule::kError)
      : kind_(kind),
        spec_(spec),
        sizes_(sizes),
        rule_(rule),
        images_(ImagesFor(kind, spec, sizes)) {}

  std::string Name() const {
    return std::string(ScenarioName(kind_)) + "/" + spec_.name +
           (rule_ == sim::ReprogramRule::kAndBits ? "-andbits" : "") + "/" + sizes_.name;
  }

  // Runs the scenario with `cuts` armed one after the other: the first when the action under
  // test starts, each next one after the power cycle that follows the previous cut. Returns the
  // result; invariant violations are gtest failures.
  RunResult Run(const std::vector<Cut>& cuts) {
    RunResult result;
    std::string context = Name();
    for (const Cut& cut : cuts) context += " [" + Describe(cut) + "]";
    SCOPED_TRACE(context);

    TestDevice device(spec_, rule_);
    // Longer than the slowest sector erase (2 s on the STM32F4's 128 KiB sectors): the app in
    // this harness does not kick the watchdog, and the swap kicks it once per sector.
    device.config().watchdog_period_ms = 10000;
    if (!Setup(device)) return result;
    sim::SimFlash& flash = device.soc().sim_flash();
    sim::SimOtp& otp = device.soc().sim_otp();
    uint32_t counter = ReadCounter(device);

    size_t next = 0;
    auto arm_next = [&] {
      flash.ResetOpCount();
      otp.ResetOpCount();
      flash.DisarmPowerCut();
      otp.DisarmPowerCut();
      if (next >= cuts.size()) return;
      const Cut& cut = cuts[next++];
      if (cut.domain == CutDomain::kFlash) {
        flash.ArmPowerCut(cut.op_index, cut.mode, cut.seed);
      } else {
        otp.ArmPowerCut(cut.op_index, cut.mode, cut.seed);
      }
    };
    auto powered = [&] { return flash.powered() && otp.powered(); };
    // After a cut: power cycle, check the counter did not go down, arm the next cut.
    auto after_cut = [&]() -> bool {
      ++result.cuts_happened;
      if (result.cuts_happened == 1) result.first_cut_fired = true;
      device.soc().PowerCycle();
      const uint32_t now = ReadCounter(device);
      EXPECT_GE(now, counter) << "security counter decreased after a power cut";
      if (now < counter) return false;
      counter = now;
      arm_next();
      return true;
    };

    arm_next();
    if (HasAction()) {
      const Status acted = Act(device);
      if (!powered()) {
        if (!after_cut()) return result;
      } else {
        EXPECT_TRUE(acted.ok()) << "app action failed without a power cut: " << acted.name();
        if (!acted.ok()) return result;
        device.soc().Reset(ResetCause::kSoftware);  // the app resets to let the bootloader act
      }
    }

    Result<BootDecision> decision = StatusCode::kInternal;
    const int max_boots = static_cast<int>(cuts.size()) + 3;
    for (int boot = 0; boot < max_boots; ++boot) {
      decision = device.Boot();
      if (decision.ok()) {
        EXPECT_TRUE(powered()) << "a boot decided although its power was cut";
        break;
      }
      EXPECT_FALSE(powered()) << "boot failed without a power cut: " << decision.status().name();
      if (powered()) return result;
      if (!after_cut()) return result;
    }
    EXPECT_TRUE(decision.ok()) << "no decision after " << max_boots << " boots";
    if (!decision.ok()) return result;
    result.flash_ops = flash.mutating_ops();
    result.otp_ops = otp.mutating_ops();
    flash.DisarmPowerCut();
    otp.DisarmPowerCut();
    if (tamper_) tamper_(device);
    result.ok = Check(device, *decision, counter, result);
    return result;
  }

  ScenarioKind kind() const { return kind_; }
  // For the harness's own tests: changes the device after it settled, before the checks.
  void set_tamper(std::function<void(TestDevice&)> tamper) { tamper_ = std::move(tamper); }
  const ImageSet& images() const { return images_; }

 private:
  bool HasAction() const {
    return kind_ == ScenarioKind::kConfirm || kind_ == ScenarioKind::kConfirmJournalFull ||
           kind_ == ScenarioKind::kCounterConfirm || kind_ == ScenarioKind::kUpload;
  }

  // Appends copies of the current state until the journal sector holding the newest record is
  // full and the next sector of the ring holds older records, so the next record must erase it.
  bool FillJournalSector(TestDevice& device) {
    FlashArea& area = *device.Areas().boot_state;
    const std::vector<uint8_t>& raw = device.soc().sim_flash().raw();
    auto erased = [&](uint32_t offset, uint32_t size) {
      return std::all_of(raw.begin() + area.offset() + offset,
                         raw.begin() + area.offset() + offset + size,
                         [&](uint8_t b) { return b == area.erase_value(); });
    };
    BootStateStore store(area);
    Result<BootState> state = store.Load();
    EXPECT_TRUE(state.ok());
    if (!state.ok()) return false;
    for (uint32_t guard = 0; guard <= area.size() / kBootRecordSize; ++guard) {
      // The newest record: the valid one with the largest seq.
      uint32_t newest = 0, newest_seq = 0;
      for (uint32_t at = 0; at + kBootRecordSize <= area.size(); at += kBootRecordSize) {
        Result<BootState> record = DecodeBootRecord(
            std::span<const uint8_t, kBootRecordSize>(&raw[area.offset() + at], kBootRecordSize));
        if (record.ok() && record->seq > newest_seq) {
          newest_seq = record->seq;
          newest = at;
        }
      }
      Result<Sector> sector = area.SectorAt(newest);
      EXPECT_TRUE(newest_seq != 0 && sector.ok());
      if (newest_seq == 0 || !sector.ok()) return false;
      const uint32_t end = sector->offset + sector->size;
      const uint32_t free_slots = (end - newest) / kBootRecordSize - 1;
      Result<Sector> next = area.SectorAt(end < area.size() ? end : 0);
      if (!next.ok()) return false;
      if (free_slots == 0 && !erased(next->offset, next->size)) return true;
      // Fill this sector, or (when it is full) the erased next one.
      const uint32_t count = free_slots != 0 ? free_slots : next->size / kBootRecordSize;
      for (uint32_t i = 0; i < count; ++i) {
        EXPECT_TRUE(store.Save(*state).ok());
      }
      if (::testing::Test::HasFailure()) return false;
    }
    ADD_FAILURE() << "journal did not fill";
    return false;
  }

  uint32_t ReadCounter(TestDevice& device) {
    SecurityCounter counter(device.soc(), device.config().counter_otp_offset,
                            device.config().counter_otp_entries);
    Result<uint32_t> value = counter.Read();
    EXPECT_TRUE(value.ok());
    return value.ok() ? *value : 0;
  }

  bool MustJump(TestDevice& device, uint8_t major) {
    Result<BootDecision> d = device.Boot();
    EXPECT_TRUE(d.ok() && d->action == BootAction::kJumpToApplication && d->version.major == major)
        << "setup boot";
    return d.ok() && d->action == BootAction::kJumpToApplication && d->version.major == major;
  }

  // Brings a fresh device to the state right before the action under test (no cuts).
  bool Setup(TestDevice& device) {
    const ImageSet& im = images_;
    device.ProvisionGolden(im.golden.stored);
    device.ProvisionPrimary(im.a.stored);
    if (!MustJump(device, im.a.major)) return false;
    if (kind_ == ScenarioKind::kGoldenRestore) {
      // Primary loses a payload byte and secondary holds garbage: only golden verifies.
      auto& raw = device.soc().sim_flash().raw();
      raw[spec_.primary_offset + 0x200 + 10] ^= 0x40;
      raw[spec_.secondary_offset] = 0x12;
      device.soc().PowerCycle();
      return true;
    }
    const bool permanent = kind_ == ScenarioKind::kCounterPermanent ||
                           kind_ == ScenarioKind::kUpload || kind_ == ScenarioKind::kRecover;
    EXPECT_TRUE(device.AppUpload(im.b.stored).ok());
    EXPECT_TRUE(device.AppRequestInstall(im.b.stored, permanent).ok());
    device.soc().Reset(ResetCause::kSoftware);
    if (kind_ == ScenarioKind::kInstall || kind_ == ScenarioKind::kEncryptedInstall ||
        kind_ == ScenarioKind::kCounterPermanent) {
      return !::testing::Test::HasFailure();
    }
    // Revert, confirm: B is installed and boots once in test mode. Upload: B is confirmed.
    if (!MustJump(device, im.b.major)) return false;
    if (kind_ == ScenarioKind::kRevert || kind_ == ScenarioKind::kEncryptedRevert) {
      device.soc().Reset(ResetCause::kSoftware);
    }
    if (kind_ == ScenarioKind::kRecover) {
      device.soc().sim_flash().raw()[spec_.primary_offset + 0x200 + 10] ^= 0x40;
      device.soc().PowerCycle();
    }
    if (kind_ == ScenarioKind::kConfirmJournalFull && !FillJournalSector(device)) return false;
    return !::testing::Test::HasFailure();
  }

  Status Act(TestDevice& device) {
    if (kind_ != ScenarioKind::kUpload) return device.AppConfirm();
    BLEOTA_TRY(device.AppUpload(images_.a.stored));
    return device.AppRequestInstall(images_.a.stored, /*permanent=*/false);
  }

  // The images allowed to run at the end, and whether the secondary keeps the other one.
  std::vector<const KnownImage*> Allowed() const {
    switch (kind_) {
      case ScenarioKind::kInstall:
      case ScenarioKind::kEncryptedInstall:
        // A too: a cut right after the bootloader recorded B's test boot counts as that boot,
        // and the next boot reverts (docs/spec/boot-state.md, step 6).
        return {&images_.b, &images_.a};
      case ScenarioKind::kRevert:
      case ScenarioKind::kEncryptedRevert:
        return {&images_.a};
      case ScenarioKind::kGoldenRestore:
        return {&images_.golden};
      case ScenarioKind::kConfirm:
      case ScenarioKind::kConfirmJournalFull:
      case ScenarioKind::kCounterConfirm:
        return {&images_.b, &images_.a};  // confirmed, or the confirm was lost and B reverted
      case ScenarioKind::kCounterPermanent:
        return {&images_.b};
      case ScenarioKind::kRecover:
        return {&images_.a};
      case ScenarioKind::kUpload:
        return {&images_.a, &images_.b};  // installed, or the upload/request was cut
    }
    return {};
  }

  bool Check(TestDevice& device, const BootDecision& decision, uint32_t counter,
             RunResult& result) {
    EXPECT_EQ(decision.action, BootAction::kJumpToApplication)
        << "reason " << BootReasonName(decision.reason);
    if (decision.action != BootAction::kJumpToApplication) return false;

    // Primary holds exactly one allowed image, and it is the one the decision reports.
    const std::vector<uint8_t>& raw = device.soc().sim_flash().raw();
    const KnownImage* running = nullptr;
    for (const KnownImage* image : Allowed()) {
      if (std::equal(image->plain.begin(), image->plain.end(),
                     raw.begin() + spec_.primary_offset)) {
        running = image;
        break;
      }
    }
    EXPECT_NE(running, nullptr) << "primary holds none of the allowed images (a mix or garbage)";
    if (running == nullptr) return false;
    result.ran = running->name;
    EXPECT_EQ(decision.version.major, running->major);
    EXPECT_EQ(decision.app_offset, spec_.primary_offset + 0x200u);

    // Boot state settled, and the journal on flash agrees with the bootloader.
    const BootState& state = device.last_state();
    EXPECT_EQ(state.op, BootOp::kNone);
    EXPECT_EQ(state.pending, PendingRequest::kNone);
    EXPECT_EQ(decision.testing, state.primary_testing);
    Result<BootState> stored = device.AppControl().Read();
    EXPECT_TRUE(stored.ok() && *stored == state) << "journal differs from the bootloader's state";
    // Only a test install can leave its image unconfirmed; a revert, confirm or golden never does.
    const bool may_test =
        ((kind_ == ScenarioKind::kInstall || kind_ == ScenarioKind::kEncryptedInstall) &&
         running == &images_.b) ||
        (kind_ == ScenarioKind::kUpload && running == &images_.a);
    if (!may_test) {
      EXPECT_FALSE(decision.testing);
    }

    // The other image of the pair waits in the secondary slot, in the form the state says.
    // (After a cut upload, secondary holds whatever part of A was written: nothing to compare.)
    const bool upload_cut = kind_ == ScenarioKind::kUpload && running == &images_.b;
    // Recover: the corrupt image that left primary is not worth comparing either.
    if (kind_ != ScenarioKind::kGoldenRestore && kind_ != ScenarioKind::kRecover && !upload_cut) {
      const KnownImage& other = running == &images_.b ? images_.a : images_.b;
      const std::vector<uint8_t>& expect = state.secondary_plaintext ? other.plain : other.stored;
      EXPECT_EQ(ReadSecondary(device, state.secondary_shifted, expect.size()), expect)
          << "secondary does not hold image " << other.name;
    }

    // Anti-rollback: the running image is at or above the counter, and a confirmed image with a
    // counter has raised it.
    const uint32_t now = ReadCounter(device);
    EXPECT_GE(now, counter) << "security counter decreased";
    EXPECT_GE(running->security_counter, now) << "running image is below the counter";
    if (!decision.testing) {
      EXPECT_EQ(now, running->security_counter);
    }
    return !::testing::Test::HasFailure();
  }

  std::vector<uint8_t> ReadSecondary(TestDevice& device, bool shifted, size_t size) {
    const std::vector<uint8_t>& raw = device.soc().sim_flash().raw();
    const uint32_t ss = SlotSectorSize(spec_);
    const uint32_t slot_sectors = spec_.slot_size / ss;
    std::vector<uint8_t> out;
    for (uint32_t j = shifted ? 1 : 0; out.size() < size; ++j) {
      const uint32_t at = j < slot_sectors ? spec_.secondary_offset + j * ss : spec_.swap_offset;
      const size_t n = std::min<size_t>(ss, size - out.size());
      out.insert(out.end(), raw.begin() + at, raw.begin() + at + n);
    }
    return out;
  }

  ScenarioKind kind_;
  LayoutSpec spec_;
  SizeSet sizes_;
  sim::ReprogramRule rule_;
  const ImageSet& images_;
  std::function<void(TestDevice&)> tamper_;
};

// Counts of one exhaustive sweep.
struct SweepCounts {
  uint64_t cut_points = 0;  // (op index, mode) pairs where a cut fired
  uint64_t flash_ops = 0, otp_ops = 0;
  std::map<std::string, uint64_t> outcomes;  // image name -> runs that ended with it
};

// Cuts at every operation of `domain` in every mode, one cut per run (the reboots run uncut).
inline SweepCounts Sweep(ScenarioRunner& runner, CutDomain domain) {
  SweepCounts counts;
  RunResult baseline = runner.Run({});
  if (!baseline.ok) return counts;
  counts.flash_ops = baseline.flash_ops;
  counts.otp_ops = baseline.otp_ops;
  const uint64_t ops = domain == CutDomain::kFlash ? baseline.flash_ops : baseline.otp_ops;
  for (sim::CutMode mode : kAllModes) {
    for (uint64_t op = 0; op < ops; ++op) {
      // A few seeds per OTP op: its torn modes pick the torn word at random.
      const uint64_t seeds = domain == CutDomain::kOtp ? 4 : 1;
      for (uint64_t s = 0; s < seeds; ++s) {
        Cut cut{domain, op, mode, op * 131 + s * 7 + static_cast<uint64_t>(mode)};
        RunResult r = runner.Run({cut});
        if (!r.ok) return counts;
        EXPECT_TRUE(r.first_cut_fired) << Describe(cut) << " did not fire";
        if (!r.first_cut_fired) return counts;
        ++counts.cut_points;
        ++counts.outcomes[r.ran];
      }
    }
  }
  return counts;
}

inline std::string FormatOutcomes(const SweepCounts& counts) {
  std::string out;
  for (const auto& [name, n] : counts.outcomes) {
    out += (out.empty() ? "" : ", ") + name + ":" + std::to_string(n);
  }
  return out;
}

}  // namespace bleota::boot::powerfail
