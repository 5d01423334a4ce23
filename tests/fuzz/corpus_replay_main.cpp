// Runs a fuzz target's LLVMFuzzerTestOneInput once on every file of the given files and
// directories (the committed corpus, crash regressions), so the normal sanitizer build checks
// them without clang or libFuzzer. A property violation or memory error aborts the process.
//
//   <target>_corpus_replay [--min-files N] PATH...
//
// Fails when a path does not exist or fewer than N files (default 1) were replayed, so an
// emptied or mistyped corpus cannot pass silently.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

namespace fs = std::filesystem;

bool ReadFile(const fs::path& path, std::vector<uint8_t>& out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return false;
  out.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return !in.bad();
}

// Regular files of `path` (itself, or the files directly inside it), sorted for a stable order.
bool CollectFiles(const fs::path& path, std::vector<fs::path>& files) {
  std::error_code error;
  if (fs::is_regular_file(path, error)) {
    files.push_back(path);
    return true;
  }
  if (!fs::is_directory(path, error)) return false;
  std::vector<fs::path> found;
  for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
    if (entry.is_regular_file()) found.push_back(entry.path());
  }
  if (error) return false;
  std::sort(found.begin(), found.end());
  files.insert(files.end(), found.begin(), found.end());
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  size_t min_files = 1;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--min-files" && i + 1 < argc) {
      min_files = std::strtoul(argv[++i], nullptr, 10);
      continue;
    }
    if (!CollectFiles(arg, files)) {
      std::fprintf(stderr, "corpus_replay: %s is neither a file nor a readable directory\n",
                   arg.c_str());
      return 2;
    }
  }
  if (files.size() < min_files) {
    std::fprintf(stderr, "corpus_replay: found %zu input files, expected at least %zu\n",
                 files.size(), min_files);
    return 2;
  }

  std::vector<uint8_t> bytes;
  for (const fs::path& file : files) {
    if (!ReadFile(file, bytes)) {
      std::fprintf(stderr, "corpus_replay: cannot read %s\n", file.c_str());
      return 2;
    }
    // Named before running, so the log of an abort says which input caused it.
    std::fprintf(stderr, "replay %s (%zu bytes)\n", file.c_str(), bytes.size());
    LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
  }
  std::printf("corpus_replay: %zu inputs replayed, no failures\n", files.size());
  return 0;
}
