// File: web/assets.h
//
// Assets: the web pages the party app and the four-pane view serve (the
// source tree's web/ folder). Normally the copy embedded in the binary at
// build time, so nothing is fetched or read at run time; for UI development
// `--web-root DIR` serves DIR's files from disk instead (read per request).
//
//   const Assets assets = Assets::embedded();       // or from_directory(dir)
//   if (auto a = assets.find("party/index.html")) ... a->body, a->content_type
//
// Paths are "<area>/<file>" with file names of [A-Za-z0-9._-] only (no
// sub-folders, no "..", nothing hidden); anything else is not found.
//
// Errors: from_directory gives kNotFound when DIR is not a directory.
// Thread-safety: immutable after construction; find() may run concurrently.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace mpcc::web {

struct Asset {
  std::string body;
  std::string content_type;  // e.g. "text/html; charset=utf-8"
};

class Assets {
 public:
  static Assets embedded();
  static StatusOr<Assets> from_directory(const std::filesystem::path& root);

  std::optional<Asset> find(std::string_view path) const;
  // Every path there is (embedded: as built; directory: as on disk now).
  std::vector<std::string> list() const;
  // "embedded" or the directory.
  std::string source() const;

 private:
  explicit Assets(std::optional<std::filesystem::path> root) : root_(std::move(root)) {}
  std::optional<std::filesystem::path> root_;
};

// The content type for a file name's extension (application/octet-stream
// when unknown).
std::string content_type_for(std::string_view file_name);
// Whether `path` is "<area>/<file>" with safe names (see above).
bool is_safe_asset_path(std::string_view path);

}  // namespace mpcc::web
