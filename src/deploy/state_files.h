// File: deploy/state_files.h
//
// Small idempotent file steps shared by the provisioning code: private
// directories, files rewritten only when their content changes (so a second
// `mpcc up` changes nothing on disk), and random tokens created once.
//
//   MPCC_RETURN_IF_ERROR(ensure_private_dir(layout.party_dir("contoso")));
//   MPCC_ASSIGN_OR_RETURN(bool changed, write_if_changed(path, text));
//   MPCC_RETURN_IF_ERROR(ensure_random_token(layout.group_token("contoso")));
//
// Errors: kUnavailable naming the path and the system's reason; errors of
// common/file_io.h.
//
// Thread-safety: reentrant functions; callers serialise work on one DIR.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

#include "common/status.h"
#include "crypto/hash.h"

namespace mpcc::deploy {

inline constexpr std::filesystem::perms kPrivateFile =
    std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;

// Creates `dir` (and parents) and sets mode 0700.
Status ensure_private_dir(const std::filesystem::path& dir);

// Writes `content` atomically with `perms` unless the file already holds
// exactly that (then nothing is touched); returns whether it wrote. The mode
// of an unchanged file is still set to `perms`.
StatusOr<bool> write_if_changed(const std::filesystem::path& path, std::string_view content,
                                std::filesystem::perms perms = kPrivateFile);

// A secret token file (0600): 32 random bytes, base64url, created when absent
// or empty and kept otherwise. Returns whether it was created.
StatusOr<bool> ensure_random_token(const std::filesystem::path& path);

// Lowercase hex SHA-256 of a file's content (read in chunks). kNotFound /
// kUnavailable when it cannot be read.
StatusOr<std::string> file_sha256(const std::filesystem::path& path);
// Lowercase hex digest of a file's content with `alg` (file_sha256 = kSha256).
StatusOr<std::string> file_digest(const std::filesystem::path& path, crypto::HashAlg alg);

}  // namespace mpcc::deploy
