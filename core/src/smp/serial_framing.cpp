#include "bleota/smp/serial_framing.hpp"

#include "bleota/smp/base64.hpp"
#include "bleota/smp/crc16.hpp"
#include "bleota/smp/smp_header.hpp"

namespace bleota::smp {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
// Smallest length field: an 8-byte SMP header and the 2 CRC bytes.
constexpr size_t kMinLengthField = kSmpHeaderSize + 2;

}  // namespace

SerialPacketEncoder::SerialPacketEncoder(ConstByteSpan packet)
    : packet_(packet), crc_(Crc16Xmodem(packet)), raw_size_(packet.size() + 4) {}

uint8_t SerialPacketEncoder::RawByte(size_t index) const {
  const size_t length = packet_.size() + 2;
  if (index == 0) return static_cast<uint8_t>(length >> 8);
  if (index == 1) return static_cast<uint8_t>(length);
  if (index < 2 + packet_.size()) return packet_[index - 2];
  return index == 2 + packet_.size() ? static_cast<uint8_t>(crc_ >> 8) : static_cast<uint8_t>(crc_);
}

size_t SerialPacketEncoder::NextLine(std::span<uint8_t, kSerialMaxLine> line) {
  if (done()) return 0;
  const uint8_t* mark = next_raw_ == 0 ? kSerialFirstFrame : kSerialContinuationFrame;
  size_t o = 0;
  line[o++] = mark[0];
  line[o++] = mark[1];
  const size_t left = raw_size_ - next_raw_;
  const size_t end = next_raw_ + (left < kSerialLineBytes ? left : kSerialLineBytes);
  for (size_t i = next_raw_; i < end; i += 3) {
    const size_t n = end - i < 3 ? end - i : 3;
    const uint32_t group = (static_cast<uint32_t>(RawByte(i)) << 16) |
                           (n > 1 ? static_cast<uint32_t>(RawByte(i + 1)) << 8 : 0u) |
                           (n > 2 ? static_cast<uint32_t>(RawByte(i + 2)) : 0u);
    line[o++] = static_cast<uint8_t>(kAlphabet[(group >> 18) & 0x3F]);
    line[o++] = static_cast<uint8_t>(kAlphabet[(group >> 12) & 0x3F]);
    line[o++] = n > 1 ? static_cast<uint8_t>(kAlphabet[(group >> 6) & 0x3F]) : uint8_t{'='};
    line[o++] = n > 2 ? static_cast<uint8_t>(kAlphabet[group & 0x3F]) : uint8_t{'='};
  }
  line[o++] = '\n';
  next_raw_ = end;
  return o;
}

Result<size_t> EncodeSerialPacket(ConstByteSpan packet, ByteSpan out) {
  if (packet.size() < kSmpHeaderSize || packet.size() > kSerialMaxPacket)
    return StatusCode::kInvalidArgument;
  if (out.size() < SerialEncodedSize(packet.size())) return StatusCode::kResourceExhausted;
  SerialPacketEncoder encoder(packet);
  size_t written = 0;
  while (!encoder.done()) {
    written += encoder.NextLine(out.subspan(written).first<kSerialMaxLine>());
  }
  return written;
}

const char* SerialFrameErrorName(SerialFrameError error) {
  switch (error) {
    case SerialFrameError::kNone:
      return "none";
    case SerialFrameError::kBadBase64:
      return "bad_base64";
    case SerialFrameError::kLineTooLong:
      return "line_too_long";
    case SerialFrameError::kFrameWithoutStart:
      return "frame_without_start";
    case SerialFrameError::kTruncated:
      return "truncated";
    case SerialFrameError::kBadLength:
      return "bad_length";
    case SerialFrameError::kOversized:
      return "oversized";
    case SerialFrameError::kLengthMismatch:
      return "length_mismatch";
    case SerialFrameError::kCrcMismatch:
      return "crc_mismatch";
  }
  return "unknown";
}

SerialFrameDecoder::SerialFrameDecoder(ByteSpan packet_buffer) : buffer_(packet_buffer) {}

void SerialFrameDecoder::Reset() {
  state_ = State::kIdle;
  packet_open_ = false;
  discarding_ = false;
  padded_ = false;
  carriage_return_ = false;
  line_length_ = 0;
  quad_fill_ = 0;
  raw_received_ = 0;
  expected_raw_ = 0;
  packet_size_ = 0;
}

void SerialFrameDecoder::BeginPacket() {
  Reset();
  packet_open_ = true;
  state_ = State::kLine;
  line_length_ = 2;
}

SerialDecodeStep SerialFrameDecoder::Feed(ConstByteSpan input) {
  for (size_t i = 0; i < input.size(); ++i) {
    SerialFrameError error = SerialFrameError::kNone;
    const SerialEvent event = Push(input[i], error);
    if (event != SerialEvent::kNeedMore) return {event, error, i + 1};
  }
  return {SerialEvent::kNeedMore, SerialFrameError::kNone, input.size()};
}

SerialEvent SerialFrameDecoder::Fail(SerialFrameError reason, SerialFrameError& error) {
  error = reason;
  state_ = State::kIdle;
  packet_open_ = false;
  discarding_ = true;
  padded_ = false;
  carriage_return_ = false;
  quad_fill_ = 0;
  return SerialEvent::kError;
}

SerialEvent SerialFrameDecoder::Push(uint8_t byte, SerialFrameError& error) {
  if (state_ == State::kLine) return PushInLine(byte, error);
  return PushOutsideLine(byte, error);
}

SerialEvent SerialFrameDecoder::PushOutsideLine(uint8_t byte, SerialFrameError& error) {
  // Between lines of a packet only the continuation mark (or a new packet) may come.
  const bool awaiting_continuation = packet_open_ && !discarding_;
  if (state_ == State::kFirstMark && byte == kSerialFirstFrame[1]) {
    BeginPacket();
    if (awaiting_continuation) {
      error = SerialFrameError::kTruncated;
      return SerialEvent::kError;
    }
    return SerialEvent::kNeedMore;
  }
  if (state_ == State::kContinuationMark && byte == kSerialContinuationFrame[1]) {
    if (discarding_) {  // the rest of a failed packet
      state_ = State::kIdle;
      return SerialEvent::kNeedMore;
    }
    if (!packet_open_) {
      state_ = State::kIdle;
      return Fail(SerialFrameError::kFrameWithoutStart, error);
    }
    state_ = State::kLine;
    line_length_ = 2;
    return SerialEvent::kNeedMore;
  }
  SerialEvent event = SerialEvent::kNeedMore;
  if (awaiting_continuation && (state_ != State::kIdle || (byte != kSerialFirstFrame[0] &&
                                                           byte != kSerialContinuationFrame[0]))) {
    event = Fail(SerialFrameError::kTruncated, error);
  }
  // Console text outside frames is skipped; a marker byte may begin the next frame.
  if (byte == kSerialFirstFrame[0]) {
    state_ = State::kFirstMark;
  } else if (byte == kSerialContinuationFrame[0]) {
    state_ = State::kContinuationMark;
  } else {
    state_ = State::kIdle;
  }
  return event;
}

SerialEvent SerialFrameDecoder::PushInLine(uint8_t byte, SerialFrameError& error) {
  // "\r\n" ends a line too (consoles that send CRLF); the '\r' is not counted in the line's
  // length, so a full 127-byte line may carry it. A '\r' not followed by '\n' is refused.
  if (carriage_return_) {
    carriage_return_ = false;
    if (byte == '\n') {
      if (++line_length_ > kSerialMaxLine) return Fail(SerialFrameError::kLineTooLong, error);
      return EndLine(error);
    }
    if (byte != kSerialFirstFrame[0]) return Fail(SerialFrameError::kBadBase64, error);
    // Else a new packet starts: handled below like one inside the line's text.
  }
  if (byte == '\r') {
    carriage_return_ = true;
    return SerialEvent::kNeedMore;
  }
  if (++line_length_ > kSerialMaxLine) return Fail(SerialFrameError::kLineTooLong, error);
  if (byte == '\n') return EndLine(error);
  if (!padded_ && (byte == '=' || Base64Value(byte) >= 0)) {
    quad_[quad_fill_++] = byte;
    return quad_fill_ == 4 ? AppendQuad(error) : SerialEvent::kNeedMore;
  }
  if (byte == kSerialFirstFrame[0]) {
    // A new packet starts inside this line: this one was cut; resynchronize at once.
    const SerialEvent event = Fail(SerialFrameError::kTruncated, error);
    state_ = State::kFirstMark;
    return event;
  }
  return Fail(SerialFrameError::kBadBase64, error);
}

SerialEvent SerialFrameDecoder::AppendQuad(SerialFrameError& error) {
  quad_fill_ = 0;
  uint8_t bytes[3];
  const size_t count = Base64DecodeQuad(quad_, bytes);
  if (count == 0) return Fail(SerialFrameError::kBadBase64, error);
  padded_ = count < 3;  // each line is decoded on its own: padding ends the line's text
  for (size_t i = 0; i < count; ++i) {
    const SerialEvent event = AppendByte(bytes[i], error);
    if (event != SerialEvent::kNeedMore) return event;
  }
  return SerialEvent::kNeedMore;
}

SerialEvent SerialFrameDecoder::AppendByte(uint8_t byte, SerialFrameError& error) {
  if (raw_received_ == 0) {
    length_high_ = byte;
  } else if (raw_received_ == 1) {
    const size_t length = (static_cast<size_t>(length_high_) << 8) | byte;
    if (length < kMinLengthField) return Fail(SerialFrameError::kBadLength, error);
    if (length - 2 > buffer_.size()) return Fail(SerialFrameError::kOversized, error);
    expected_raw_ = 2 + length;
  } else {
    if (raw_received_ >= expected_raw_) return Fail(SerialFrameError::kLengthMismatch, error);
    const size_t packet_size = expected_raw_ - 4;
    const size_t index = raw_received_ - 2;
    if (index < packet_size) {
      buffer_[index] = byte;
    } else {
      crc_bytes_[index - packet_size] = byte;
    }
  }
  ++raw_received_;
  return SerialEvent::kNeedMore;
}

SerialEvent SerialFrameDecoder::EndLine(SerialFrameError& error) {
  if (quad_fill_ != 0) return Fail(SerialFrameError::kBadBase64, error);
  state_ = State::kIdle;
  padded_ = false;
  if (expected_raw_ == 0 || raw_received_ != expected_raw_) return SerialEvent::kNeedMore;
  const size_t packet_size = expected_raw_ - 4;
  const ConstByteSpan packet(buffer_.data(), packet_size);
  const uint16_t crc = static_cast<uint16_t>((crc_bytes_[0] << 8) | crc_bytes_[1]);
  if (Crc16Xmodem(packet) != crc) return Fail(SerialFrameError::kCrcMismatch, error);
  packet_open_ = false;
  packet_size_ = packet_size;
  return SerialEvent::kPacket;
}

}  // namespace bleota::smp
