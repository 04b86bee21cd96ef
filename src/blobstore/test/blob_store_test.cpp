// File: blobstore/test/blob_store_test.cpp
//
// The behaviour both BlobStore backends share, run against each: the
// directory store in a temporary directory and the Azure client on Azurite
// (one per test process; a fresh container per test). Every expectation is
// the same for both, so passing here means they behave identically.
#include "blobstore/blob_store.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "blobstore/test/test_util.h"
#include "common/testing/temp_dir.h"

namespace mpcc::blobstore {
namespace {

using testing::fresh_container_name;

enum class Backend { kDirectory, kAzure };

std::string all_byte_values(int repeat) {
  std::string s;
  for (int r = 0; r < repeat; ++r) {
    for (int b = 0; b < 256; ++b) s += static_cast<char>(b);
  }
  return s;
}

std::vector<std::string> names_of(const std::vector<BlobProperties>& blobs) {
  std::vector<std::string> out;
  for (const auto& b : blobs) out.push_back(b.name);
  return out;
}

class BlobStoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override {
    StatusOr<std::unique_ptr<BlobStore>> store = open_store();
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    store_ = std::move(store).value();
    container_ = fresh_container_name();
    MPCC_ASSERT_OK(store_->create_container(container_));
  }

  // A second, independent store object on the same storage.
  StatusOr<std::unique_ptr<BlobStore>> open_store() {
    if (GetParam() == Backend::kDirectory) {
      if (!dir_) dir_ = std::make_unique<mpcc::testing::TempDir>("mpcc-blobstore");
      return testing::open_directory(dir_->path() / "blobs");
    }
    return testing::open_azurite();
  }

  BlobProperties put_ok(const std::string& name, std::string_view data,
                        const PutOptions& options = {}) {
    StatusOr<BlobProperties> p = store_->put(container_, name, data, options);
    EXPECT_TRUE(p.ok()) << p.status().to_string();
    return p.ok() ? *p : BlobProperties{};
  }

  std::string get_data(const std::string& name) {
    StatusOr<Blob> b = store_->get(container_, name);
    EXPECT_TRUE(b.ok()) << b.status().to_string();
    return b.ok() ? b->data : std::string();
  }

  std::vector<std::string> all_names(const ListOptions& options = {}) {
    StatusOr<ListPage> page = store_->list(container_, options);
    EXPECT_TRUE(page.ok()) << page.status().to_string();
    return page.ok() ? names_of(page->blobs) : std::vector<std::string>{};
  }

  std::unique_ptr<mpcc::testing::TempDir> dir_;
  std::unique_ptr<BlobStore> store_;
  std::string container_;
};

TEST_P(BlobStoreTest, CreateContainerTwiceIsOk) {
  MPCC_ASSERT_OK(store_->create_container(container_));
  MPCC_ASSERT_OK(store_->create_container(container_));
  EXPECT_TRUE(all_names().empty());
}

TEST_P(BlobStoreTest, MissingContainerIsNotFound) {
  const std::string missing = fresh_container_name();
  const std::string message = "container '" + missing + "' not found";
  StatusOr<BlobProperties> put = store_->put(missing, "a", "x");
  EXPECT_EQ(put.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(put.status().message(), message);
  StatusOr<Blob> get = store_->get(missing, "a");
  EXPECT_EQ(get.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(get.status().message(), message);
  StatusOr<ListPage> list = store_->list(missing);
  EXPECT_EQ(list.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(list.status().message(), message);
  MPCC_EXPECT_CODE(store_->remove(missing, "a"), StatusCode::kNotFound);
}

TEST_P(BlobStoreTest, RoundTripsEveryByteValue) {
  const std::string data = all_byte_values(4);
  BlobProperties put = put_ok("bytes.bin", data);
  EXPECT_EQ(put.name, "bytes.bin");
  EXPECT_EQ(put.size, data.size());
  EXPECT_FALSE(put.etag.empty());
  EXPECT_EQ(put.etag.find('"'), std::string::npos);
  StatusOr<Blob> got = store_->get(container_, "bytes.bin");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->data, data);
  EXPECT_FALSE(got->not_modified);
  EXPECT_EQ(got->properties.etag, put.etag);
  EXPECT_EQ(got->properties.size, data.size());
  EXPECT_EQ(got->properties.name, "bytes.bin");
  EXPECT_FALSE(got->properties.last_modified.empty());
}

TEST_P(BlobStoreTest, RoundTripsEmptyAndLargerBlobs) {
  put_ok("empty", "");
  StatusOr<Blob> empty = store_->get(container_, "empty");
  ASSERT_TRUE(empty.ok()) << empty.status().to_string();
  EXPECT_EQ(empty->data, "");
  EXPECT_EQ(empty->properties.size, 0u);
  StatusOr<BlobProperties> props = store_->properties(container_, "empty");
  ASSERT_TRUE(props.ok()) << props.status().to_string();
  EXPECT_EQ(props->size, 0u);

  std::string large(1 << 20, '\0');
  std::mt19937 rng(7);
  for (char& c : large) c = static_cast<char>(rng());
  put_ok("large", large);
  EXPECT_EQ(get_data("large"), large);
}

TEST_P(BlobStoreTest, KeepsContentTypeAndMetadata) {
  PutOptions options;
  options.content_type = "application/json";
  options.metadata = {{"owner", "contoso"}, {"record_id", "7f3a"}, {"kid", "key v1 = ok"}};
  BlobProperties put = put_ok("records/1.json", "{}", options);
  EXPECT_EQ(put.content_type, "application/json");
  EXPECT_EQ(put.metadata, options.metadata);

  StatusOr<Blob> got = store_->get(container_, "records/1.json");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->properties.content_type, "application/json");
  EXPECT_EQ(got->properties.metadata, options.metadata);
  StatusOr<BlobProperties> props = store_->properties(container_, "records/1.json");
  ASSERT_TRUE(props.ok()) << props.status().to_string();
  EXPECT_EQ(props->content_type, "application/json");
  EXPECT_EQ(props->metadata, options.metadata);
  EXPECT_EQ(props->etag, put.etag);
  EXPECT_EQ(props->size, 2u);
  StatusOr<ListPage> page = store_->list(container_);
  ASSERT_TRUE(page.ok()) << page.status().to_string();
  ASSERT_EQ(page->blobs.size(), 1u);
  EXPECT_EQ(page->blobs[0].content_type, "application/json");
  EXPECT_EQ(page->blobs[0].metadata, options.metadata);
  EXPECT_EQ(page->blobs[0].etag, put.etag);
  EXPECT_EQ(page->blobs[0].size, 2u);

  // A put replaces the metadata too.
  put_ok("records/1.json", "{}");
  StatusOr<BlobProperties> replaced = store_->properties(container_, "records/1.json");
  ASSERT_TRUE(replaced.ok());
  EXPECT_TRUE(replaced->metadata.empty());
  EXPECT_EQ(replaced->content_type, "application/octet-stream");
}

TEST_P(BlobStoreTest, EmptyContentTypeMeansOctetStream) {
  PutOptions options;
  options.content_type = "";
  EXPECT_EQ(put_ok("a", "x", options).content_type, "application/octet-stream");
  StatusOr<BlobProperties> props = store_->properties(container_, "a");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->content_type, "application/octet-stream");
}

TEST_P(BlobStoreTest, NamesWithSlashesSpacesAndUnicode) {
  const std::vector<std::string> names = {
      "dir/sub/a.txt",
      "hello world.txt",
      "dir/hello world.txt",
      "caf\xc3\xa9/na\xc3\xafve.txt",
      "\xe6\x97\xa5\xe6\x9c\xac/\xe8\xaa\x9e.json",
      "emoji-\xf0\x9f\x98\x80",
      "percent%2Fliteral",
      "q?x=1&y=#frag",
      "plus+semi;colon:comma,",
      "..dots",
      ".hidden",
      "~tilde",
      "'quote\"",
  };
  for (const auto& n : names) put_ok(n, "content of " + n);
  for (const auto& n : names) EXPECT_EQ(get_data(n), "content of " + n) << n;
  std::vector<std::string> sorted = names;
  std::sort(sorted.begin(), sorted.end());
  EXPECT_EQ(all_names(), sorted);
  ListOptions dir;
  dir.prefix = "dir/";
  EXPECT_EQ(all_names(dir), (std::vector<std::string>{"dir/hello world.txt", "dir/sub/a.txt"}));
}

TEST_P(BlobStoreTest, EtagChangesOnEveryPut) {
  std::vector<std::string> etags;
  for (int i = 0; i < 5; ++i) etags.push_back(put_ok("same", "same content").etag);
  std::vector<std::string> unique = etags;
  std::sort(unique.begin(), unique.end());
  unique.erase(std::unique(unique.begin(), unique.end()), unique.end());
  EXPECT_EQ(unique.size(), etags.size());
  StatusOr<BlobProperties> props = store_->properties(container_, "same");
  ASSERT_TRUE(props.ok());
  EXPECT_EQ(props->etag, etags.back());
}

TEST_P(BlobStoreTest, IfMatchWritesOnlyOverTheCurrentEtag) {
  const BlobProperties v1 = put_ok("doc", "v1");
  PutOptions current;
  current.if_match = v1.etag;
  const BlobProperties v2 = put_ok("doc", "v2", current);
  EXPECT_NE(v2.etag, v1.etag);
  EXPECT_EQ(get_data("doc"), "v2");

  PutOptions stale;
  stale.if_match = v1.etag;
  StatusOr<BlobProperties> refused = store_->put(container_, "doc", "v3", stale);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition)
      << refused.status().to_string();
  EXPECT_EQ(refused.status().message(),
            "blob '" + container_ + "/doc': If-Match condition not met");
  EXPECT_EQ(get_data("doc"), "v2");

  PutOptions quoted;
  quoted.if_match = "\"" + v2.etag + "\"";
  put_ok("doc", "v4", quoted);
  EXPECT_EQ(get_data("doc"), "v4");
}

TEST_P(BlobStoreTest, IfMatchOnMissingBlobFails) {
  PutOptions options;
  options.if_match = "0x8DC1A2B3C4D5E6F";
  StatusOr<BlobProperties> refused = store_->put(container_, "missing", "x", options);
  EXPECT_EQ(refused.status().code(), StatusCode::kFailedPrecondition)
      << refused.status().to_string();
  EXPECT_EQ(store_->get(container_, "missing").status().code(), StatusCode::kNotFound);
}

// If-Match on a missing blob is a failed condition for every operation.
TEST_P(BlobStoreTest, IfMatchOnMissingBlobFailsEverywhere) {
  GetOptions match;
  match.if_match = "0x8DC1A2B3C4D5E6F";
  EXPECT_EQ(store_->get(container_, "missing", match).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(store_->remove(container_, "missing", "0x8DC1A2B3C4D5E6F").code(),
            StatusCode::kFailedPrecondition);
  // ... but a missing container is still reported as such.
  const std::string other = fresh_container_name();
  EXPECT_EQ(store_->get(other, "missing", match).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->remove(other, "missing", "0x1").code(), StatusCode::kNotFound);
}

// "*" conditions are refused before anything is sent: Azurite and Azure
// disagree on If-Match: * for a missing blob.
TEST_P(BlobStoreTest, WildcardConditionsAreRefused) {
  put_ok("doc", "v1");
  PutOptions any;
  any.if_match = "*";
  EXPECT_EQ(store_->put(container_, "doc", "v2", any).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->put(container_, "new", "v2", any).status().code(),
            StatusCode::kInvalidArgument);
  GetOptions get_any;
  get_any.if_match = "*";
  EXPECT_EQ(store_->get(container_, "doc", get_any).status().code(), StatusCode::kInvalidArgument);
  get_any.if_match.reset();
  get_any.if_none_match = "\"*\"";
  EXPECT_EQ(store_->get(container_, "doc", get_any).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(store_->remove(container_, "doc", "*").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(get_data("doc"), "v1");
  EXPECT_EQ(all_names(), std::vector<std::string>{"doc"});
}

TEST_P(BlobStoreTest, IfNoneMatchAnyCreatesOnlyOnce) {
  PutOptions create_only;
  create_only.if_none_match_any = true;
  const BlobProperties first = put_ok("once", "first", create_only);
  StatusOr<BlobProperties> second = store_->put(container_, "once", "second", create_only);
  EXPECT_EQ(second.status().code(), StatusCode::kAlreadyExists) << second.status().to_string();
  EXPECT_EQ(second.status().message(),
            "blob '" + container_ + "/once' already exists (If-None-Match: *)");
  StatusOr<Blob> got = store_->get(container_, "once");
  ASSERT_TRUE(got.ok());
  EXPECT_EQ(got->data, "first");
  EXPECT_EQ(got->properties.etag, first.etag);
}

TEST_P(BlobStoreTest, ConditionalGet) {
  const BlobProperties v1 = put_ok("doc", "v1");
  GetOptions none_match;
  none_match.if_none_match = v1.etag;
  StatusOr<Blob> not_modified = store_->get(container_, "doc", none_match);
  ASSERT_TRUE(not_modified.ok()) << not_modified.status().to_string();
  EXPECT_TRUE(not_modified->not_modified);
  EXPECT_EQ(not_modified->data, "");
  EXPECT_EQ(not_modified->properties.etag, v1.etag);

  const BlobProperties v2 = put_ok("doc", "v2");
  StatusOr<Blob> modified = store_->get(container_, "doc", none_match);
  ASSERT_TRUE(modified.ok()) << modified.status().to_string();
  EXPECT_FALSE(modified->not_modified);
  EXPECT_EQ(modified->data, "v2");
  EXPECT_EQ(modified->properties.etag, v2.etag);

  GetOptions match;
  match.if_match = v2.etag;
  StatusOr<Blob> matched = store_->get(container_, "doc", match);
  ASSERT_TRUE(matched.ok()) << matched.status().to_string();
  EXPECT_EQ(matched->data, "v2");
  match.if_match = v1.etag;
  EXPECT_EQ(store_->get(container_, "doc", match).status().code(), StatusCode::kFailedPrecondition);
}

TEST_P(BlobStoreTest, MissingBlobIsNotFound) {
  const std::string message = "blob '" + container_ + "/nothing/here' not found";
  StatusOr<Blob> get = store_->get(container_, "nothing/here");
  EXPECT_EQ(get.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(get.status().message(), message);
  StatusOr<BlobProperties> props = store_->properties(container_, "nothing/here");
  EXPECT_EQ(props.status().code(), StatusCode::kNotFound);
  EXPECT_EQ(props.status().message(), message);
  Status removed = store_->remove(container_, "nothing/here");
  EXPECT_EQ(removed.code(), StatusCode::kNotFound);
  EXPECT_EQ(removed.message(), message);
}

TEST_P(BlobStoreTest, RemoveHonoursIfMatch) {
  const BlobProperties v1 = put_ok("doc", "v1");
  const BlobProperties v2 = put_ok("doc", "v2");
  Status stale = store_->remove(container_, "doc", v1.etag);
  EXPECT_EQ(stale.code(), StatusCode::kFailedPrecondition) << stale.to_string();
  EXPECT_EQ(get_data("doc"), "v2");
  MPCC_ASSERT_OK(store_->remove(container_, "doc", v2.etag));
  EXPECT_EQ(store_->get(container_, "doc").status().code(), StatusCode::kNotFound);
  put_ok("plain", "x");
  MPCC_ASSERT_OK(store_->remove(container_, "plain"));
  EXPECT_TRUE(all_names().empty());
}

// names_only lists the same names in the same pages (a store may leave the
// other properties out).
TEST_P(BlobStoreTest, NamesOnlyListsTheSameNames) {
  for (const char* n : {"rec/b", "rec/a", "other/x", "rec/c"}) put_ok(n, n);
  ListOptions full;
  full.prefix = "rec/";
  full.max_results = 2;
  ListOptions names = full;
  names.names_only = true;
  for (int pages = 0; pages < 3; ++pages) {
    StatusOr<ListPage> a = store_->list(container_, full);
    StatusOr<ListPage> b = store_->list(container_, names);
    ASSERT_TRUE(a.ok() && b.ok());
    ASSERT_EQ(a->blobs.size(), b->blobs.size());
    for (std::size_t i = 0; i < a->blobs.size(); ++i) EXPECT_EQ(a->blobs[i].name, b->blobs[i].name);
    EXPECT_EQ(a->next_marker, b->next_marker);
    if (a->next_marker.empty()) break;
    full.marker = names.marker = a->next_marker;
  }
}

// count() agrees with the listing for any prefix, and names a missing
// container.
TEST_P(BlobStoreTest, CountAgreesWithTheListing) {
  const auto agree = [&](const char* when) {
    for (const char* prefix : {"", "rec/", "rec", "re", "other/", "none/", "rec/a", "rec/d/", "rec/d/e/"}) {
      ListOptions options;
      options.prefix = prefix;
      StatusOr<std::size_t> n = store_->count(container_, prefix);
      ASSERT_TRUE(n.ok()) << n.status().to_string();
      EXPECT_EQ(*n, all_names(options).size()) << "prefix " << prefix << ", " << when;
    }
  };
  for (const char* n : {"rec/b", "rec/a", "other/x", "rec/c", "re", "rec", "rec/d/e/f"}) put_ok(n, n);
  agree("after the puts");
  put_ok("rec/a", "again");  // an overwrite adds no name
  MPCC_ASSERT_OK(store_->remove(container_, "rec/d/e/f"));
  MPCC_ASSERT_OK(store_->remove(container_, "rec/b"));
  agree("after an overwrite and removes");
  EXPECT_EQ(store_->count("nosuchcontainer", "").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->count("Bad_Name", "").status().code(), StatusCode::kInvalidArgument);
}

TEST_P(BlobStoreTest, ListsInOrderWithPrefixMarkerAndPages) {
  std::vector<std::string> names;
  for (int i = 0; i < 25; ++i) {
    names.push_back((i % 3 == 0 ? "dir/" : "top-") + std::to_string(100 + i * 7 % 25));
  }
  std::vector<std::string> shuffled = names;
  std::shuffle(shuffled.begin(), shuffled.end(), std::mt19937(42));
  for (const auto& n : shuffled) put_ok(n, n);
  std::sort(names.begin(), names.end());

  EXPECT_EQ(all_names(), names);

  // Pages of 7 through the whole set: 7, 7, 7, 4; NextMarker empty at the end.
  ListOptions options;
  options.max_results = 7;
  std::vector<std::string> paged;
  std::vector<std::size_t> sizes;
  for (int pages = 0; pages < 10; ++pages) {
    StatusOr<ListPage> page = store_->list(container_, options);
    ASSERT_TRUE(page.ok()) << page.status().to_string();
    sizes.push_back(page->blobs.size());
    for (const auto& b : page->blobs) {
      paged.push_back(b.name);
      EXPECT_EQ(b.size, b.name.size());
    }
    if (page->next_marker.empty()) break;
    options.marker = page->next_marker;
  }
  EXPECT_EQ(paged, names);
  EXPECT_EQ(sizes, (std::vector<std::size_t>{7, 7, 7, 4}));

  // Prefix, alone and with paging.
  std::vector<std::string> in_dir;
  for (const auto& n : names) {
    if (n.starts_with("dir/")) in_dir.push_back(n);
  }
  ASSERT_EQ(in_dir.size(), 9u);
  ListOptions prefix;
  prefix.prefix = "dir/";
  EXPECT_EQ(all_names(prefix), in_dir);
  prefix.max_results = 4;
  StatusOr<ListPage> first = store_->list(container_, prefix);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(names_of(first->blobs), std::vector<std::string>(in_dir.begin(), in_dir.begin() + 4));
  EXPECT_EQ(first->next_marker, in_dir[3]);
  prefix.marker = first->next_marker;
  StatusOr<ListPage> second = store_->list(container_, prefix);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(names_of(second->blobs),
            std::vector<std::string>(in_dir.begin() + 4, in_dir.begin() + 8));
  EXPECT_EQ(second->next_marker, in_dir[7]);
  prefix.marker = second->next_marker;
  StatusOr<ListPage> third = store_->list(container_, prefix);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(names_of(third->blobs), std::vector<std::string>{in_dir[8]});
  EXPECT_EQ(third->next_marker, "");

  // A marker is exclusive and need not name a blob.
  ListOptions after;
  after.marker = names[10];
  EXPECT_EQ(all_names(after), std::vector<std::string>(names.begin() + 11, names.end()));
  after.marker = "top-";
  std::vector<std::string> tops(names.begin() + static_cast<long>(in_dir.size()), names.end());
  EXPECT_EQ(all_names(after), tops);

  ListOptions nothing;
  nothing.prefix = "zzz";
  EXPECT_TRUE(all_names(nothing).empty());
  ListOptions zero;
  zero.max_results = 0;
  EXPECT_EQ(store_->list(container_, zero).status().code(), StatusCode::kInvalidArgument);
}

TEST_P(BlobStoreTest, InvalidNamesAreRefusedAndNothingIsWritten) {
  const std::vector<std::string> bad_containers = {
      "ab", "UPPER", "a--b", "-abc", "abc-", "a_b", "a.b", std::string(64, 'a'), ""};
  for (const auto& c : bad_containers) {
    MPCC_EXPECT_CODE(store_->create_container(c), StatusCode::kInvalidArgument);
    MPCC_EXPECT_CODE(store_->put(c, "a", "x").status(), StatusCode::kInvalidArgument);
    MPCC_EXPECT_CODE(store_->list(c).status(), StatusCode::kInvalidArgument);
  }
  const std::vector<std::string> bad_blobs = {"",
                                              "/leading",
                                              "a//b",
                                              "trailing/",
                                              "../x",
                                              "a/../../b",
                                              "./a",
                                              "a/./b",
                                              ".",
                                              "..",
                                              "a/..",
                                              "a.",
                                              "dir./x",
                                              "back\\slash",
                                              "ctl\x01",
                                              std::string("nul\0x", 5),
                                              "tab\there",
                                              "del\x7f",
                                              "\xff\xfe",
                                              "\xc0\xaf",
                                              std::string(1025, 'n')};
  for (const auto& n : bad_blobs) {
    StatusOr<BlobProperties> put = store_->put(container_, n, "x");
    EXPECT_EQ(put.status().code(), StatusCode::kInvalidArgument) << put.status().to_string();
    EXPECT_EQ(store_->get(container_, n).status().code(), StatusCode::kInvalidArgument);
    EXPECT_EQ(store_->properties(container_, n).status().code(), StatusCode::kInvalidArgument);
    MPCC_EXPECT_CODE(store_->remove(container_, n), StatusCode::kInvalidArgument);
  }
  EXPECT_TRUE(all_names().empty());
  put_ok(std::string(1024, 'n'), "longest name");
  EXPECT_EQ(get_data(std::string(1024, 'n')), "longest name");

  PutOptions bad_metadata;
  bad_metadata.metadata = {{"Upper", "x"}};
  MPCC_EXPECT_CODE(store_->put(container_, "m", "x", bad_metadata).status(),
                   StatusCode::kInvalidArgument);
  bad_metadata.metadata = {{"ok", " padded"}};
  MPCC_EXPECT_CODE(store_->put(container_, "m", "x", bad_metadata).status(),
                   StatusCode::kInvalidArgument);
  bad_metadata.metadata = {{"ok", "line\r\nInjected: yes"}};
  MPCC_EXPECT_CODE(store_->put(container_, "m", "x", bad_metadata).status(),
                   StatusCode::kInvalidArgument);
  PutOptions bad_type;
  bad_type.content_type = "text/plain\r\nX-Evil: 1";
  MPCC_EXPECT_CODE(store_->put(container_, "m", "x", bad_type).status(),
                   StatusCode::kInvalidArgument);
  PutOptions bad_etag;
  bad_etag.if_match = "bad etag";
  MPCC_EXPECT_CODE(store_->put(container_, "m", "x", bad_etag).status(),
                   StatusCode::kInvalidArgument);
  EXPECT_EQ(all_names(), std::vector<std::string>{std::string(1024, 'n')});
}

// 8 threads x 50 read-modify-write increments of one counter with If-Match
// retries: no update may be lost.
TEST_P(BlobStoreTest, ConcurrentIncrementsLoseNoUpdate) {
  constexpr int kThreads = 8;
  constexpr int kIncrements = 50;
  PutOptions create_only;
  create_only.if_none_match_any = true;
  put_ok("counter", "0", create_only);
  std::vector<std::thread> threads;
  std::vector<std::string> errors(kThreads);
  std::vector<int> conflicts(kThreads, 0);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937 rng(static_cast<unsigned>(t));
      for (int i = 0; i < kIncrements; ++i) {
        for (int attempt = 0;; ++attempt) {
          StatusOr<Blob> current = store_->get(container_, "counter");
          if (!current.ok()) {
            errors[t] = current.status().to_string();
            return;
          }
          PutOptions options;
          options.if_match = current->properties.etag;
          const int next = std::atoi(current->data.c_str()) + 1;
          StatusOr<BlobProperties> put =
              store_->put(container_, "counter", std::to_string(next), options);
          if (put.ok()) break;
          if (put.status().code() != StatusCode::kFailedPrecondition) {
            errors[t] = put.status().to_string();
            return;
          }
          ++conflicts[t];
          // Randomised exponential back-off, so eight writers do not keep
          // colliding (each collision costs a GET and a PUT).
          const unsigned ceiling_us = 2000u << std::min(attempt, 5);
          std::this_thread::sleep_for(std::chrono::microseconds(rng() % ceiling_us));
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  EXPECT_EQ(get_data("counter"), std::to_string(kThreads * kIncrements));
  int total_conflicts = 0;
  for (int c : conflicts) total_conflicts += c;
  RecordProperty("conflicts", total_conflicts);
  std::printf("conflicts: %d\n", total_conflicts);
}

TEST_P(BlobStoreTest, DescribesItselfWithoutSecrets) {
  const std::string description = store_->describe();
  EXPECT_EQ(description.find("Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq"),
            std::string::npos);
  if (GetParam() == Backend::kDirectory) {
    EXPECT_EQ(store_->kind(), "directory");
    EXPECT_EQ(description, "directory " + (dir_->path() / "blobs").string());
    EXPECT_EQ(store_->account(), "local");
    EXPECT_EQ(store_->blob_url(container_, "dir/a b.txt"),
              "file://" + (dir_->path() / "blobs").string() + "/" + container_ + "/dir/a%20b.txt");
  } else {
    const std::string endpoint = testing::Azurite::shared()->blob_endpoint();
    EXPECT_EQ(store_->kind(), "azure");
    EXPECT_EQ(description, "azure " + endpoint);
    EXPECT_EQ(store_->account(), "devstoreaccount1");
    EXPECT_EQ(store_->blob_url(container_, "dir/a b.txt"),
              endpoint + "/" + container_ + "/dir/a%20b.txt");
  }
}

TEST_P(BlobStoreTest, SecondStoreObjectSeesTheSameBlobs) {
  StatusOr<std::unique_ptr<BlobStore>> other = open_store();
  ASSERT_TRUE(other.ok()) << other.status().to_string();
  const BlobProperties p = put_ok("shared", "seen by both");
  StatusOr<Blob> got = (*other)->get(container_, "shared");
  ASSERT_TRUE(got.ok()) << got.status().to_string();
  EXPECT_EQ(got->data, "seen by both");
  EXPECT_EQ(got->properties.etag, p.etag);
}

INSTANTIATE_TEST_SUITE_P(Backends, BlobStoreTest,
                         ::testing::Values(Backend::kDirectory, Backend::kAzure),
                         [](const ::testing::TestParamInfo<Backend>& backend) {
                           return backend.param == Backend::kDirectory ? std::string("directory")
                                                                       : std::string("azure");
                         });

// The same sequence of operations on both backends gives the same answers,
// page by page (names, sizes, content types, metadata and NextMarker).
TEST(BothBackends, ListingsAreIdentical) {
  mpcc::testing::TempDir dir("mpcc-blobstore");
  StatusOr<std::unique_ptr<BlobStore>> directory = testing::open_directory(dir.path(), false);
  ASSERT_TRUE(directory.ok()) << directory.status().to_string();
  StatusOr<std::unique_ptr<BlobStore>> azure = testing::open_azurite();
  ASSERT_TRUE(azure.ok()) << azure.status().to_string();
  const std::string container = fresh_container_name();
  std::map<std::string, std::vector<std::string>> transcripts;
  for (BlobStore* store : {directory->get(), azure->get()}) {
    std::vector<std::string>& out = transcripts[store->kind()];
    MPCC_ASSERT_OK(store->create_container(container));
    for (int i = 24; i >= 0; --i) {
      PutOptions options;
      options.content_type = i % 2 == 0 ? "application/json" : "text/plain";
      if (i % 5 == 0) options.metadata = {{"n", std::to_string(i)}};
      const std::string name =
          (i % 4 == 0 ? "a/" : "b/") + std::string(1 + i % 3, 'x') + std::to_string(i);
      ASSERT_TRUE(
          store->put(container, name, std::string(static_cast<std::size_t>(i), 'd'), options).ok());
    }
    for (const std::string& prefix : {std::string(), std::string("a/"), std::string("b/xx")}) {
      ListOptions options;
      options.prefix = prefix;
      options.max_results = 7;
      for (int pages = 0; pages < 10; ++pages) {
        StatusOr<ListPage> page = store->list(container, options);
        ASSERT_TRUE(page.ok()) << page.status().to_string();
        for (const auto& b : page->blobs) {
          std::string line = b.name + " " + std::to_string(b.size) + " " + b.content_type;
          for (const auto& [k, v] : b.metadata) line += " " + k + "=" + v;
          out.push_back(line);
        }
        out.push_back("next:" + page->next_marker);
        if (page->next_marker.empty()) break;
        options.marker = page->next_marker;
      }
    }
  }
  EXPECT_EQ(transcripts["directory"], transcripts["azure"]);
  EXPECT_GT(transcripts["directory"].size(), 25u);
}

}  // namespace
}  // namespace mpcc::blobstore
