#include "dfu_fake_device.hpp"

#include "bleota/crypto/crypto.hpp"

namespace bleota::host::test {

using nlohmann::json;

std::vector<uint8_t> MakeReply(const smp::SmpHeader& request, const json& payload) {
  const std::vector<uint8_t> cbor = json::to_cbor(payload);
  smp::SmpHeader header = request;
  header.op = request.op == smp::SmpOp::kRead ? smp::SmpOp::kReadRsp : smp::SmpOp::kWriteRsp;
  header.length = static_cast<uint16_t>(cbor.size());
  std::vector<uint8_t> packet(smp::kSmpHeaderSize);
  (void)smp::EncodeSmpHeader(header, ByteSpan(packet.data(), packet.size()));
  packet.insert(packet.end(), cbor.begin(), cbor.end());
  return packet;
}

void FakeSmpDevice::Restart() {
  started_ = false;
  expected_ = 0;
  stored_.clear();
}

std::optional<std::vector<uint8_t>> FakeSmpDevice::Handle(const std::vector<uint8_t>& request) {
  const Result<smp::SmpHeader> header = smp::DecodeSmpPacket(ConstByteSpan(request));
  if (!header.ok()) return std::nullopt;
  const json payload = json::from_cbor(request.begin() + smp::kSmpHeaderSize, request.end());
  const uint16_t group = header->group;
  const uint8_t command = header->command;
  if (group == 0 && command == 0) return MakeReply(*header, {{"r", payload.at("d")}});
  if (group == 0 && command == 5) {
    ++resets;
    return MakeReply(*header, json::object());
  }
  if (group == 0 && command == 6) {
    if (!params_supported) return MakeReply(*header, {{"rc", 8}});
    return MakeReply(*header, {{"buf_size", buf_size}, {"buf_count", buf_count}});
  }
  if (group == 1 && command == 0) {
    if (header->op == smp::SmpOp::kWrite) state_writes.push_back(payload);
    json image = {{"image", 0},         {"slot", 1},
                  {"version", "1.2.3"}, {"hash", json::binary(std::vector<uint8_t>(32, 0x11))},
                  {"bootable", true},   {"pending", !state_writes.empty()},
                  {"confirmed", false}, {"active", false},
                  {"permanent", false}};
    return MakeReply(*header, {{"images", json::array({image})}, {"splitStatus", 0}});
  }
  if (group == 1 && command == 1) return MakeReply(*header, Upload(payload));
  if (group == 1 && command == 5) {
    erases.push_back(payload);
    Restart();
    return MakeReply(*header, json::object());
  }
  if (group == 1 && command == 6) {
    json slots = json::array({json{{"slot", 0}, {"size", 262144}},
                              json{{"slot", 1}, {"size", 262144}, {"upload_image_id", 0}}});
    json image = {{"image", 0}, {"slots", slots}, {"max_image_size", 261000}};
    return MakeReply(*header, {{"images", json::array({image})}});
  }
  return MakeReply(*header, {{"rc", 8}});
}

json FakeSmpDevice::Upload(const json& request) {
  upload_requests.push_back(request);
  const uint32_t off = request.at("off").get<uint32_t>();
  const json::binary_t& data = request.at("data").get_binary();
  if (fail_at && fail_at->first == off) {
    return {{"err", {{"group", 1}, {"rc", fail_at->second}}}};
  }
  if (off == 0) {
    const std::vector<uint8_t> sha(request.at("sha").get_binary().begin(),
                                   request.at("sha").get_binary().end());
    if (resume_at) {
      // An earlier session stored this much of the same upload.
      started_ = true;
      length_ = request.at("len").get<uint32_t>();
      sha_ = sha;
      stored_.assign(*resume_at, 0);  // content checked by the test from the resume point on
      expected_ = *resume_at;
      resume_at.reset();
      return {{"rc", 0}, {"off", expected_}};
    }
    if (started_ && sha == sha_ && length_ == request.at("len").get<uint32_t>()) {
      return {{"rc", 0}, {"off", expected_}};  // same upload: continue where it stopped
    }
    started_ = true;
    length_ = request.at("len").get<uint32_t>();
    sha_ = sha;
    stored_.clear();
    expected_ = 0;
  }
  if (!started_ || off != expected_) return {{"rc", 0}, {"off", expected_}};
  if (expected_ + data.size() > length_) return {{"err", {{"group", 1}, {"rc", 31}}}};
  stored_.insert(stored_.end(), data.begin(), data.end());
  expected_ += static_cast<uint32_t>(data.size());
  json reply = {{"rc", 0}, {"off", expected_}};
  if (expected_ == length_ && report_match) {
    std::array<uint8_t, 32> digest{};
    (void)crypto::Sha256Digest(ConstByteSpan(stored_.data(), stored_.size()), digest);
    reply["match"] =
        !corrupt_match && std::equal(digest.begin(), digest.end(), sha_.begin(), sha_.end());
  }
  return reply;
}

ScriptedTransport::OnSend DeviceLink(FakeSmpDevice& device) {
  return [&device](const std::vector<uint8_t>& packet, std::deque<std::vector<uint8_t>>& queue) {
    if (auto reply = device.Handle(packet)) queue.push_back(std::move(*reply));
  };
}

}  // namespace bleota::host::test
