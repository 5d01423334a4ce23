// A whole device update as `bleota dfu image upload` runs it, as a library call for tools and
// integration tests: check the file is an MCUboot image (version, SHA256 TLV), upload it, mark
// it for test or confirm it, and reset.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "bleota/host/dfu_image_requests.hpp"
#include "bleota/host/dfu_upload.hpp"
#include "bleota/host/smp_client.hpp"

namespace bleota::host {

// What the file says about itself.
struct UpdateImageFacts {
  bool is_image = false;      // parsed as an MCUboot image
  std::string version;        // "1.2.3+4", empty when not an image
  std::vector<uint8_t> hash;  // SHA256 TLV, empty when absent
};

// Inspects `file` with the image parser. A file that is not an MCUboot image throws
// HostError(kImage) naming the failed check, unless `force` (then is_image is false).
UpdateImageFacts InspectUpdateFile(std::span<const uint8_t> file, bool force,
                                   const std::string& name);

enum class UpdateMark : uint8_t { kNone, kTest, kConfirm };

struct UpdateOptions {
  UploadOptions upload;
  UpdateMark mark = UpdateMark::kNone;
  bool reset = false;
};

struct UpdateResult {
  UploadResult upload;
  std::optional<ImageStateList> state;  // the device's state after the mark
  bool reset = false;
};

// Uploads `file`, then marks (state write with facts.hash) and resets as asked. HostError(kUsage)
// before anything is sent when a mark is asked and facts.hash is not 32 bytes. Errors as
// UploadImage and SmpClient::Call.
UpdateResult RunUpdate(SmpClient& client, std::span<const uint8_t> file,
                       const UpdateImageFacts& facts, const UpdateOptions& options);

// The `--json` document of `bleota dfu image upload` (docs/cli.md).
nlohmann::json UpdateJson(const std::string& file, const UpdateImageFacts& facts,
                          const UpdateOptions& options, const UpdateResult& result);

}  // namespace bleota::host
