// File: records/test/test_util.h
//
// Helpers shared by the records tests: unwrapping StatusOr with a readable
// failure, the seed's data files, RSA keys made once per process.
#pragma once

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "common/file_io.h"
#include "common/status.h"
#include "common/testing/must.h"
#include "crypto/keys.h"

namespace mpcc::records::test {

using mpcc::testing::must;

// shared/data/<name> (the seed's CSV files, spec/seed-app.md §13).
inline std::string seed_data(const std::string& name) {
  return must(read_text_file(std::string(MPCC_SOURCE_DIR) + "/../shared/data/" + name));
}

// Two distinct RSA-2048 party keys, generated once per process.
inline const crypto::PrivateKey& party_rsa_key(int which) {
  static const crypto::PrivateKey first = must(crypto::PrivateKey::generate_rsa(2048));
  static const crypto::PrivateKey second = must(crypto::PrivateKey::generate_rsa(2048));
  return which == 0 ? first : second;
}

inline void expect_status(const Status& s, StatusCode code, std::string_view message) {
  EXPECT_EQ(s.code(), code) << s.to_string();
  EXPECT_EQ(s.message(), message);
}

}  // namespace mpcc::records::test
