// The web updater's files (web/index.html, web/style.css, web/src/*.js), compiled into the
// executable by a build step (web/server/embed_files.cmake) so `bleota web` needs no source tree.
#pragma once

#include <span>
#include <string_view>

namespace bleota::web {

struct EmbeddedFile {
  std::string_view path;       // URL path, e.g. "/src/app.js"
  std::string_view mime_type;  // Content-Type value
  std::span<const unsigned char> bytes;
};

std::span<const EmbeddedFile> EmbeddedFiles();

// The file served at a normalized path, or nullptr. Exact match only: nothing else is reachable.
const EmbeddedFile* FindEmbeddedFile(std::string_view path);

}  // namespace bleota::web
