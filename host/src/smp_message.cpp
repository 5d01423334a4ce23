#include "bleota/host/smp_message.hpp"

#include "bleota/host/error.hpp"

namespace bleota::host {

using nlohmann::json;

std::vector<uint8_t> EncodeSmpRequest(const SmpCommand& command, smp::SmpVersion version,
                                      uint8_t sequence) {
  if (command.op != smp::SmpOp::kRead && command.op != smp::SmpOp::kWrite) {
    ThrowInternal("an SMP request must be a read or a write");
  }
  const std::vector<uint8_t> cbor = json::to_cbor(command.payload);
  if (cbor.size() > 0xFFFF) {
    ThrowUsage("SMP request payload of " + std::to_string(cbor.size()) +
               " bytes exceeds the 65535-byte length field");
  }
  smp::SmpHeader header;
  header.version = version;
  header.op = command.op;
  header.length = static_cast<uint16_t>(cbor.size());
  header.group = command.group;
  header.sequence = sequence;
  header.command = command.command;
  std::vector<uint8_t> packet(smp::kSmpHeaderSize + cbor.size());
  if (!smp::EncodeSmpHeader(header, ByteSpan(packet.data(), smp::kSmpHeaderSize)).ok()) {
    ThrowInternal("SMP header encoding failed");
  }
  std::copy(cbor.begin(), cbor.end(), packet.begin() + smp::kSmpHeaderSize);
  return packet;
}

size_t SmpRequestSize(const json& payload) {
  return smp::kSmpHeaderSize + json::to_cbor(payload).size();
}

std::optional<SmpReply> ParseSmpReply(std::span<const uint8_t> packet) {
  const Result<smp::SmpHeader> header = smp::DecodeSmpPacket(ConstByteSpan(packet));
  if (!header.ok()) return std::nullopt;
  if (header->op != smp::SmpOp::kReadRsp && header->op != smp::SmpOp::kWriteRsp) {
    return std::nullopt;
  }
  SmpReply reply;
  reply.header = *header;
  const auto cbor = packet.subspan(smp::kSmpHeaderSize);
  if (cbor.empty()) {
    reply.payload = json::object();  // tolerated: nothing to report
    return reply;
  }
  try {
    reply.payload = json::from_cbor(cbor.begin(), cbor.end());
  } catch (const json::exception& e) {
    reply.payload = json::object();
    reply.payload_error = std::string("payload is not valid CBOR: ") + e.what();
    return reply;
  }
  if (!reply.payload.is_object()) {
    reply.payload_error =
        std::string("payload is a CBOR ") + reply.payload.type_name() + ", not a map";
    reply.payload = json::object();
  }
  return reply;
}

bool ReplyAnswers(const SmpReply& reply, const SmpCommand& command, uint8_t sequence) {
  const smp::SmpOp expected_op =
      command.op == smp::SmpOp::kRead ? smp::SmpOp::kReadRsp : smp::SmpOp::kWriteRsp;
  return reply.header.sequence == sequence && reply.header.group == command.group &&
         reply.header.command == command.command && reply.header.op == expected_op;
}

namespace {

[[noreturn]] void ThrowField(std::string_view what, std::string_view key, const std::string& why) {
  ThrowDevice("malformed reply to " + std::string(what) + ": field '" + std::string(key) + "' " +
              why);
}

const json* FindField(const json& payload, std::string_view key) {
  const auto it = payload.find(std::string(key));
  return it == payload.end() ? nullptr : &*it;
}

}  // namespace

std::optional<uint64_t> ReplyUint(const json& payload, std::string_view key, uint64_t max,
                                  std::string_view what) {
  const json* value = FindField(payload, key);
  if (value == nullptr) return std::nullopt;
  // CBOR unsigned integers decode as number_unsigned; JSON built in code may hold a
  // non-negative number_integer, which is the same value.
  const bool unsigned_value =
      value->is_number_unsigned() || (value->is_number_integer() && value->get<int64_t>() >= 0);
  if (!unsigned_value) {
    ThrowField(what, key,
               std::string("is a ") + value->type_name() + ", expected an unsigned integer");
  }
  const uint64_t n = value->get<uint64_t>();
  if (n > max) ThrowField(what, key, std::to_string(n) + " exceeds " + std::to_string(max));
  return n;
}

std::optional<std::string> ReplyText(const json& payload, std::string_view key,
                                     std::string_view what) {
  const json* value = FindField(payload, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_string()) {
    ThrowField(what, key, std::string("is a ") + value->type_name() + ", expected text");
  }
  return value->get<std::string>();
}

std::optional<std::vector<uint8_t>> ReplyBytes(const json& payload, std::string_view key,
                                               std::string_view what) {
  const json* value = FindField(payload, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_binary()) {
    ThrowField(what, key, std::string("is a ") + value->type_name() + ", expected bytes");
  }
  const json::binary_t& bytes = value->get_binary();
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

std::optional<bool> ReplyBool(const json& payload, std::string_view key, std::string_view what) {
  const json* value = FindField(payload, key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    ThrowField(what, key, std::string("is a ") + value->type_name() + ", expected a boolean");
  }
  return value->get<bool>();
}

}  // namespace bleota::host
