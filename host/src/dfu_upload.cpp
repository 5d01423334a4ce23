#include "bleota/host/dfu_upload.hpp"

#include <algorithm>
#include <chrono>
#include <deque>

#include "bleota/crypto/crypto.hpp"
#include "bleota/host/dfu_upload_chunker.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/smp_device_error.hpp"

namespace bleota::host {

using Clock = std::chrono::steady_clock;
using nlohmann::json;
using std::chrono::milliseconds;

namespace {

inline constexpr size_t kMaxWindow = 64;  // well below the 256 sequence numbers

struct InFlight {
  uint8_t sequence = 0;
  uint32_t offset = 0;
  uint32_t end = 0;
  SmpCommand command;
  Clock::time_point deadline;
  uint64_t send_index = 0;  // order of sending (1, 2, ...)
};

std::string At(uint32_t offset) { return "upload at offset " + std::to_string(offset); }

class UploadSession {
 public:
  UploadSession(SmpClient& client, std::span<const uint8_t> data, const UploadOptions& options,
                UploadResult& result, const UploadChunker& chunker)
      : client_(client), data_(data), options_(options), result_(result), chunker_(chunker) {}

  void Run() {
    start_ = Clock::now();
    const uint32_t total = static_cast<uint32_t>(data_.size());
    while (acknowledged_ < total) {
      FillWindow(total);
      if (in_flight_.empty()) {
        // Every request in flight was answered without acknowledging all data (refusals
        // deferred above): continue from what the device has.
        RestartFrom(acknowledged_);
        continue;
      }
      const auto wait = std::max(milliseconds(0), std::chrono::duration_cast<milliseconds>(
                                                      in_flight_.front().deadline - Clock::now()));
      std::optional<SmpReply> reply = client_.ReceiveReply(wait);
      if (!reply) {
        OnTimeout();
        continue;
      }
      OnReply(*reply, total);
    }
    result_.seconds = Seconds();
  }

 private:
  double Seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }

  void FillWindow(uint32_t total) {
    while (in_flight_.size() < result_.window && next_send_ < total) {
      const size_t length = chunker_.DataSizeAt(next_send_);
      InFlight entry;
      entry.offset = next_send_;
      entry.end = next_send_ + static_cast<uint32_t>(length);
      entry.command = chunker_.RequestAt(next_send_, length);
      const std::vector<uint8_t> packet = client_.Encode(entry.command, entry.sequence);
      client_.SendPacket(packet);
      entry.deadline = Clock::now() + client_.options().timeout;
      entry.send_index = ++sends_;
      ++result_.requests;
      result_.bytes_sent += length;
      next_send_ = entry.end;
      in_flight_.push_back(std::move(entry));
    }
  }

  // No reply before the oldest request's deadline: start again from the last acknowledged
  // offset, unless retries are used up without progress.
  void OnTimeout() {
    ++result_.timeouts;
    const uint32_t offset = in_flight_.front().offset;
    if (++failures_without_progress_ > client_.options().retries) {
      client_.ThrowNoReply(At(offset), client_.options().retries + 1);
    }
    client_.NoteResend();
    client_.transport().Resync();
    RestartFrom(acknowledged_);
  }

  void RestartFrom(uint32_t offset) {
    in_flight_.clear();
    next_send_ = offset;
  }

  // Like RestartFrom, but requests in flight from `offset` on, back to back, that were sent after
  // the request this reply answers (`answered`) stay: the device takes them next (after a
  // reconnect it is often a request or two ahead of the acknowledgements). Sending them again
  // would make the device run ahead of the resends and ask for another offset, over and over.
  // Requests sent before the answered one are not kept: the device has seen them, or lost them.
  void ContinueFrom(uint32_t offset, uint64_t answered) {
    size_t keep = 0;
    uint32_t end = offset;
    for (const InFlight& entry : in_flight_) {
      if (entry.offset != end || entry.send_index < answered) break;
      end = entry.end;
      ++keep;
    }
    in_flight_.resize(keep);
    next_send_ = end;
  }

  void OnReply(const SmpReply& reply, uint32_t total) {
    const auto it = std::find_if(in_flight_.begin(), in_flight_.end(), [&](const InFlight& e) {
      return ReplyAnswers(reply, e.command, e.sequence);
    });
    if (it == in_flight_.end()) {
      ++result_.stale_replies;
      client_.NoteStale();
      return;
    }
    const InFlight entry = *it;
    in_flight_.erase(it);
    const std::string what = At(entry.offset);
    if (!reply.payload_error.empty()) {
      ThrowDevice("malformed reply to " + what + ": " + reply.payload_error);
    }
    if (std::optional<SmpErrorCode> error = ReplyErrorCode(reply.payload, what)) {
      // A request after a lost one may be refused for its offset; the earlier one's reply or
      // timeout decides. An error at the acknowledged offset is the device's final word.
      if (entry.offset != acknowledged_) {
        ++result_.stale_replies;
        return;
      }
      throw SmpDeviceError(what, *error);
    }
    const std::optional<uint64_t> next = ReplyUint(reply.payload, "off", UINT32_MAX, what);
    if (!next) ThrowDevice("malformed reply to " + what + ": no field 'off'");
    if (*next > total) {
      ThrowDevice("the device asks for offset " + std::to_string(*next) + " in reply to " + what +
                  ", beyond the image size " + std::to_string(total));
    }
    const uint32_t wanted = static_cast<uint32_t>(*next);
    const std::optional<bool> match = ReplyBool(reply.payload, "match", what);
    // The device writes in order: everything below the offset it wants is stored.
    std::erase_if(in_flight_, [wanted](const InFlight& e) { return e.end <= wanted; });
    if (wanted == entry.end) {
      if (wanted > acknowledged_) Progress(wanted);
    } else {
      ++result_.resumes;
      if (wanted > acknowledged_) {
        Progress(wanted);
      } else if (++failures_without_progress_ > client_.options().retries + 1) {
        ThrowDevice("the device keeps asking for offset " + std::to_string(wanted) +
                    " without accepting data (last request: " + what + ")");
      } else {
        acknowledged_ = wanted;  // it went back (restarted): resume there
      }
      ContinueFrom(wanted, entry.send_index);
    }
    if (wanted == total) result_.match = match;
  }

  void Progress(uint32_t acknowledged) {
    acknowledged_ = acknowledged;
    failures_without_progress_ = 0;
    if (options_.on_progress) {
      options_.on_progress(UploadProgress{acknowledged, data_.size(), Seconds()});
    }
  }

  SmpClient& client_;
  std::span<const uint8_t> data_;
  const UploadOptions& options_;
  UploadResult& result_;
  const UploadChunker& chunker_;
  std::deque<InFlight> in_flight_;
  uint32_t acknowledged_ = 0;
  uint32_t next_send_ = 0;
  uint64_t sends_ = 0;
  unsigned failures_without_progress_ = 0;
  Clock::time_point start_;
};

}  // namespace

UploadResult UploadImage(SmpClient& client, std::span<const uint8_t> data,
                         const UploadOptions& options) {
  if (data.empty()) ThrowUsage("the upload is empty");
  if (data.size() > UINT32_MAX) ThrowUsage("the upload exceeds 4 GiB");
  if (options.window == 0 || options.window > kMaxWindow) {
    ThrowUsage("--window: " + std::to_string(options.window) + " is out of range (1.." +
               std::to_string(kMaxWindow) + ")");
  }
  UploadResult result;
  result.size = data.size();
  if (!crypto::Sha256Digest(ConstByteSpan(data.data(), data.size()), result.sha256).ok()) {
    ThrowInternal("SHA-256 of the upload failed");
  }
  if (options.params) {
    result.params = *options.params;
  } else if (std::optional<DeviceParams> params = OsParams(client)) {
    result.params = *params;
    result.params_from_device = true;
  } else {
    result.params = kFallbackDeviceParams;
  }
  result.window = std::min<size_t>({options.window, result.params.buf_count, kMaxWindow});
  result.packet_limit =
      std::min<size_t>(result.params.buf_size, client.transport().max_packet_size());
  const size_t piece =
      options.piece_size != 0 ? options.piece_size : client.transport().link_piece_size();
  const UploadChunker chunker(data, result.sha256, options.image, result.packet_limit, piece);
  result.max_chunk = chunker.DataSizeAt(0);
  if (data.size() > result.max_chunk) {
    result.max_chunk = std::max(result.max_chunk, chunker.DataSizeAt(result.max_chunk));
  }
  if (options.on_start) options.on_start();
  UploadSession(client, data, options, result, chunker).Run();
  if (result.match && !*result.match) {
    throw HostError(ExitCode::kVerifyFailed,
                    "the device reports that the uploaded data does not match its SHA-256 " +
                        HexBytes(result.sha256.data(), result.sha256.size()) +
                        " (match: false); upload again");
  }
  return result;
}

json UploadResult::ToJson() const {
  return {{"size", size},
          {"sha256", HexBytes(sha256.data(), sha256.size())},
          {"buf_size", params.buf_size},
          {"buf_count", params.buf_count},
          {"params_from_device", params_from_device},
          {"packet_limit", packet_limit},
          {"max_chunk", max_chunk},
          {"window", window},
          {"requests", requests},
          {"bytes_sent", bytes_sent},
          {"timeouts", timeouts},
          {"resumes", resumes},
          {"stale_replies", stale_replies},
          {"match", match ? json(*match) : json(nullptr)},
          {"seconds", seconds}};
}

}  // namespace bleota::host
