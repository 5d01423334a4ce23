// Bounded file reading and writing for the host tools: every input file has a size limit, so a
// wrong path (a disk image, /dev/zero) fails with a clear error instead of exhausting memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace bleota::host {

// Payloads and images: MCUboot's img_size is a u32, but no slot of a BLE part is near this.
inline constexpr size_t kMaxImageFileBytes = 32u * 1024 * 1024;
// PEM/DER keys and KEK files are a few hundred bytes.
inline constexpr size_t kMaxKeyFileBytes = 64u * 1024;

// Reads the whole file. `what` names the file's role in error messages ("key file", "image").
// Throws HostError(kIo) when it is missing, unreadable, not a regular file or larger than
// max_bytes.
std::vector<uint8_t> ReadFileBounded(const std::filesystem::path& path, size_t max_bytes,
                                     std::string_view what);

// Writes `data` to `path` (replacing it). Throws HostError(kIo) on failure.
void WriteFileBytes(const std::filesystem::path& path, std::span<const uint8_t> data,
                    std::string_view what);
void WriteFileText(const std::filesystem::path& path, std::string_view text, std::string_view what);

}  // namespace bleota::host
