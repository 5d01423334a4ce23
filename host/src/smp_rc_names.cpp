#include "bleota/host/smp_rc_names.hpp"

#include <array>
#include <string_view>

namespace bleota::host {
namespace {

struct Entry {
  std::string_view name;
  std::string_view meaning;
  std::string_view advice;
};

constexpr std::array<Entry, 14> kGeneric = {{
    {"ok", "success", ""},
    {"unknown", "the device failed for an unspecified reason", "check the device log"},
    {"no_memory", "the device ran out of memory or buffers for the request",
     "retry with a smaller --window, or upload with a smaller --mtu"},
    {"invalid", "the device found a missing or malformed field in the request",
     "check the command's arguments (a hash must be the image's 32-byte SHA256)"},
    {"timeout", "an operation on the device timed out", "retry"},
    {"no_entry", "the device has nothing matching the request (no such image, slot or entry)",
     "list what the device has with `bleota dfu image list`"},
    {"bad_state", "the device's state does not allow this request now",
     "check `bleota dfu image list`; a pending or unconfirmed image may block it"},
    {"too_large", "the request or its reply is too large for the device",
     "use a smaller chunk (the device's buf_size from `bleota dfu params`)"},
    {"not_supported", "the device does not implement this command", ""},
    {"corrupt", "the device found corrupt data", "upload the image again"},
    {"busy", "the device is busy with another operation", "wait and retry"},
    {"access_denied", "the device refused access to this command", ""},
    {"unsupported_too_old", "the device does not support this old SMP version",
     "use --smp-version 2"},
    {"unsupported_too_new", "the device does not support this new SMP version",
     "use --smp-version 1"},
}};

constexpr std::array<Entry, 7> kOs = {{
    {"ok", "success", ""},
    {"os_unknown", "the OS group failed for an unspecified reason", "check the device log"},
    {"os_invalid_format", "the info format string holds an unsupported character",
     "use only the letters s n r v b m p i o (or a) in the FORMAT"},
    {"os_query_yields_no_answer", "the query has no answer on this device", ""},
    {"os_rtc_not_set", "the device's real-time clock is not set", ""},
    {"os_rtc_command_failed", "the device's real-time clock command failed", ""},
    {"os_query_response_value_not_valid", "the device's answer to the query is not valid", ""},
}};

constexpr std::array<Entry, 35> kImage = {{
    {"ok", "success", ""},
    {"image_unknown", "the image group failed for an unspecified reason", "check the device log"},
    {"flash_config_query_fail", "the device could not read its flash configuration", ""},
    {"no_image", "there is no image in the slot", "upload an image first"},
    {"no_tlvs", "the image has no TLV area", "upload an image signed with `bleota image sign`"},
    {"invalid_tlv", "the image's TLV area is invalid", "check the file with `bleota image info`"},
    {"tlv_multiple_hashes_found", "the image holds more than one hash TLV", ""},
    {"tlv_invalid_size", "a TLV of the image has an invalid size", ""},
    {"hash_not_found",
     "no image on the device has this hash, or the image is signed with a key the device does "
     "not trust",
     "take the hash from `bleota dfu image list`; sign with a key the device was provisioned "
     "with"},
    {"no_free_slot", "there is no free slot for the upload", "erase the secondary slot first"},
    {"flash_open_failed", "the device could not open the flash area", ""},
    {"flash_read_failed", "reading the device's flash failed", ""},
    {"flash_write_failed", "writing the device's flash failed", "retry the upload"},
    {"flash_erase_failed", "erasing the device's flash failed", "retry"},
    {"invalid_slot", "the slot number is not valid", "list slots with `bleota dfu image slots`"},
    {"no_free_memory", "the device has no free memory for the request", ""},
    {"flash_context_already_set", "an upload is already in progress", ""},
    {"flash_context_not_set", "no upload is in progress", "start the upload from offset 0"},
    {"flash_area_device_null", "the flash area has no device", ""},
    {"invalid_page_offset", "the offset is not valid for the flash page", ""},
    {"invalid_offset", "the upload offset is not valid", "restart the upload"},
    {"invalid_length", "the upload length is not valid (zero or above the slot size)",
     "check the image fits the slot (`bleota dfu image slots`)"},
    {"invalid_image_header", "the image header is invalid",
     "check the file with `bleota image info`"},
    {"invalid_image_header_magic", "the image header magic is wrong (not an MCUboot image)",
     "upload an image signed with `bleota image sign`"},
    {"invalid_hash",
     "the image's hash or signature does not verify (or a hash sent is not 32 bytes)",
     "check the file with `bleota image verify` and the key the device trusts"},
    {"invalid_flash_address", "the flash address is not valid", ""},
    {"version_get_failed", "the device could not read an image version", ""},
    {"current_version_is_newer", "the running image is newer than the upload",
     "upload a newer version"},
    {"image_already_pending", "another image is already pending (marked for test)",
     "reset the device to boot it, or erase the secondary slot"},
    {"invalid_image_vector_table",
     "the image's flags or vector table are not accepted by the device",
     "check the flags with `bleota image info`"},
    {"invalid_image_too_large", "the image is too large for the slot",
     "check the slot size with `bleota dfu image slots`"},
    {"invalid_image_data_overrun", "the upload sent more data than its length", ""},
    {"image_confirmation_denied",
     "the device refused the image (its security counter is below the device's anti-rollback "
     "counter)",
     "sign the image with a security counter at least the device's (`-s`)"},
    {"image_setting_test_to_active_denied", "the running image cannot be marked for test", ""},
    {"active_slot_not_known", "the device does not know its active slot", ""},
}};

template <size_t N>
SmpRcDescription Lookup(const std::array<Entry, N>& table, uint16_t rc, std::string_view what) {
  if (rc < table.size()) {
    const Entry& e = table[rc];
    return {std::string(e.name), std::string(e.meaning), std::string(e.advice)};
  }
  return {"rc_" + std::to_string(rc),
          "code " + std::to_string(rc) + " is not a known " + std::string(what) + " code",
          "check the device's documentation"};
}

}  // namespace

SmpRcDescription DescribeGenericRc(uint16_t rc) { return Lookup(kGeneric, rc, "SMP"); }

SmpRcDescription DescribeGroupRc(uint16_t group, uint16_t rc) {
  if (group == kSmpGroupOs) return Lookup(kOs, rc, "OS group");
  if (group == kSmpGroupImage) return Lookup(kImage, rc, "image group");
  return {"rc_" + std::to_string(rc), SmpGroupName(group) + " error code " + std::to_string(rc),
          "check the device's documentation for this group"};
}

std::string SmpGroupName(uint16_t group) {
  if (group == kSmpGroupOs) return "os";
  if (group == kSmpGroupImage) return "image";
  return "group " + std::to_string(group);
}

}  // namespace bleota::host
