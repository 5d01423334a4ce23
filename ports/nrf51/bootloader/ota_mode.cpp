#include "ota_mode.hpp"

#include <optional>

#include "bleota/boot/slot_geometry.hpp"
#include "bleota/boot/upload_state_store.hpp"
#include "bleota/nrf51/reset.hpp"
#include "bleota/nrf51/uart.hpp"
#include "bleota/smp/image_group.hpp"
#include "bleota/smp/os_group.hpp"
#include "bleota/smp/reset_request.hpp"
#include "bleota/smp/serial_smp_transport.hpp"
#include "bleota/smp/smp_server.hpp"

namespace bleota::nrf51 {
namespace {

// Staging and read buffer of the upload: one flash page.
constexpr size_t kImageWorkSize = 1024;
// Bytes taken from the UART per call into the transport.
constexpr size_t kRxChunk = 64;

alignas(4) uint8_t g_request[kSmpBufferSize];
alignas(4) uint8_t g_response[kSmpBufferSize];
alignas(4) uint8_t g_image_work[kImageWorkSize];

constexpr smp::OsInfoStrings kOtaInfo{"bleota",         "nrf51", "0.1.0",
                                      "ota-bootloader", "",      "microbit-nrf51822",
                                      "cortex-m0",      "nrf51", "bleota"};

class UartSink final : public smp::SmpLinkSink {
 public:
  Status Send(ConstByteSpan bytes) override {
    Uart0::Write(bytes);
    return StatusCode::kOk;
  }
};

[[noreturn]] void Halt(const char* why) {
  Uart0::Write("ota: ");
  Uart0::Write(why);
  Uart0::Write(", resetting\n");
  SystemReset(boot::ResetCause::kSoftware);
}

}  // namespace

void RunOtaMode(const boot::BootAreas& areas, std::span<const image::TrustedKey> keys) {
  Result<boot::SlotGeometry> geometry =
      boot::SlotGeometry::Create(*areas.primary, *areas.secondary, areas.swap);
  if (!geometry.ok()) Halt("the slots cannot be swapped");
  boot::UploadStateStore upload_store(*areas.upload_state);

  smp::ImageGroupConfig image_config;
  image_config.geometry = &*geometry;
  image_config.boot_state = areas.boot_state;
  image_config.checks.keys = keys;
  image_config.work = g_image_work;
  image_config.erase_ahead_sectors = 1;
  image_config.upload_store = &upload_store;
  smp::ImageGroup image_group(image_config);
  if (!image_group.init_status().ok()) {
    Uart0::Write("ota: no upload to resume (");
    Uart0::Write(image_group.init_status().name());
    Uart0::Write(")\n");
  } else if (image_group.uploader().in_progress()) {
    Uart0::Write("ota: resuming the upload at offset ");
    PrintDecimal(image_group.uploader().offset());
    Uart0::Write("\n");
  }

  smp::ResetRequest reset;
  smp::OsGroupConfig os_config;
  os_config.buf_size = kSmpBufferSize;
  os_config.buf_count = 1;
  os_config.info = kOtaInfo;
  Result<smp::OsGroup> os_group = smp::OsGroup::Create(os_config, reset);
  if (!os_group.ok()) Halt("bad OS group configuration");

  smp::SmpGroup* const groups[] = {&*os_group, &image_group};
  smp::SmpServer server(groups);
  UartSink sink;
  smp::SerialSmpTransport serial(server, sink, reset, g_request, g_response);
  Uart0::Write("ota: serving SMP over UART0\n");
  for (;;) {
    uint8_t chunk[kRxChunk];
    size_t n = 0;
    while (n < sizeof(chunk) && Uart0::TryRead(chunk[n])) ++n;
    if (n == 0) continue;
    const smp::SmpTransportResult result = serial.Feed(ConstByteSpan(chunk, n));
    if (result.reset_requested) SystemReset(boot::ResetCause::kSoftware);
  }
}

}  // namespace bleota::nrf51
