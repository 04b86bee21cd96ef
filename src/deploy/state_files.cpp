#include "deploy/state_files.h"

#include <fmt/format.h>

#include <fstream>
#include <string>

#include "common/bytes.h"
#include "common/file_io.h"
#include "crypto/encoding.h"
#include "crypto/hash.h"
#include "crypto/random.h"

namespace mpcc::deploy {

namespace fs = std::filesystem;

namespace {
constexpr std::size_t kTokenBytes = 32;
constexpr std::size_t kMaxCompared = 16u << 20;
}  // namespace

Status ensure_private_dir(const fs::path& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return unavailable(fmt::format("{}: cannot create: {}", dir.string(), ec.message()));
  fs::permissions(dir, fs::perms::owner_all, ec);
  if (ec) {
    return unavailable(fmt::format("{}: cannot set mode 0700: {}", dir.string(), ec.message()));
  }
  return ok_status();
}

StatusOr<bool> write_if_changed(const fs::path& path, std::string_view content, fs::perms perms) {
  StatusOr<std::string> existing = read_text_file(path, kMaxCompared);
  if (existing.ok() && *existing == content) {
    std::error_code ec;
    fs::permissions(path, perms, ec);
    if (ec) {
      return unavailable(fmt::format("{}: cannot set its mode: {}", path.string(), ec.message()));
    }
    return false;
  }
  MPCC_RETURN_IF_ERROR(write_file_atomic(path, as_span(content), perms));
  return true;
}

StatusOr<bool> ensure_random_token(const fs::path& path) {
  StatusOr<Bytes> existing = read_file(path, 4096);
  if (existing.ok() && !existing->empty()) {
    secure_wipe(existing->data(), existing->size());
    std::error_code ec;
    fs::permissions(path, kPrivateFile, ec);
    return false;
  }
  const SecureBytes raw = crypto::random_secret(kTokenBytes);
  std::string token = crypto::base64url_encode(ByteSpan(raw.data(), raw.size()));
  Status written = write_file_atomic(path, as_span(token), kPrivateFile);
  secure_wipe(token.data(), token.size());
  MPCC_RETURN_IF_ERROR(written);
  return true;
}

StatusOr<std::string> file_sha256(const fs::path& path) {
  return file_digest(path, crypto::HashAlg::kSha256);
}

StatusOr<std::string> file_digest(const fs::path& path, crypto::HashAlg alg) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    std::error_code ec;
    if (!fs::exists(path, ec)) return not_found(path.string() + ": no such file");
    return unavailable(path.string() + ": cannot be read");
  }
  crypto::Hasher hasher(alg);
  std::vector<uint8_t> buf(1u << 16);
  while (in) {
    in.read(reinterpret_cast<char*>(buf.data()), static_cast<std::streamsize>(buf.size()));
    const auto n = static_cast<std::size_t>(in.gcount());
    if (n > 0) hasher.update(ByteSpan(buf.data(), n));
  }
  if (in.bad()) return unavailable(path.string() + ": read error");
  return hex_encode(hasher.finish());
}

}  // namespace mpcc::deploy
