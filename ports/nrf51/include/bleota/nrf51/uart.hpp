// UART0 of the nRF51 (micro:bit: TX on P0.24, RX on P0.25, 115200 8N1, no flow control), polled.
#pragma once

#include <cstdint>
#include <string_view>

#include "bleota/bytes.hpp"

namespace bleota::nrf51 {

class Uart0 {
 public:
  // Selects the pins, sets 115200 baud and starts the receiver and the transmitter.
  static void Init();
  // Sends every byte, waiting for each to leave the transmit register.
  static void Write(ConstByteSpan bytes);
  static void Write(std::string_view text);
  // One received byte, if there is one.
  static bool TryRead(uint8_t& byte);
};

// Text helpers for the console (no printf in device code).
void PrintDecimal(uint32_t value);
void PrintHex(uint32_t value);

}  // namespace bleota::nrf51
