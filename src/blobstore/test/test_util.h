// File: blobstore/test/test_util.h
//
// Test support for the blobstore suites: status assertions, fresh container
// names, and stores of either backend (the directory store in a temporary
// directory, the Azure client on the shared Azurite, test/azurite.h).
#pragma once

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>

#include "blobstore/azure_config.h"
#include "blobstore/azure_store.h"
#include "blobstore/blob_store.h"
#include "blobstore/directory_store.h"
#include "blobstore/test/azurite.h"
#include "common/status.h"
#include "crypto/random.h"

#define MPCC_ASSERT_OK(expr)                                              \
  do {                                                                    \
    const ::mpcc::Status mpcc_test_status_ = (expr);                      \
    ASSERT_TRUE(mpcc_test_status_.ok()) << mpcc_test_status_.to_string(); \
  } while (0)

#define MPCC_EXPECT_CODE(expr, expected_code)                                              \
  do {                                                                                     \
    const ::mpcc::Status mpcc_test_status_ = (expr);                                       \
    EXPECT_EQ(mpcc_test_status_.code(), (expected_code)) << mpcc_test_status_.to_string(); \
  } while (0)

namespace mpcc::blobstore::testing {

// "t<n>-<random>": unique across tests and runs (Azurite keeps one process).
inline std::string fresh_container_name() {
  static std::atomic<int> counter{0};
  return "t" + std::to_string(++counter) + "-" + std::to_string(crypto::random_u64() % 1000000000u);
}

inline StatusOr<std::unique_ptr<BlobStore>> open_directory(const std::filesystem::path& root,
                                                           bool durable = true) {
  DirectoryStoreOptions options;
  options.root = root;
  options.durable = durable;
  return open_directory_store(options);
}

// The Azure client on the shared Azurite; kUnavailable saying why when
// Azurite could not be started (e.g. node_modules missing: run npm ci).
inline StatusOr<std::unique_ptr<BlobStore>> open_azurite() {
  const Azurite* azurite = Azurite::shared();
  if (azurite == nullptr) return unavailable(Azurite::error());
  MPCC_ASSIGN_OR_RETURN(AzureBlobConfig config,
                        parse_connection_string(azurite->connection_string()));
  return open_azure_store(std::move(config));
}

}  // namespace mpcc::blobstore::testing
