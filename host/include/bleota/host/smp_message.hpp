// SMP packets as the client writes and reads them: a request is the 8-byte header (the core's
// EncodeSmpHeader) and the CBOR of a JSON object (nlohmann::json::to_cbor: definite-length map,
// shortest integer heads, json::binary as a byte string); a reply is checked with the core's
// DecodeSmpPacket and its CBOR map decoded (definite or indefinite length).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "bleota/smp/smp_header.hpp"

namespace bleota::host {

struct SmpCommand {
  smp::SmpOp op = smp::SmpOp::kRead;  // kRead or kWrite
  uint16_t group = 0;
  uint8_t command = 0;
  nlohmann::json payload = nlohmann::json::object();
};

// Header + CBOR. Throws HostError(kUsage) when the payload does not fit the 16-bit length field
// and HostError(kInternal) when the op is not a request op.
std::vector<uint8_t> EncodeSmpRequest(const SmpCommand& command, smp::SmpVersion version,
                                      uint8_t sequence);

// The size EncodeSmpRequest would produce.
size_t SmpRequestSize(const nlohmann::json& payload);

struct SmpReply {
  smp::SmpHeader header;
  nlohmann::json payload;     // a JSON object when payload_error is empty
  std::string payload_error;  // why the payload is not one CBOR map, empty when it is
};

// Parses a received packet. std::nullopt when it is not an SMP response at all (header refused,
// length field not matching the packet, request op): such packets are dropped by the client.
// A response whose payload is not a CBOR map comes back with payload_error set, so the client can
// fail the request it answers.
std::optional<SmpReply> ParseSmpReply(std::span<const uint8_t> packet);

// Whether `reply` answers `command` sent with `sequence`: same group, command and sequence, and the
// response op of the request's op.
bool ReplyAnswers(const SmpReply& reply, const SmpCommand& command, uint8_t sequence);

// An unsigned integer field of a reply map; std::nullopt when absent. Throws HostError(kDevice)
// naming `what` and the key when present with another type or above `max`.
std::optional<uint64_t> ReplyUint(const nlohmann::json& payload, std::string_view key, uint64_t max,
                                  std::string_view what);

// A text, byte-string or boolean field, with the same rules.
std::optional<std::string> ReplyText(const nlohmann::json& payload, std::string_view key,
                                     std::string_view what);
std::optional<std::vector<uint8_t>> ReplyBytes(const nlohmann::json& payload, std::string_view key,
                                               std::string_view what);
std::optional<bool> ReplyBool(const nlohmann::json& payload, std::string_view key,
                              std::string_view what);

}  // namespace bleota::host
