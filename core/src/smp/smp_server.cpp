#include "bleota/smp/smp_server.hpp"

#include "bleota/smp/cbor_reader.hpp"

namespace bleota::smp {
namespace {

// The payload a request without one is given: an empty map. mcumgr-web sends reset and image
// state requests with no payload at all.
constexpr uint8_t kEmptyMap[] = {0xA0};

// The header of a request whose version DecodeSmpHeader refused (2 or 3, reserved bits and op
// valid): answered in v2 with "too new", as Zephyr does.
SmpHeader FutureVersionHeader(ConstByteSpan bytes) {
  SmpHeader header;
  header.version = SmpVersion::kV2;
  header.op = static_cast<SmpOp>(bytes[0] & 0x7);
  header.flags = bytes[1];
  header.length = static_cast<uint16_t>((bytes[2] << 8) | bytes[3]);
  header.group = static_cast<uint16_t>((bytes[4] << 8) | bytes[5]);
  header.sequence = bytes[6];
  header.command = bytes[7];
  return header;
}

// The payload is exactly one well-formed CBOR map (definite or indefinite).
bool IsOneMap(ConstByteSpan payload) {
  CborReader reader(payload);
  CborReader peek = reader;
  const Result<CborItem> head = peek.Next();
  if (!head.ok() || head->type != CborType::kMap) return false;
  if (!reader.Skip().ok()) return false;
  return reader.ExpectEnd().ok();
}

SmpOp ResponseOp(SmpOp request) {
  return request == SmpOp::kRead ? SmpOp::kReadRsp : SmpOp::kWriteRsp;
}

// Writes the response header for `payload_size` bytes of payload; returns the packet size.
size_t FinishResponse(const SmpHeader& request, size_t payload_size, ByteSpan response) {
  SmpHeader header = request;
  header.op = ResponseOp(request.op);
  header.flags = 0;
  header.length = static_cast<uint16_t>(payload_size);
  // Cannot fail: the version and op are enumerators and the caller checked the buffer size.
  EncodeSmpHeader(header, response).IgnoreError();
  return kSmpHeaderSize + payload_size;
}

SmpOutcome GenericError(SmpRc rc) { return SmpOutcome::Generic(rc); }

}  // namespace

SmpGroup* SmpServer::Find(uint16_t group_id) const {
  for (SmpGroup* group : groups_) {
    if (group->group_id() == group_id) return group;
  }
  return nullptr;
}

size_t SmpServer::WriteError(const SmpHeader& request, SmpOutcome outcome,
                             ByteSpan response) const {
  CborWriter writer(response.subspan(kSmpHeaderSize));
  if (outcome.is_group_error() && request.version == SmpVersion::kV2) {
    writer.BeginMap(1);
    writer.WriteText("err");
    writer.BeginMap(2);
    writer.WriteText("group");
    writer.WriteUint(outcome.group());
    writer.WriteText("rc");
    writer.WriteUint(outcome.rc());
  } else {
    uint16_t rc = outcome.rc();
    if (outcome.is_group_error()) {
      // v1 clients know only the generic codes; the group translates its own (Zephyr's
      // smp_translate_error_code: a group without a translation gives EUNKNOWN).
      const SmpGroup* group = Find(outcome.group());
      rc = static_cast<uint16_t>(group != nullptr ? group->V1Rc(outcome.rc()) : SmpRc::kUnknown);
    }
    writer.BeginMap(1);
    writer.WriteText("rc");
    writer.WriteUint(rc);
  }
  // Fits: the caller checked response.size() >= kSmpMinResponseSize.
  return FinishResponse(request, writer.size(), response);
}

Result<size_t> SmpServer::Handle(ConstByteSpan request, ByteSpan response) {
  if (response.size() < kSmpMinResponseSize) return StatusCode::kInvalidArgument;

  SmpHeader header;
  bool future_version = false;
  const Result<SmpHeader> decoded = DecodeSmpHeader(request);
  if (decoded.ok()) {
    header = *decoded;
  } else if (decoded.status().code() == StatusCode::kUnsupported) {
    header = FutureVersionHeader(request);
    future_version = true;
  } else {
    return size_t{0};  // no header to answer to
  }
  // Responses (and anything a client sends by mistake with a response op) are never answered.
  if (header.op != SmpOp::kRead && header.op != SmpOp::kWrite) return size_t{0};

  if (request.size() - kSmpHeaderSize != header.length) {
    return WriteError(header, GenericError(SmpRc::kCorrupt), response);
  }
  if (future_version) {
    return WriteError(header, GenericError(SmpRc::kUnsupportedTooNew), response);
  }
  ConstByteSpan payload = request.subspan(kSmpHeaderSize);
  if (payload.empty()) {
    payload = ConstByteSpan(kEmptyMap);
  } else if (!IsOneMap(payload)) {
    return WriteError(header, GenericError(SmpRc::kInvalid), response);
  }
  SmpGroup* group = Find(header.group);
  if (group == nullptr) return WriteError(header, GenericError(SmpRc::kNotSupported), response);

  // The length field is 16 bits: a longer payload does not fit whatever the buffer.
  ByteSpan body = response.subspan(kSmpHeaderSize);
  if (body.size() > 0xFFFF) body = body.first(0xFFFF);
  CborWriter writer(body);
  const SmpOutcome outcome = group->Handle(SmpRequest{header, payload}, writer);
  if (!outcome.ok()) return WriteError(header, outcome, response);
  if (!writer.status().ok()) return WriteError(header, GenericError(SmpRc::kTooLarge), response);
  return FinishResponse(header, writer.size(), response);
}

}  // namespace bleota::smp
