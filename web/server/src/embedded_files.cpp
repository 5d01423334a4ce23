#include "bleota/web/embedded_files.hpp"

namespace bleota::web {

const EmbeddedFile* FindEmbeddedFile(std::string_view path) {
  for (const EmbeddedFile& file : EmbeddedFiles()) {
    if (file.path == path) return &file;
  }
  return nullptr;
}

}  // namespace bleota::web
