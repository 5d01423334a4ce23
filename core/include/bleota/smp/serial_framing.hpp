// SMP over a serial console/UART (the mcumgr/MCUboot "SMP shell" framing).
//
// One packet travels as lines. The first line starts with 0x06 0x09, the following ones with
// 0x04 0x14; each ends with '\n' and is at most 127 bytes including those. The base64 text of the
// lines of a packet decodes to: 2-byte big-endian length N (of what follows), the SMP packet
// (N - 2 bytes), and the CRC16-XMODEM of the SMP packet, big-endian.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "bleota/bytes.hpp"
#include "bleota/result.hpp"

namespace bleota::smp {

inline constexpr uint8_t kSerialFirstFrame[2] = {0x06, 0x09};
inline constexpr uint8_t kSerialContinuationFrame[2] = {0x04, 0x14};
inline constexpr size_t kSerialMaxLine = 127;  // start bytes + base64 + '\n'
// Base64 characters per line written (as MCUboot): a multiple of 4, so each line decodes alone.
inline constexpr size_t kSerialLineChars = 124;
inline constexpr size_t kSerialLineBytes = kSerialLineChars / 4 * 3;  // 93 raw bytes per line
// The length field counts packet + CRC in 16 bits.
inline constexpr size_t kSerialMaxPacket = 0xFFFF - 2;

// Bytes that EncodeSerialPacket writes for a packet of `packet_size` bytes.
constexpr size_t SerialEncodedSize(size_t packet_size) {
  const size_t raw = packet_size + 4;  // length field + packet + CRC
  const size_t lines = (raw + kSerialLineBytes - 1) / kSerialLineBytes;
  return (raw + 2) / 3 * 4 + lines * 3;
}

// Writes the lines of one SMP packet into `out`; returns the bytes written. kInvalidArgument for
// a packet shorter than an SMP header (8) or above kSerialMaxPacket; kResourceExhausted when `out`
// is too small.
Result<size_t> EncodeSerialPacket(ConstByteSpan packet, ByteSpan out);

// Line-at-a-time form of EncodeSerialPacket, for a small transmit buffer.
class SerialPacketEncoder {
 public:
  // Precondition: 8 <= packet.size() <= kSerialMaxPacket (EncodeSerialPacket checks it).
  explicit SerialPacketEncoder(ConstByteSpan packet);

  bool done() const { return next_raw_ >= raw_size_; }
  // Writes the next line (at most kSerialMaxLine bytes) into `line`; returns its size, or 0 when
  // done.
  size_t NextLine(std::span<uint8_t, kSerialMaxLine> line);

 private:
  uint8_t RawByte(size_t index) const;  // of length field + packet + CRC

  ConstByteSpan packet_;
  uint16_t crc_;
  size_t raw_size_;
  size_t next_raw_ = 0;
};

enum class SerialFrameError : uint8_t {
  kNone = 0,
  kBadBase64,          // a character outside the alphabet, misplaced padding, partial group
  kLineTooLong,        // a line above kSerialMaxLine bytes
  kFrameWithoutStart,  // a continuation line with no packet in progress
  kTruncated,          // a packet in progress was interrupted by a new packet or other bytes
  kBadLength,          // length field below 10 (8-byte header + CRC)
  kOversized,          // packet larger than the decoder's buffer
  kLengthMismatch,     // more data than the length field announced
  kCrcMismatch,        // the CRC does not match the packet
};

const char* SerialFrameErrorName(SerialFrameError error);

enum class SerialEvent : uint8_t { kNeedMore, kPacket, kError };

struct SerialDecodeStep {
  SerialEvent event = SerialEvent::kNeedMore;
  SerialFrameError error = SerialFrameError::kNone;
  size_t consumed = 0;  // input bytes used by this call
};

// Streaming decoder: feed it console bytes in any chunking. Bytes outside frames (console text)
// are skipped. After an error it drops bytes until the next first-frame marker (0x06 0x09).
class SerialFrameDecoder {
 public:
  // `packet_buffer` receives the SMP packet; its size is the largest packet accepted.
  explicit SerialFrameDecoder(ByteSpan packet_buffer);

  // Consumes input up to and including the byte that completes a packet or raises an error, and
  // stops there (consumed < input.size() then); call again with the rest.
  SerialDecodeStep Feed(ConstByteSpan input);
  SerialDecodeStep Feed(uint8_t byte) { return Feed(ConstByteSpan(&byte, 1)); }

  // The packet of the last kPacket step; valid until the next Feed or Reset.
  ConstByteSpan packet() const { return ConstByteSpan(buffer_.data(), packet_size_); }

  // Whether a packet is partly received (a caller may time it out with Reset).
  bool in_packet() const { return packet_open_; }
  void Reset();

 private:
  enum class State : uint8_t { kIdle, kFirstMark, kContinuationMark, kLine };

  SerialEvent Push(uint8_t byte, SerialFrameError& error);
  SerialEvent PushOutsideLine(uint8_t byte, SerialFrameError& error);
  SerialEvent PushInLine(uint8_t byte, SerialFrameError& error);
  SerialEvent EndLine(SerialFrameError& error);
  SerialEvent AppendQuad(SerialFrameError& error);
  SerialEvent AppendByte(uint8_t byte, SerialFrameError& error);
  SerialEvent Fail(SerialFrameError reason, SerialFrameError& error);
  void BeginPacket();

  ByteSpan buffer_;
  State state_ = State::kIdle;
  bool packet_open_ = false;      // a first frame was seen and the packet is not complete
  bool discarding_ = false;       // after an error: skip everything up to the next first frame
  bool padded_ = false;           // the last group of this line had padding: only '\n' may follow
  bool carriage_return_ = false;  // a '\r' ended the line's text: only '\n' may follow
  size_t line_length_ = 0;        // bytes of the current line so far, start bytes included
  uint8_t quad_[4] = {};
  size_t quad_fill_ = 0;
  size_t raw_received_ = 0;  // decoded bytes of this packet, length field included
  size_t expected_raw_ = 0;  // 2 + length field, once known
  uint8_t length_high_ = 0;
  uint8_t crc_bytes_[2] = {};
  size_t packet_size_ = 0;
};

}  // namespace bleota::smp
