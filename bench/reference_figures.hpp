// Published figures the `bleota bench` tables compare against. Sources: the project's reference
// model /work/shared/reference/ble-and-flash-model.md (nRF52840 flash, 256 KiB image, 4 KiB
// pages; MCUboot's strategies modelled with those figures) and issue 6 (the peers' published
// transfer rates). kB = 1000 bytes, as in those sources.
#pragma once

#include <cstdint>

namespace bleota::bench::reference {

// Flash bound of a whole update, nRF52840, 256 KiB image.
inline constexpr double kWriteWhileReceivingS = 8.1;  // 64 x (85 ms erase + 42 ms program)
inline constexpr double kSwapWithRollbackS = 16.3;    // both slots rewritten once: 128 x 127 ms
inline constexpr double kMcubootSwapMoveScratchS = 24.4;
inline constexpr double kTransfer2mDleS = 1.6;  // 256 KiB at ~163 kB/s (link alone)

// Peers' transfer rates, kB/s.
inline constexpr double kMcumgrUnpipelinedLowKBps = 2;
inline constexpr double kMcumgrUnpipelinedHighKBps = 4;
inline constexpr double kMcumgrPipelinedKBps = 36;
inline constexpr double kNordicSecureDfuLowKBps = 6;
inline constexpr double kNordicSecureDfuHighKBps = 9;

// MCUboot swap-scratch erases its scratch sector once per sector swapped: 64 times for a
// 256 KiB update on 4 KiB pages.
inline constexpr uint32_t kMcubootScratchErasesPerUpdate = 64;

// The image size the reference figures are for.
inline constexpr uint32_t kImageSize = 256 * 1024;

}  // namespace bleota::bench::reference
