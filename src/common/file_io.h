// File: common/file_io.h
//
// Whole-file reads and atomic writes (write to a temporary, fsync, rename), so
// persisted state is either the old or the new version, never half of each.
#pragma once

#include <filesystem>
#include <string>

#include "common/bytes.h"
#include "common/status.h"

namespace mpcc {

// Fails with kNotFound if absent, kInvalidArgument if larger than max_size.
StatusOr<Bytes> read_file(const std::filesystem::path& path, std::size_t max_size = 64u << 20);
StatusOr<std::string> read_text_file(const std::filesystem::path& path,
                                     std::size_t max_size = 64u << 20);
// Writes atomically with the given permission bits (0600 for secrets).
Status write_file_atomic(const std::filesystem::path& path, ByteSpan data,
                         std::filesystem::perms perms = std::filesystem::perms::owner_read |
                                                        std::filesystem::perms::owner_write);

}  // namespace mpcc
