#include "web/assets.h"

#include <fstream>
#include <sstream>

#include "web/embedded_files.h"

namespace mpcc::web {

namespace fs = std::filesystem;

namespace {

bool is_safe_name(std::string_view name) {
  if (name.empty() || name.front() == '.') return false;
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-' || c == '_';
    if (!ok) return false;
  }
  return name.find("..") == std::string_view::npos;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

std::string content_type_for(std::string_view file_name) {
  struct Type {
    const char* extension;
    const char* type;
  };
  static constexpr Type kTypes[] = {
      {".html", "text/html; charset=utf-8"},     {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".svg", "image/svg+xml"},                 {".png", "image/png"},
      {".json", "application/json; charset=utf-8"}, {".txt", "text/plain; charset=utf-8"},
  };
  for (const Type& t : kTypes) {
    if (ends_with(file_name, t.extension)) return t.type;
  }
  return "application/octet-stream";
}

bool is_safe_asset_path(std::string_view path) {
  const std::size_t slash = path.find('/');
  if (slash == std::string_view::npos) return false;
  return is_safe_name(path.substr(0, slash)) && is_safe_name(path.substr(slash + 1));
}

Assets Assets::embedded() { return Assets(std::nullopt); }

StatusOr<Assets> Assets::from_directory(const fs::path& root) {
  std::error_code ec;
  if (!fs::is_directory(root, ec)) {
    return not_found("web root " + root.string() + " is not a directory");
  }
  return Assets(fs::absolute(root));
}

std::optional<Asset> Assets::find(std::string_view path) const {
  if (!is_safe_asset_path(path)) return std::nullopt;
  if (!root_) {
    for (std::size_t i = 0; i < embedded::kFileCount; ++i) {
      const embedded::File& f = embedded::kFiles[i];
      if (path == f.path) {
        return Asset{std::string(reinterpret_cast<const char*>(f.data), f.size),
                     content_type_for(path)};
      }
    }
    return std::nullopt;
  }
  std::ifstream in(*root_ / fs::path(std::string(path)), std::ios::binary);
  if (!in) return std::nullopt;
  std::ostringstream body;
  body << in.rdbuf();
  return Asset{body.str(), content_type_for(path)};
}

std::vector<std::string> Assets::list() const {
  std::vector<std::string> out;
  if (!root_) {
    for (std::size_t i = 0; i < embedded::kFileCount; ++i) out.emplace_back(embedded::kFiles[i].path);
    return out;
  }
  std::error_code ec;
  for (const auto& area : fs::directory_iterator(*root_, ec)) {
    if (!area.is_directory()) continue;
    for (const auto& file : fs::directory_iterator(area.path(), ec)) {
      std::string rel = area.path().filename().string() + "/" + file.path().filename().string();
      if (file.is_regular_file() && is_safe_asset_path(rel)) out.push_back(std::move(rel));
    }
  }
  return out;
}

std::string Assets::source() const { return root_ ? root_->string() : "embedded"; }

}  // namespace mpcc::web
