// TransferKeyPool: keys are made ahead of time up to the capacity, each key
// handed out once (distinct kids), the pool refills, and without capacity
// (or when empty) take() still gives a fresh key.
#include "skr/transfer_key_pool.h"

#include <gtest/gtest.h>

#include <chrono>
#include <set>
#include <thread>

namespace mpcc::skr {
namespace {

bool wait_until_ready(const TransferKeyPool& pool, std::size_t n) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (pool.ready() < n) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

TEST(TransferKeyPool, FillsUpToItsCapacityAndHandsEachKeyOutOnce) {
  TransferKeyPool pool(2);
  ASSERT_TRUE(wait_until_ready(pool, 2));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(pool.ready(), 2u);  // never more than the capacity

  std::set<std::string> kids;
  for (int i = 0; i < 5; ++i) {
    StatusOr<TransferKey> key = pool.take();
    ASSERT_TRUE(key.ok()) << key.status().to_string();
    EXPECT_EQ(key->public_jwk().to_json()["n"].get<std::string>().size(), 342u);  // RSA-2048
    kids.insert(key->public_jwk().to_json()["kid"].get<std::string>());
  }
  EXPECT_EQ(kids.size(), 5u);
  EXPECT_TRUE(wait_until_ready(pool, 2));  // refilled
}

TEST(TransferKeyPool, WithoutCapacityEveryKeyIsMadeOnDemand) {
  TransferKeyPool pool(0);
  EXPECT_EQ(pool.ready(), 0u);
  StatusOr<TransferKey> a = pool.take();
  StatusOr<TransferKey> b = pool.take();
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_NE(a->runtime_data(), b->runtime_data());
  EXPECT_EQ(pool.ready(), 0u);
}

TEST(TransferKeyPool, StopsPromptlyWhileFilling) {
  const auto start = std::chrono::steady_clock::now();
  { TransferKeyPool pool(8); }
  // At most the one generation in progress is waited for.
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
}

}  // namespace
}  // namespace mpcc::skr
