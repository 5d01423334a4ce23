#include "bleota/host/dfu_update.hpp"

#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/image_inspect.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/version.hpp"
#include "bleota/image/tlv.hpp"

namespace bleota::host {

using nlohmann::json;

UpdateImageFacts InspectUpdateFile(std::span<const uint8_t> file, bool force,
                                   const std::string& name) {
  UpdateImageFacts facts;
  try {
    const ImageReport report = InspectImage(file);
    facts.is_image = true;
    facts.version = FormatVersion(report.layout.header.version);
    if (const TlvReport* sha = report.Find(image::kTlvSha256)) facts.hash = sha->value;
  } catch (const HostError& e) {
    if (e.code() != ExitCode::kImage) throw;
    if (!force) {
      ThrowImage(name + " is not an MCUboot image: " + e.what() +
                 " (use --force to upload it anyway)");
    }
  }
  return facts;
}

UpdateResult RunUpdate(SmpClient& client, std::span<const uint8_t> file,
                       const UpdateImageFacts& facts, const UpdateOptions& options) {
  if (options.mark != UpdateMark::kNone && facts.hash.size() != 32) {
    ThrowUsage(std::string(options.mark == UpdateMark::kTest ? "--test" : "--confirm") +
               " needs the image's SHA256 TLV, and the file has none");
  }
  UpdateResult result;
  result.upload = UploadImage(client, file, options.upload);
  if (options.mark != UpdateMark::kNone) {
    result.state = ImageStateWrite(client, facts.hash, options.mark == UpdateMark::kConfirm);
  }
  if (options.reset) {
    OsReset(client, false);
    result.reset = true;
  }
  return result;
}

json UpdateJson(const std::string& file, const UpdateImageFacts& facts,
                const UpdateOptions& options, const UpdateResult& result) {
  json image = nullptr;
  if (facts.is_image) {
    image = {{"version", facts.version},
             {"hash", facts.hash.empty() ? json(nullptr)
                                         : json(HexBytes(facts.hash.data(), facts.hash.size()))}};
  }
  json marked = nullptr;
  if (options.mark == UpdateMark::kTest) marked = "test";
  if (options.mark == UpdateMark::kConfirm) marked = "confirm";
  return {{"file", file},
          {"image", image},
          {"upload", result.upload.ToJson()},
          {"marked", marked},
          {"state", result.state ? ImageStateJson(*result.state) : json(nullptr)},
          {"reset", result.reset}};
}

}  // namespace bleota::host
