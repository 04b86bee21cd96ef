// Test support: the value of a StatusOr, or a test failure that prints the
// status (and an exception that ends the test). Header-only; tests only.
//
//   auto key = mpcc::testing::must(crypto::PrivateKey::generate_rsa(2048));
#pragma once

#include <gtest/gtest.h>

#include <stdexcept>
#include <utility>

#include "common/status.h"

namespace mpcc::testing {

template <typename T>
T must(StatusOr<T> s) {
  if (!s.ok()) {
    ADD_FAILURE() << s.status().to_string();
    throw std::runtime_error("must: " + s.status().to_string());
  }
  return std::move(s).value();
}

}  // namespace mpcc::testing
