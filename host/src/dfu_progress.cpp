#include "bleota/host/dfu_progress.hpp"

#include <cstdio>

namespace bleota::host {

std::string RenderUploadProgress(const UploadProgress& p) {
  constexpr int kBarWidth = 20;
  const double fraction =
      p.total == 0 ? 1.0 : static_cast<double>(p.acknowledged) / static_cast<double>(p.total);
  const int filled = static_cast<int>(fraction * kBarWidth);
  std::string line = "[" + std::string(static_cast<size_t>(filled), '#') +
                     std::string(static_cast<size_t>(kBarWidth - filled), '.') + "]";
  char text[128];
  const double rate = p.seconds > 0 ? static_cast<double>(p.acknowledged) / p.seconds : 0;
  std::snprintf(text, sizeof(text), " %3d%%  %llu/%llu B  %.1f kB/s",
                static_cast<int>(fraction * 100), static_cast<unsigned long long>(p.acknowledged),
                static_cast<unsigned long long>(p.total), rate / 1000.0);
  line += text;
  if (rate > 0 && p.acknowledged < p.total) {
    const auto left =
        static_cast<unsigned long long>(static_cast<double>(p.total - p.acknowledged) / rate + 0.5);
    std::snprintf(text, sizeof(text), "  ETA %llu:%02llu", left / 60, left % 60);
    line += text;
  }
  return line;
}

void UploadProgressBar::Update(const UploadProgress& progress) {
  if (!enabled_) return;
  const auto now = std::chrono::steady_clock::now();
  const bool done = progress.acknowledged >= progress.total;
  if (drawn_ && !done && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  drawn_ = true;
  // \r and clear-to-end: the line may get shorter (the ETA disappears).
  out_ << "\r" << RenderUploadProgress(progress) << "\x1b[K" << std::flush;
}

void UploadProgressBar::Finish() {
  if (drawn_) out_ << "\n" << std::flush;
  drawn_ = false;
}

}  // namespace bleota::host
