#include "bleota/boot/swap_engine.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "slot_fixture.hpp"

namespace bleota::boot {
namespace {

using testing::LayoutSpec;
using testing::RandomBytes;
using testing::SlotFixture;

// Old image in primary, new image at logical sector 0 (as an upload leaves it).
struct Images {
  std::vector<uint8_t> old_image, new_image;
  uint32_t sectors;
};

Images Prepare(SlotFixture& f, Images im) {
  f.Put(f.primary, 0, im.old_image);
  f.Put(f.secondary, 0, im.new_image);
  const uint32_t ss = f.Geometry().sector_size();
  im.sectors = std::max(SectorsFor(static_cast<uint32_t>(im.old_image.size()), ss),
                        SectorsFor(static_cast<uint32_t>(im.new_image.size()), ss));
  return im;
}

Images Prepare(SlotFixture& f, uint32_t old_size, uint32_t new_size, uint64_t seed) {
  return Prepare(f, Images{RandomBytes(old_size, seed), RandomBytes(new_size, seed + 1), 0});
}

// Reads the logical secondary starting at sector `first`.
std::vector<uint8_t> ReadLogical(const SlotGeometry& g, uint32_t first, uint32_t size) {
  std::vector<uint8_t> out(size);
  for (uint32_t at = 0; at < size; at += g.sector_size()) {
    SectorRef ref = g.Logical(first + at / g.sector_size());
    uint32_t n = std::min(g.sector_size(), size - at);
    EXPECT_TRUE(ref.area->Read(ref.offset, std::span(out).subspan(at, n)).ok());
  }
  return out;
}

BootState SwapState(uint32_t sectors, bool shifted) {
  BootState s;
  s.op = BootOp::kSwap;
  s.swap_sectors = static_cast<uint16_t>(sectors);
  s.secondary_shifted = shifted;
  return s;
}

class SwapEngineTest : public ::testing::TestWithParam<LayoutSpec> {};

TEST_P(SwapEngineTest, InstallThenRevertExchangesTheImages) {
  SlotFixture f(GetParam());
  SlotGeometry g = f.Geometry();
  const uint32_t full = g.max_image_size();
  Images im = Prepare(f, full - g.sector_size() / 2, full, 5);  // new one fills the slot
  BootStateStore store(f.boot_state);
  std::vector<uint8_t> work(f.spec.copy_chunk);
  SwapEngine engine(g, store, work);

  BootState state = SwapState(im.sectors, false);
  ASSERT_TRUE(engine.Run(state, nullptr).ok());
  EXPECT_EQ(state.step, 2 * im.sectors);
  EXPECT_EQ(f.Get(f.primary, 0, full), im.new_image);
  EXPECT_EQ(ReadLogical(g, 1, static_cast<uint32_t>(im.old_image.size())), im.old_image);

  BootState revert = SwapState(im.sectors, true);
  ASSERT_TRUE(engine.Run(revert, nullptr).ok());
  EXPECT_EQ(f.Get(f.primary, 0, static_cast<uint32_t>(im.old_image.size())), im.old_image);
  EXPECT_EQ(ReadLogical(g, 0, full), im.new_image);
}

TEST_P(SwapEngineTest, EachSlotSectorIsErasedOncePerSwap) {
  SlotFixture f(GetParam());
  SlotGeometry g = f.Geometry();
  Images im = Prepare(f, g.max_image_size(), g.max_image_size(), 9);
  BootStateStore store(f.boot_state);
  std::vector<uint8_t> work(f.spec.copy_chunk);
  SwapEngine engine(g, store, work);
  BootState state = SwapState(im.sectors, false);
  ASSERT_TRUE(engine.Run(state, nullptr).ok());
  const auto& erases = f.flash.erase_counts();
  for (uint32_t i = 0; i < g.slot_sectors(); ++i) {
    Result<Sector> p = f.flash.geometry().SectorAt(f.primary.offset() + i * g.sector_size());
    Result<Sector> s = f.flash.geometry().SectorAt(f.secondary.offset() + i * g.sector_size());
    EXPECT_EQ(erases[p->index], 1u) << "primary sector " << i;
    EXPECT_EQ(erases[s->index], i == 0 ? 0u : 1u) << "secondary sector " << i;
  }
  Result<Sector> w = f.flash.geometry().SectorAt(f.swap.offset());
  EXPECT_EQ(erases[w->index], 1u);
}

TEST_P(SwapEngineTest, SmallImagesLeaveTheSwapAreaAlone) {
  SlotFixture f(GetParam());
  SlotGeometry g = f.Geometry();
  Images im = Prepare(f, g.sector_size() - 10, g.sector_size() / 2, 11);
  BootStateStore store(f.boot_state);
  std::vector<uint8_t> work(f.spec.copy_chunk);
  SwapEngine engine(g, store, work);
  BootState state = SwapState(im.sectors, false);
  ASSERT_TRUE(engine.Run(state, nullptr).ok());
  Result<Sector> w = f.flash.geometry().SectorAt(f.swap.offset());
  EXPECT_EQ(f.flash.erase_counts()[w->index], 0u);
  EXPECT_EQ(f.Get(f.primary, 0, static_cast<uint32_t>(im.new_image.size())), im.new_image);
}

TEST_P(SwapEngineTest, RefusesMoreSectorsThanTheSlotHolds) {
  SlotFixture f(GetParam());
  SlotGeometry g = f.Geometry();
  BootStateStore store(f.boot_state);
  std::vector<uint8_t> work(f.spec.copy_chunk);
  SwapEngine engine(g, store, work);
  BootState state = SwapState(g.max_image_sectors() + 1, false);
  EXPECT_EQ(engine.Run(state, nullptr).code(), StatusCode::kFailedPrecondition);
}

// Power cut at every flash operation of an install and of a revert, in every cut mode; after
// each cut the device "reboots": loads the journal and resumes. The result is always exact.
TEST_P(SwapEngineTest, PowerCutAtEveryOperation) {
  const sim::CutMode modes[] = {sim::CutMode::kBefore, sim::CutMode::kProgramPartial,
                                sim::CutMode::kProgramWordNoise, sim::CutMode::kEraseNoise,
                                sim::CutMode::kAfter};
  uint32_t cuts = 0;
  Images images;
  {
    SlotFixture f(GetParam());
    SlotGeometry g = f.Geometry();
    images = Prepare(f, g.max_image_size() - 100, g.max_image_size(), 21);
  }
  for (bool revert : {false, true}) {
    for (sim::CutMode mode : modes) {
      for (uint64_t cut_at = 0;; ++cut_at) {
        SlotFixture f(GetParam());
        SlotGeometry g = f.Geometry();
        const Images im = Prepare(f, images);
        std::vector<uint8_t> work(f.spec.copy_chunk);
        if (revert) {  // start from the installed state
          BootStateStore store(f.boot_state);
          SwapEngine engine(g, store, work);
          BootState state = SwapState(im.sectors, false);
          ASSERT_TRUE(engine.Run(state, nullptr).ok());
          state = BootState();
          state.op = BootOp::kSwap;
          state.swap_sectors = static_cast<uint16_t>(im.sectors);
          state.secondary_shifted = true;
          ASSERT_TRUE(store.Save(state).ok());
          f.flash.ResetOpCount();
        } else {
          BootStateStore store(f.boot_state);
          BootState state = SwapState(im.sectors, false);
          ASSERT_TRUE(store.Save(state).ok());
          f.flash.ResetOpCount();
        }
        f.flash.ArmPowerCut(cut_at, mode, cut_at * 7 + static_cast<uint64_t>(mode));
        for (int boot = 0; boot < 3; ++boot) {
          BootStateStore store(f.boot_state);
          Result<BootState> state = store.Load();
          ASSERT_TRUE(state.ok());
          ASSERT_EQ(state->op, BootOp::kSwap);
          SwapEngine engine(g, store, work);
          if (engine.Run(*state, nullptr).ok()) break;
          ASSERT_TRUE(f.flash.cut_happened());
          f.flash.PowerOn();
        }
        if (!f.flash.cut_happened()) break;  // cut_at is past the last operation
        ++cuts;
        const std::vector<uint8_t>& expect_primary = revert ? im.old_image : im.new_image;
        EXPECT_EQ(f.Get(f.primary, 0, static_cast<uint32_t>(expect_primary.size())), expect_primary)
            << f.spec.name << (revert ? " revert " : " install ") << sim::CutModeName(mode)
            << " cut at " << cut_at;
        const std::vector<uint8_t>& expect_secondary = revert ? im.new_image : im.old_image;
        EXPECT_EQ(ReadLogical(g, revert ? 0 : 1, static_cast<uint32_t>(expect_secondary.size())),
                  expect_secondary)
            << f.spec.name << (revert ? " revert " : " install ") << sim::CutModeName(mode)
            << " cut at " << cut_at;
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
  std::printf("%s: %u power cuts covered (install + revert, 5 modes)\n", GetParam().name.c_str(),
              cuts);
  EXPECT_GT(cuts, 100u);
}

std::vector<uint8_t> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::vector<uint8_t>(std::istreambuf_iterator<char>(in), {});
}

// An encrypted image is decrypted on its way into primary, also when every step is resumed.
TEST_P(SwapEngineTest, DecryptsAnEncryptedImageWhileInstalling) {
  const std::string dir = BLEOTA_VECTOR_DIR;
  std::vector<uint8_t> enc = ReadFile(dir + "/images/enc_ec256_aes256.bin");
  std::vector<uint8_t> plain = ReadFile(dir + "/expected/enc_ec256_aes256.decrypted.bin");
  ASSERT_FALSE(enc.empty());
  const uint8_t ec256_private[32] = {0x40, 0xd5, 0xab, 0x67, 0x82, 0xc2, 0x39, 0x29,
                                     0xa1, 0x4c, 0x20, 0xff, 0x70, 0xc6, 0x47, 0x4a,
                                     0xbb, 0xb4, 0x24, 0x03, 0x21, 0xe7, 0x3c, 0x0f,
                                     0x02, 0xc0, 0x60, 0x4f, 0x5c, 0xdb, 0xf8, 0xd2};
  image::DecryptionKeys keys;
  keys.ec256_private = ec256_private;

  for (uint64_t cut_at : {uint64_t{0}, uint64_t{3}, uint64_t{17}, uint64_t{40}, ~uint64_t{0}}) {
    SlotFixture f(GetParam());
    SlotGeometry g = f.Geometry();
    ASSERT_LE(enc.size(), g.max_image_size());
    f.Put(f.secondary, 0, enc);
    const uint32_t sectors = SectorsFor(static_cast<uint32_t>(enc.size()), g.sector_size());
    std::vector<uint8_t> work(f.spec.copy_chunk);
    {
      BootStateStore store(f.boot_state);
      BootState state = SwapState(sectors, false);
      ASSERT_TRUE(store.Save(state).ok());
    }
    f.flash.ResetOpCount();
    f.flash.ArmPowerCut(cut_at, sim::CutMode::kProgramWordNoise, cut_at);
    for (int boot = 0; boot < 3; ++boot) {
      BootStateStore store(f.boot_state);
      Result<BootState> state = store.Load();
      ASSERT_TRUE(state.ok());
      SwapEngine engine(g, store, work);
      if (engine.Run(*state, &keys).ok()) break;
      f.flash.PowerOn();
    }
    EXPECT_EQ(f.Get(f.primary, 0, static_cast<uint32_t>(plain.size())), plain)
        << f.spec.name << " cut at " << cut_at;
  }
}

INSTANTIATE_TEST_SUITE_P(Geometries, SwapEngineTest,
                         ::testing::Values(testing::SmallLayouts()[0], testing::SmallLayouts()[1],
                                           testing::SmallLayouts()[2],
                                           testing::WithAlign(testing::SmallLayouts()[0], 8),
                                           testing::WithAlign(testing::SmallLayouts()[0], 16)),
                         [](const auto& info) {
                           std::string name = info.param.name;
                           std::replace(name.begin(), name.end(), '-', '_');
                           return name;
                         });

}  // namespace
}  // namespace bleota::boot
