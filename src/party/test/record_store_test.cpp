// RecordStore on both blob backends (the directory store and Azure Blob
// through Azurite): data keys created once and shared, idempotent import,
// paged listing of ciphertext that opens with the owner's key, create-only
// saves, concurrent writers losing nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <algorithm>
#include <chrono>
#include <set>

#include <fmt/format.h>
#include <thread>

#include "blobstore/azure_store.h"
#include "blobstore/directory_store.h"
#include "blobstore/test/azurite.h"
#include "common/testing/temp_dir.h"
#include "crypto/keys.h"
#include "party/record_store.h"
#include "records/generator.h"
#include "records/record_codec.h"
#include "records/record_id.h"

namespace mpcc::party {
namespace {

const crypto::PrivateKey& rsa_key(int which) {
  static const crypto::PrivateKey a = *crypto::PrivateKey::generate_rsa(2048);
  static const crypto::PrivateKey b = *crypto::PrivateKey::generate_rsa(2048);
  return which == 0 ? a : b;
}

enum class Backend { kDirectory, kAzurite };

class RecordStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    static std::atomic<int> counter{0};
    container_ = "records-" + std::to_string(::getpid()) + "-" + std::to_string(counter++);
    if (GetParam() == Backend::kDirectory) {
      blobstore::DirectoryStoreOptions o;
      o.root = dir_.path();
      o.durable = false;
      store_ = std::shared_ptr<blobstore::BlobStore>(*blobstore::open_directory_store(o));
    } else {
      const auto* azurite = blobstore::testing::Azurite::shared();
      ASSERT_NE(azurite, nullptr) << blobstore::testing::Azurite::error();
      auto config = blobstore::parse_connection_string(azurite->connection_string());
      ASSERT_TRUE(config.ok()) << config.status().to_string();
      store_ = std::shared_ptr<blobstore::BlobStore>(*blobstore::open_azure_store(std::move(*config)));
    }
    records_ = std::make_unique<RecordStore>(store_, container_);
    ASSERT_TRUE(records_->prepare().ok());
  }
  records::DataKey key_of(const std::string& owner, int which = 0) {
    auto k = records_->data_key(owner, "v1", rsa_key(which), rsa_key(which).public_key(), true);
    EXPECT_TRUE(k.ok()) << k.status().to_string();
    return *k;
  }

  testing::TempDir dir_;
  std::string container_;
  std::shared_ptr<blobstore::BlobStore> store_;
  std::unique_ptr<RecordStore> records_;
};

TEST_P(RecordStoreTest, DataKeyIsCreatedOnceAndOpensOnlyWithTheOwnersKey) {
  auto missing = records_->data_key("contoso", "v1", rsa_key(0), rsa_key(0).public_key(), false);
  EXPECT_EQ(missing.status().code(), StatusCode::kNotFound);
  const records::DataKey first = key_of("contoso");
  const records::DataKey again = key_of("contoso");
  EXPECT_EQ(first.key, again.key);
  EXPECT_EQ(first.id, "contoso/v1");
  auto wrong = records_->data_key("contoso", "v1", rsa_key(1), rsa_key(1).public_key(), true);
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied) << wrong.status().to_string();
  auto all = records_->wrapped_data_keys("contoso");
  ASSERT_TRUE(all.ok());
  ASSERT_EQ(all->size(), 1u);
  EXPECT_EQ(all->begin()->first, "v1");
}

TEST_P(RecordStoreTest, ConcurrentFirstReleasesAgreeOnOneDataKey) {
  std::vector<records::DataKey> keys(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) threads.emplace_back([&, i] { keys[i] = key_of("fabrikam"); });
  for (auto& t : threads) t.join();
  for (const auto& k : keys) EXPECT_EQ(k.key, keys[0].key);
}

TEST_P(RecordStoreTest, ImportIsIdempotentAndListingPagesThroughCiphertext) {
  const records::DataKey key = key_of("contoso");
  const auto rows = records::generate_records(50, 7);
  const auto t0 = std::chrono::sys_days{std::chrono::year{2026} / 11 / 27} + std::chrono::hours(19);
  auto first = records_->import(key, rows, t0);
  ASSERT_TRUE(first.ok()) << first.status().to_string();
  EXPECT_EQ(first->added, 50u);
  auto second = records_->import(key, rows, t0 + std::chrono::minutes(5));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->added, 0u);
  EXPECT_EQ(second->already_present, 50u);
  EXPECT_EQ(*records_->count("contoso"), 50u);
  EXPECT_EQ(*records_->count("fabrikam"), 0u);

  records::RecordCodec codec(key);
  std::set<std::string> ids;
  std::string marker;
  int pages = 0;
  do {
    auto page = records_->list("contoso", marker, 20);
    ASSERT_TRUE(page.ok()) << page.status().to_string();
    ++pages;
    for (const auto& r : page->records) {
      EXPECT_EQ(r.owner, "contoso");
      EXPECT_EQ(r.blob_name, RecordStore::record_blob("contoso", r.record_id));
      EXPECT_EQ(r.timestamp.rfind("2026-11-27T19:00:00.0000", 0), 0u) << "the second import wrote nothing";
      auto opened = codec.open(r.jwe, "contoso", r.record_id);
      ASSERT_TRUE(opened.ok()) << opened.status().to_string();
      EXPECT_EQ(records::record_id_for(key, opened->record), r.record_id);
      // Row i is stamped t0 + i microseconds: the file order survives.
      const auto row = std::find(rows.begin(), rows.end(), opened->record) - rows.begin();
      EXPECT_EQ(r.timestamp, fmt::format("2026-11-27T19:00:00.{:06d}Z", row));
      ids.insert(r.record_id);
    }
    marker = page->next_marker;
  } while (!marker.empty());
  EXPECT_EQ(ids.size(), 50u);
  EXPECT_EQ(pages, 3);
}

TEST_P(RecordStoreTest, SaveIsCreateOnly) {
  const records::DataKey key = key_of("contoso");
  records::Record r;
  r.name = "Ada";
  r.phone = "+1 555-000-0001";
  ASSERT_TRUE(records_->save(key, "abc123", r, "2026-11-27T19:00:00.000000Z").ok());
  Status again = records_->save(key, "abc123", r, "2026-11-27T19:00:01.000000Z");
  EXPECT_EQ(again.code(), StatusCode::kAlreadyExists);
}

TEST_P(RecordStoreTest, TwoOwnersWritingAtOnceLoseNothing) {
  const records::DataKey contoso = key_of("contoso", 0);
  const records::DataKey fabrikam = key_of("fabrikam", 1);
  const int kPerOwner = GetParam() == Backend::kAzurite ? 60 : 200;
  std::atomic<int> failures{0};
  auto writer = [&](const records::DataKey& k, int start) {
    for (int i = start; i < kPerOwner; i += 2) {
      records::Record r;
      r.name = k.owner + " " + std::to_string(i);
      if (!records_->save(k, records::random_record_id(), r, "2026-11-27T19:00:00.000000Z").ok()) ++failures;
    }
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < 2; ++t) {
    threads.emplace_back(writer, std::cref(contoso), t);
    threads.emplace_back(writer, std::cref(fabrikam), t);
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(*records_->count("contoso"), static_cast<std::size_t>(kPerOwner));
  EXPECT_EQ(*records_->count("fabrikam"), static_cast<std::size_t>(kPerOwner));
}

INSTANTIATE_TEST_SUITE_P(Backends, RecordStoreTest,
                         ::testing::Values(Backend::kDirectory, Backend::kAzurite),
                         [](const ::testing::TestParamInfo<Backend>& param_info) {
                           return param_info.param == Backend::kDirectory ? "Directory" : "Azurite";
                         });

}  // namespace
}  // namespace mpcc::party
