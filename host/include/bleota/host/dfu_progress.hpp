// The upload progress line on stderr: bar, bytes, percent, rate and time left. Drawn only when
// enabled (the CLI enables it for a terminal without --json), at most every 100 ms.
#pragma once

#include <chrono>
#include <ostream>
#include <string>

#include "bleota/host/dfu_upload.hpp"

namespace bleota::host {

// "[##########..........]  50%  131072/262144 B  64.0 kB/s  ETA 0:02" (kB = 1000 bytes).
std::string RenderUploadProgress(const UploadProgress& progress);

class UploadProgressBar {
 public:
  UploadProgressBar(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}
  void Update(const UploadProgress& progress);
  // Ends the line if anything was drawn.
  void Finish();

 private:
  std::ostream& out_;
  bool enabled_;
  bool drawn_ = false;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace bleota::host
