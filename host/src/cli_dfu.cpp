// `bleota dfu ...`: the SMP (mcumgr) client commands (docs/cli.md, "dfu").
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bleota/host/bluez_scan.hpp"
#include "bleota/host/cli_command.hpp"
#include "bleota/host/dfu_connection.hpp"
#include "bleota/host/dfu_image_requests.hpp"
#include "bleota/host/dfu_os_requests.hpp"
#include "bleota/host/dfu_progress.hpp"
#include "bleota/host/dfu_update.hpp"
#include "bleota/host/dfu_upload.hpp"
#include "bleota/host/error.hpp"
#include "bleota/host/file_io.hpp"
#include "bleota/host/image_names.hpp"
#include "bleota/host/smp_ble_sim_transport.hpp"
#include "bleota/host/smp_bluez_transport.hpp"
#include "bleota/host/smp_device_error.hpp"

namespace bleota::host::cli {
namespace {

using nlohmann::json;

struct DfuGlobalOptions {
  DfuConnectionOptions connection;
  uint32_t timeout_ms = 5000;
  unsigned retries = 3;
  int smp_version = 2;
  bool json = false;
};

void AddGlobalOptions(CLI::App& dfu, DfuGlobalOptions& g) {
  dfu.add_option("--transport", g.connection.transport,
                 "Link to the device: udp (default), serial (default when --device is given), "
                 "ble-sim (default when --device is a socket) or ble (BlueZ; default with --name, "
                 "--adapter or a --device that is a Bluetooth address)")
      ->check(CLI::IsMember({"udp", "serial", "ble-sim", "ble"}));
  dfu.add_option_function<std::string>(
      "--address",
      [&g](const std::string& value) {
        g.connection.address = value;
        g.connection.address_given = true;
      },
      "UDP host[:port] of the device (default 127.0.0.1:1337)");
  dfu.add_option("--device", g.connection.device,
                 "Serial port or pty of the device, the socket of a simulated device (ble-sim), "
                 "or the device's Bluetooth address (ble)");
  dfu.add_option("--name", g.connection.name,
                 "ble: the device's advertised name (default: the first device advertising the "
                 "SMP service)");
  dfu.add_option("--adapter", g.connection.adapter,
                 "ble: the Bluetooth adapter, e.g. hci1 (default: the first)");
  dfu.add_option_function<unsigned>(
         "--scan-timeout",
         [&g](unsigned seconds) {
           g.connection.scan_timeout = std::chrono::seconds(seconds);
           g.connection.scan_timeout_given = true;
         },
         "ble: seconds to look for the device (default 10)")
      ->check(CLI::Range(1u, 600u));
  dfu.add_flag("--one-write-per-request", g.connection.one_write_per_request,
               "ble: every SMP request fits one Write Command (ATT MTU - 3 bytes), so that links "
               "with several ATT bearers (EATT) cannot deliver a request's pieces out of order; "
               "uploads need more, smaller requests");
  dfu.add_option_function<uint32_t>(
      "--baud",
      [&g](uint32_t value) {
        g.connection.baud = value;
        g.connection.baud_given = true;
      },
      "Serial baud rate (default 115200)");
  dfu.add_option_function<std::string>(
      "--ble-profile",
      [&g](const std::string& value) {
        g.connection.ble_profile = value;
        g.connection.ble_profile_given = true;
      },
      "ble-sim: the BLE link profile the simulated device models (default 2m-dle)");
  dfu.add_option("--timeout", g.timeout_ms, "Reply timeout per try in ms (default 5000)")
      ->check(CLI::Range(1u, 600000u));
  dfu.add_option("--retries", g.retries, "Resends after a timeout (default 3)")
      ->check(CLI::Range(0u, 100u));
  dfu.add_option("--smp-version", g.smp_version, "SMP header version 1 or 2 (default 2)")
      ->check(CLI::IsMember({1, 2}));
  dfu.add_flag("--json", g.json, "Print one JSON document (docs/cli.md)");
}

// One `bleota dfu ...` command: opens the transport, runs, and with --json turns an error into a
// JSON document on stdout as well.
class DfuCommand : public Command {
 public:
  DfuCommand(CLI::App* app, std::shared_ptr<DfuGlobalOptions> global)
      : Command(app), global_(std::move(global)) {}

  int Run(Streams& streams) override {
    try {
      Prepare();
      global_->connection.connect_timeout = std::chrono::milliseconds(global_->timeout_ms);
      std::unique_ptr<SmpTransport> transport = OpenDfuTransport(global_->connection);
      SmpClientOptions options;
      options.version = global_->smp_version == 1 ? smp::SmpVersion::kV1 : smp::SmpVersion::kV2;
      options.timeout = std::chrono::milliseconds(global_->timeout_ms);
      options.retries = global_->retries;
      SmpClient client(*transport, options);
      return RunWith(client, streams);
    } catch (const HostError& e) {
      if (global_->json) {
        json error = {{"message", e.what()}, {"exit_code", static_cast<int>(e.code())}};
        if (const auto* device = dynamic_cast<const SmpDeviceError*>(&e)) {
          error["device_error"] = SmpErrorJson(device->error());
        }
        streams.out << json{{"error", error}}.dump(2) << "\n";
      }
      throw;
    }
  }

 protected:
  virtual void Prepare() {}
  virtual int RunWith(SmpClient& client, Streams& streams) = 0;
  bool json_output() const { return global_->json; }
  void PrintJson(Streams& streams, const json& document) const {
    streams.out << document.dump(2) << "\n";
  }

 private:
  std::shared_ptr<DfuGlobalOptions> global_;
};

class EchoCommand final : public DfuCommand {
 public:
  EchoCommand(CLI::App& dfu, std::shared_ptr<DfuGlobalOptions> g)
      : DfuCommand(dfu.add_subcommand("echo", "Send text; the device sends it back"), g) {
    app()->add_option("text", text_, "Text to echo")->required();
  }
  int RunWith(SmpClient& client, Streams& s) override {
    const std::string r = OsEcho(client, text_);
    if (json_output()) {
      PrintJson(s, {{"response", r}});
    } else {
      s.out << r << "\n";
    }
    if (r != text_) ThrowDevice("the device echoed '" + r + "' for '" + text_ + "'");
    return 0;
  }

 private:
  std::string text_;
};

class ParamsCommand final : public DfuCommand {
 public:
  ParamsCommand(CLI::App& dfu, std::shared_ptr<DfuGlobalOptions> g)
      : DfuCommand(dfu.add_subcommand("params", "Show the device's SMP buffer size and count"), g) {
  }
  int RunWith(SmpClient& client, Streams& s) override {
    const std::optional<DeviceParams> params = OsParams(client);
    if (json_output()) {
      PrintJson(s, params
                       ? json{{"buf_size", params->buf_size},
                              {"buf_count", params->buf_count},
                              {"supported", true}}
                       : json{{"buf_size", nullptr}, {"buf_count", nullptr}, {"supported", false}});
    } else if (params) {
      s.out << "buf_size  " << params->buf_size << "\nbuf_count " << params->buf_count << "\n";
    } else {
      s.out << "the device does not support params (uploads assume buf_size "
            << kFallbackDeviceParams.buf_size << ", buf_count " << kFallbackDeviceParams.buf_count
            << ")\n";
    }
    return 0;
  }
};

class InfoCommand final : public DfuCommand {
 public:
  InfoCommand(CLI::App& dfu, std::shared_ptr<DfuGlobalOptions> g)
      : DfuCommand(dfu.add_subcommand("info", "Show the device's OS/application info"), g) {
    app()->add_option("format", format_,
                      "Letters s n r v b m p i o, or a for all (default: the device's, s)");
  }
  int RunWith(SmpClient& client, Streams& s) override {
    const std::string output = OsInfo(client, format_);
    if (json_output()) {
      PrintJson(s, {{"output", output}});
    } else {
      s.out << output << "\n";
    }
    return 0;
  }

 private:
  std::string format_;
};

class ResetCommand final : public DfuCommand {
 public:
  ResetCommand(CLI::App& dfu, std::shared_ptr<DfuGlobalOptions> g)
      : DfuCommand(dfu.add_subcommand("reset", "Reset the device"), g) {
    app()->add_flag("--force", force_, "Reset even if the device would refuse (force: true)");
  }
  int RunWith(SmpClient& client, Streams& s) override {
    OsReset(client, force_);
    if (json_output()) {
      PrintJson(s, {{"reset", true}});
    } else {
      s.out << "reset requested\n";
    }
    return 0;
  }

 private:
  bool force_ = false;
};

class ImageListCommand final : public DfuCommand {
 public:
  ImageListCommand(CLI::App& image, std::shared_ptr<DfuGlobalOptions> g)
      : DfuCommand(image.add_subcommand("list", "List the images in the device's slots"), g) {}
  int RunWith(SmpClient& client, Streams& s) override {
    const ImageStateList state = ImageStateRead(client);
    if (json_output()) {
      PrintJson(s, ImageStateJson(state));
    } else {
      s.out << FormatImageState(state);
    }
    return 0;
  }
};

class ImageStateWriteCommand final : public DfuCommand {
 public:
  ImageStateWriteCommand(CLI::App& image, std::shared_ptr<DfuGlobalOptions> g, bool confirm)
      : DfuCommand(image.add_subcommand(
                       confirm ? "confirm" : "test",
                       confirm ? "Make an image permanent (without HASH: the running image)"
                               : "Mark an image to be tried at the next boot"),
                   g),
        confirm_(confirm) {
    CLI::Option* hash = app()->add_option("hash", hash_text_, "Image hash (64 hex digits)");
    if (!confirm) hash->required();
  }
  void Prepare() override {
    if (!hash_text_.empty()) hash_ = ParseImageHash(hash_text_, "HASH");
  }
  int RunWith(SmpClient& client, Streams& s) override {
    const ImageStateList state = ImageStateWrite(client, hash_, confirm_);
    if (json_output()) {
      PrintJson(s, ImageStateJson(state));
    } else {
      s.out << (confirm_ ? "confirmed" : "marked for test") << "\n" << FormatImageState(state);
    }
    return 0;
  }

 private:
  bool confirm_;
  std::string hash_text_;
  std::vector<uint8_t> hash_;
};

class ImageEraseCommand final : public DfuCommand {
 public:
  ImageEraseCommand(CLI::App& image, std::shared_ptr<DfuGlobalOptions> g)
      : DfuCommand(image.add_subcommand("erase", "Erase a slot (default: the upload slot)"), g) {
    app()->add_option("--slot", slot_, "Slot number to erase");
  }
  int RunWith(SmpClient& client, Streams& s) override {
    ImageErase(client, slot_);
    if (json_output()) {
      PrintJson(s, {{"erased", true}, {"slot", slot_ ? json(*slot_) : json(nullptr)}});
    } else {
      s.out << "erased " << (slot_ ? "slot " + std::to_string(*slot_) : "the upload slot") << "\n";
    }
    return 0;
  }

 private:
  std::optional<uint32_t> slot_;
};

class ImageSlotsCommand final : public DfuCommand {
 public:
  ImageSlotsCommand(CLI::App& image, std::shared_ptr<DfuGlobalOptions> g)
      : DfuCommand(image.add_subcommand("slots", "Show the device's slots and their sizes"), g) {}
  int RunWith(SmpClient& client, Streams& s) override {
    const std::vector<ImageSlots> slots = ImageSlotInfo(client);
    if (json_output()) {
      PrintJson(s, ImageSlotsJson(slots));
    } else {
      s.out << FormatImageSlots(slots);
    }
    return 0;
  }
};

// An upload's span of the link's virtual time (ble-sim): from the first request to the last
// acknowledgement, and the image bytes that moved in it (a resumed upload starts at the offset
// the device's first reply names).
struct LinkTiming {
  uint64_t start_us = 0;
  uint64_t end_us = 0;
  std::optional<uint64_t> first_acknowledged;
  uint64_t last_acknowledged = 0;
  void OnProgress(uint64_t acknowledged, uint64_t now_us) {
    if (!first_acknowledged) first_acknowledged = acknowledged;
    last_acknowledged = acknowledged;
    end_us = now_us;
  }
  double seconds() const { return end_us > start_us ? (end_us - start_us) / 1e6 : 0.0; }
};

// Image bytes moved in this upload: all of them, or those after the offset a resumed upload
// started from (the first acknowledgement of a resumed upload is the device's offset).
uint64_t MovedBytes(const LinkTiming& timing, const UploadResult& result) {
  if (result.resumes > 0 && timing.first_acknowledged &&
      *timing.first_acknowledged < timing.last_acknowledged) {
    return timing.last_acknowledged - *timing.first_acknowledged;
  }
  return timing.last_acknowledged;
}

double GoodputKBps(uint64_t bytes, double seconds) {
  return seconds > 0 ? static_cast<double>(bytes) / seconds / 1000 : 0.0;
}

json LinkJson(const SmpBleSimTransport& ble, const LinkTiming& timing, const UploadResult& result) {
  const BleSimConnected& link = ble.link();
  const uint64_t bytes = MovedBytes(timing, result);
  return {{"transport", "ble-sim"},
          {"profile", link.profile},
          {"phy", link.phy == BleSimPhy::k2M ? "2M" : "1M"},
          {"max_ll_payload", link.max_ll_payload},
          {"att_mtu", link.att_mtu},
          {"connection_interval_us", link.connection_interval_us},
          {"max_packets_per_event", link.max_packets_per_event},
          {"packet_error_rate_ppm", link.packet_error_rate_ppm},
          {"virtual_seconds", timing.seconds()},
          {"image_bytes", bytes},
          {"goodput_kBps", GoodputKBps(bytes, timing.seconds())},
          {"connections", ble.stats().connections},
          {"disconnects", ble.stats().disconnects}};
}

std::string LinkSummary(const SmpBleSimTransport& ble, const LinkTiming& timing,
                        const UploadResult& result) {
  const BleSimConnected& link = ble.link();
  const uint64_t bytes = MovedBytes(timing, result);
  char text[256];
  std::snprintf(text, sizeof(text),
                "link: ble-sim %s (%s PHY, LL payload %u, ATT MTU %u, CI %.2f ms): %.3f s of "
                "virtual time, goodput %.1f kB/s (%llu image bytes)",
                link.profile.c_str(), link.phy == BleSimPhy::k2M ? "2M" : "1M",
                static_cast<unsigned>(link.max_ll_payload), static_cast<unsigned>(link.att_mtu),
                link.connection_interval_us / 1000.0, timing.seconds(),
                GoodputKBps(bytes, timing.seconds()), static_cast<unsigned long long>(bytes));
  return text;
}

json BluezLinkJson(const BluezLinkInfo& link, bool one_write_per_request) {
  return {{"transport", "ble"},
          {"adapter", link.adapter},
          {"address", link.address},
          {"name", link.name},
          {"att_mtu", link.att_mtu},
          {"write_size", link.write_piece},
          {"write", link.write_acquired  ? "AcquireWrite"
                    : link.write_request ? "WriteValue request"
                                         : "WriteValue command"},
          {"notify", link.notify_acquired ? "AcquireNotify" : "StartNotify"},
          {"one_write_per_request", one_write_per_request},
          {"writes", link.writes},
          {"notifications", link.notifications},
          {"failed_writes", link.failed_writes},
          {"connections", link.connections},
          {"disconnects", link.disconnects},
          {"bluez_restarts", link.bluez_restarts}};
}

std::string BluezLinkSummary(const BluezLinkInfo& link, bool one_write_per_request) {
  return "link: ble " + link.address + " via " + link.adapter + ", ATT MTU " +
         std::to_string(link.att_mtu) + ", writes of " + std::to_string(link.write_piece) +
         " bytes (" + (link.write_acquired ? "AcquireWrite" : "WriteValue") +
         (one_write_per_request ? ", one per request" : "") + "), " +
         (link.notify_acquired ? "AcquireNotify" : "StartNotify") + "; " +
         std::to_string(link.connections) +
         (link.connections == 1 ? " connection, " : " connections, ") +
         std::to_string(link.disconnects) +
         (link.disconnects == 1 ? " disconnect" : " disconnects");
}

// `--progress lines`: one line per tenth of the upload, for logs and scripts (no terminal).
class ProgressLines {
 public:
  ProgressLines(std::ostream& out, bool enabled) : out_(out), enabled_(enabled) {}
  void Update(const UploadProgress& p) {
    if (!enabled_ || p.total == 0) return;
    const uint64_t tenth = p.acknowledged * 10 / p.total;
    if (tenth < next_tenth_) return;
    next_tenth_ = tenth + 1;
    out_ << "progress: " << p.acknowledged << "/" << p.total << " bytes ("
         << p.acknowledged * 100 / p.total << "%)" << std::endl;
  }

 private:
  std::ostream& out_;
  bool enabled_;
  uint64_t next_tenth_ = 1;
};

class ImageUploadCommand final : public DfuCommand {
 public:
  ImageUploadCommand(CLI::App& image, std::shared_ptr<DfuGlobalOptions> g)
      : DfuCommand(image.add_subcommand("upload", "Upload an image to the device"), g) {
    CLI::App* app = this->app();
    app->add_option("file", file_, "MCUboot image file")->required();
    CLI::Option* test = app->add_flag("--test", test_, "Mark the image for test afterwards");
    app->add_flag("--confirm", confirm_, "Mark the image permanent afterwards")->excludes(test);
    app->add_flag("--reset", reset_, "Reset the device afterwards");
    app->add_flag("--force", force_, "Upload a file that is not an MCUboot image");
    app->add_option("--window", window_, "Requests in flight, at most the device's buf_count")
        ->check(CLI::Range(1u, 64u));
    app->add_option("--mtu", mtu_, "Link ATT MTU: request packets fill whole MTU-3 pieces")
        ->check(CLI::Range(23u, 517u));
    app->add_option("--image", image_number_, "Image number (multi-image devices; default 0)");
    app->add_option("--progress", progress_,
                    "auto (a bar on a terminal without --json), bar, lines (a line per 10%, "
                    "also with --json) or none")
        ->check(CLI::IsMember({"auto", "bar", "lines", "none"}));
  }

  void Prepare() override {
    data_ = ReadFileBounded(file_, kMaxImageFileBytes, "image");
    if (data_.empty()) ThrowImage(file_ + " is empty");
    facts_ = InspectUpdateFile(data_, force_, file_);
    options_.mark = test_ ? UpdateMark::kTest : confirm_ ? UpdateMark::kConfirm : UpdateMark::kNone;
    options_.reset = reset_;
    if (options_.mark != UpdateMark::kNone && facts_.hash.size() != 32) {
      ThrowUsage(std::string(test_ ? "--test" : "--confirm") +
                 " needs the image's SHA256 TLV, and " + file_ + " has none");
    }
  }

  int RunWith(SmpClient& client, Streams& s) override {
    options_.upload.image = image_number_;
    options_.upload.window = window_;
    options_.upload.piece_size = mtu_ ? *mtu_ - 3 : 0;
    const bool show_bar =
        progress_ == "bar" || (progress_ == "auto" && !json_output() && isatty(STDERR_FILENO) == 1);
    UploadProgressBar bar(s.err, show_bar);
    ProgressLines lines(s.err, progress_ == "lines");
    // Over ble-sim the upload is also timed in the link's virtual time.
    auto* ble = dynamic_cast<SmpBleSimTransport*>(&client.transport());
    auto* bluez = dynamic_cast<SmpBluezTransport*>(&client.transport());
    if (bluez != nullptr) bluez->CheckUpload(data_, image_number_);
    LinkTiming timing;
    std::optional<uint64_t> first_acknowledged;
    options_.upload.on_progress = [&](const UploadProgress& p) {
      bar.Update(p);
      lines.Update(p);
      if (!first_acknowledged) first_acknowledged = p.acknowledged;
      if (ble != nullptr) timing.OnProgress(p.acknowledged, ble->virtual_now_us());
    };
    if (ble != nullptr) {
      options_.upload.on_start = [&timing, ble] { timing.start_us = ble->virtual_now_us(); };
    }
    if (!json_output()) {
      s.out << "uploading " << file_ << ": " << data_.size() << " bytes";
      if (facts_.is_image) s.out << ", version " << facts_.version;
      if (!facts_.hash.empty()) s.out << ", hash " << HexBytes(facts_.hash.data(), 32);
      s.out << " to " << client.transport().name() << "\n" << std::flush;
    }
    UpdateResult update;
    try {
      update = RunUpdate(client, data_, facts_, options_);
    } catch (...) {
      bar.Finish();
      throw;
    }
    bar.Finish();
    const UploadResult& result = update.upload;
    // The first reply to the request at offset 0 named a later offset: the device already had
    // the start of this image (same sha) and the upload went on from there.
    const std::optional<uint64_t> resumed_from =
        first_acknowledged && *first_acknowledged > result.max_chunk ? first_acknowledged
                                                                     : std::nullopt;
    if (json_output()) {
      json document = UpdateJson(file_, facts_, options_, update);
      document["resumed_from"] = resumed_from ? json(*resumed_from) : json(nullptr);
      if (ble != nullptr) document["link"] = LinkJson(*ble, timing, update.upload);
      if (bluez != nullptr) {
        document["link"] = BluezLinkJson(bluez->link(), bluez->one_write_per_request());
      }
      PrintJson(s, document);
      return 0;
    }
    if (resumed_from) {
      s.out << "resumed: the device already had " << *resumed_from
            << " bytes of this image; the upload went on from there\n";
    }
    char rate[64];
    std::snprintf(
        rate, sizeof(rate), "%.2f s (%.1f kB/s)", result.seconds,
        result.seconds > 0 ? static_cast<double>(result.size) / result.seconds / 1000 : 0.0);
    s.out << "uploaded " << result.size << " bytes in " << rate << ": " << result.requests
          << " requests of up to " << result.max_chunk << " data bytes, window " << result.window
          << " (buf_size " << result.params.buf_size << ", buf_count " << result.params.buf_count
          << (result.params_from_device ? "" : ", assumed") << ")";
    if (result.timeouts + result.resumes > 0) {
      s.out << ", " << result.timeouts << " timeouts, " << result.resumes << " resumes";
    }
    s.out << "\n";
    if (ble != nullptr) s.out << LinkSummary(*ble, timing, result) << "\n";
    if (bluez != nullptr) {
      s.out << BluezLinkSummary(bluez->link(), bluez->one_write_per_request()) << "\n";
    }
    if (result.match) s.out << "device hash check: match\n";
    if (update.state) {
      s.out << (confirm_ ? "confirmed" : "marked for test") << "\n"
            << FormatImageState(*update.state);
    }
    if (update.reset) s.out << "reset requested\n";
    return 0;
  }

 private:
  std::string file_;
  bool test_ = false;
  bool confirm_ = false;
  bool reset_ = false;
  bool force_ = false;
  size_t window_ = 4;
  std::optional<uint32_t> mtu_;
  uint32_t image_number_ = 0;
  std::string progress_ = "auto";
  std::vector<uint8_t> data_;
  UpdateImageFacts facts_;
  UpdateOptions options_;
};

// An RSSI of 127 is HCI's "not available" (virtual controllers report it).
bool KnownRssi(const BleSeenDevice& d) { return d.rssi && *d.rssi != 127; }

// `dfu scan`: the SMP devices an adapter sees, the strongest first. It opens no SMP transport.
class ScanCommand final : public Command {
 public:
  ScanCommand(CLI::App& dfu, std::shared_ptr<DfuGlobalOptions> g)
      : Command(dfu.add_subcommand("scan",
                                   "List nearby BLE devices offering the SMP service "
                                   "(BlueZ)")),
        global_(std::move(g)) {
    app()
        ->add_option("--timeout", seconds_, "Seconds to scan (default 5)")
        ->check(CLI::Range(1u, 600u));
  }

  int Run(Streams& s) override {
    try {
      const DfuConnectionOptions& c = global_->connection;
      if (!c.transport.empty() && c.transport != "ble") {
        ThrowUsage("dfu scan looks for BLE devices: --transport " + c.transport +
                   " does not apply");
      }
      if (!c.device.empty() || !c.name.empty()) {
        ThrowUsage("dfu scan lists every SMP device: --device and --name do not apply");
      }
      if (!c.adapter.empty()) bluez::CheckAdapterName(c.adapter);
      const BleScanReport report = ScanSmpDevices(c.adapter, std::chrono::seconds(seconds_));
      if (global_->json) {
        json devices = json::array();
        for (const BleSeenDevice& d : report.devices) {
          devices.push_back({{"address", d.address},
                             {"address_type", d.address_type},
                             {"name", d.name},
                             {"rssi", KnownRssi(d) ? json(*d.rssi) : json(nullptr)},
                             {"connected", d.connected}});
        }
        s.out << json{{"adapter", report.adapter.name},
                      {"adapter_address", report.adapter.address},
                      {"seconds", seconds_},
                      {"devices", devices}}
                     .dump(2)
              << "\n";
        return 0;
      }
      s.out << report.devices.size() << " SMP device" << (report.devices.size() == 1 ? "" : "s")
            << " seen by " << report.adapter.name << " (" << report.adapter.address << ") in "
            << seconds_ << " s\n";
      for (const BleSeenDevice& d : report.devices) {
        char rssi[16];
        std::snprintf(rssi, sizeof(rssi), "%4d dBm", KnownRssi(d) ? static_cast<int>(*d.rssi) : 0);
        s.out << d.address << "  " << (KnownRssi(d) ? rssi : "     n/a") << "  "
              << (d.name.empty() ? "(no name)" : d.name) << (d.connected ? "  (connected)" : "")
              << "\n";
      }
      return 0;
    } catch (const HostError& e) {
      if (global_->json) {
        s.out << json{{"error", {{"message", e.what()}, {"exit_code", static_cast<int>(e.code())}}}}
                     .dump(2)
              << "\n";
      }
      throw;
    }
  }

 private:
  std::shared_ptr<DfuGlobalOptions> global_;
  unsigned seconds_ = 5;
};

}  // namespace

void AddDfuCommands(CLI::App& app, std::vector<std::unique_ptr<Command>>& commands) {
  auto global = std::make_shared<DfuGlobalOptions>();
  CLI::App* dfu = app.add_subcommand("dfu", "Update and manage a device over SMP (mcumgr)");
  dfu->require_subcommand(1);
  AddGlobalOptions(*dfu, *global);
  // Leaf commands take the dfu options after their name too (`dfu echo hi --json`).
  dfu->fallthrough();
  commands.push_back(std::make_unique<EchoCommand>(*dfu, global));
  commands.push_back(std::make_unique<ParamsCommand>(*dfu, global));
  commands.push_back(std::make_unique<InfoCommand>(*dfu, global));
  commands.push_back(std::make_unique<ResetCommand>(*dfu, global));
  commands.push_back(std::make_unique<ScanCommand>(*dfu, global));
  CLI::App* image = dfu->add_subcommand("image", "Image slot commands");
  image->require_subcommand(1);
  commands.push_back(std::make_unique<ImageListCommand>(*image, global));
  commands.push_back(std::make_unique<ImageUploadCommand>(*image, global));
  commands.push_back(std::make_unique<ImageStateWriteCommand>(*image, global, false));
  commands.push_back(std::make_unique<ImageStateWriteCommand>(*image, global, true));
  commands.push_back(std::make_unique<ImageEraseCommand>(*image, global));
  commands.push_back(std::make_unique<ImageSlotsCommand>(*image, global));
}

}  // namespace bleota::host::cli
