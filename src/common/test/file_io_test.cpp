#include "common/file_io.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace mpcc {
namespace {

namespace fs = std::filesystem;

TEST(FileIo, AtomicWriteThenRead) {
  fs::path dir = fs::temp_directory_path() / ("mpcc_file_io_" + std::to_string(::getpid()));
  fs::create_directories(dir);
  fs::path p = dir / "secret.bin";
  Bytes data = {1, 2, 3, 4};
  ASSERT_TRUE(write_file_atomic(p, data).ok());
  EXPECT_EQ(*read_file(p), data);
  auto perms = fs::status(p).permissions();
  EXPECT_EQ(perms & fs::perms::group_read, fs::perms::none);
  EXPECT_EQ(read_file(p, 2).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(read_file(dir / "absent").status().code(), StatusCode::kNotFound);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace mpcc
