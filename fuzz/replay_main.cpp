// File: fuzz/replay_main.cpp
//
// A main() for fuzz targets built without libFuzzer (GCC, MPCC_FUZZ=OFF):
// runs LLVMFuzzerTestOneInput once over every regular file of the files and
// directories given (directories recursively, in sorted order), so the
// release build replays the seed corpora and any reproducer cheaply.
//
//   fuzz_csv_import fuzz/corpus/csv_import crash-1234
//
// Exit status: 0 when every input ran (a finding aborts the process, as under
// libFuzzer); 2 when an argument does not exist or a file cannot be read, or
// when no input was found at all (a missing corpus must not pass silently).
// Arguments starting with '-' (libFuzzer flags) are ignored.
//
// Thread-safety: single-threaded.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <system_error>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);
extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv) __attribute__((weak));

namespace {

namespace fs = std::filesystem;

bool collect(const fs::path& arg, std::vector<fs::path>& files) {
  std::error_code ec;
  if (fs::is_regular_file(arg, ec)) {
    files.push_back(arg);
    return true;
  }
  if (!fs::is_directory(arg, ec)) {
    std::fprintf(stderr, "replay: %s: no such file or directory\n", arg.c_str());
    return false;
  }
  for (const auto& entry : fs::recursive_directory_iterator(arg, ec)) {
    if (entry.is_regular_file()) files.push_back(entry.path());
  }
  if (ec) {
    std::fprintf(stderr, "replay: %s: %s\n", arg.c_str(), ec.message().c_str());
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (LLVMFuzzerInitialize != nullptr) LLVMFuzzerInitialize(&argc, &argv);
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    if (argv[i][0] == '-') continue;
    if (!collect(argv[i], files)) return 2;
  }
  if (files.empty()) {
    std::fprintf(stderr, "replay: no inputs (give corpus directories or files)\n");
    return 2;
  }
  std::sort(files.begin(), files.end());
  for (const fs::path& file : files) {
    std::ifstream in(file, std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    if (!in.good() && !in.eof()) {
      std::fprintf(stderr, "replay: cannot read %s\n", file.c_str());
      return 2;
    }
    LLVMFuzzerTestOneInput(reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replay: %zu inputs ran\n", files.size());
  return 0;
}
