// File: blobstore/test/directory_store_test.cpp
//
// What only the directory store promises: no lost update between separate
// PROCESSES sharing a root, listings that follow every writer's changes
// (its on-disk name index, internal/container_index.h, which survives killed
// writers, reboots and damage), no partial blob ever visible, no leftover
// temporary files, names that cannot leave the container directory, the
// on-disk layout, and refusal of corrupt or foreign files.
#include "blobstore/directory_store.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "blobstore/internal/blob_file.h"
#include "blobstore/internal/container_index.h"
#include "blobstore/internal/posix_file.h"
#include "blobstore/test/test_util.h"
#include "common/testing/temp_dir.h"
#include "sqlite/sqlite.h"

namespace mpcc::blobstore {
namespace {

namespace fs = std::filesystem;

// The files of `dir` other than the name index's (.index and its WAL files).
std::set<std::string> files_in(const fs::path& dir) {
  std::set<std::string> out;
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (!name.starts_with(internal::ContainerIndex::kFileName)) out.insert(name);
  }
  return out;
}

void remove_index(const fs::path& dir) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    fs::remove(dir / (std::string(internal::ContainerIndex::kFileName) + suffix));
  }
}

// Runs `sql` on the container's index as another program would.
void edit_index(const fs::path& dir, const char* sql) {
  StatusOr<sqlite::DbHandle> db =
      sqlite::open_database(dir / internal::ContainerIndex::kFileName, false, "test");
  ASSERT_TRUE(db.ok()) << db.status().to_string();
  MPCC_ASSERT_OK(sqlite::exec(db->get(), sql, "test"));
}

// Increments the counter blob `n` times with If-Match retries; returns an
// error text, empty on success.
std::string increment(BlobStore& store, const std::string& container, int n) {
  for (int i = 0; i < n; ++i) {
    for (;;) {
      StatusOr<Blob> current = store.get(container, "counter");
      if (!current.ok()) return current.status().to_string();
      PutOptions options;
      options.if_match = current->properties.etag;
      StatusOr<BlobProperties> put = store.put(
          container, "counter", std::to_string(std::atoi(current->data.c_str()) + 1), options);
      if (put.ok()) break;
      if (put.status().code() != StatusCode::kFailedPrecondition) return put.status().to_string();
    }
  }
  return "";
}

class DirectoryStoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = dir_.path() / "blobs";
    StatusOr<std::unique_ptr<BlobStore>> store = testing::open_directory(root_);
    ASSERT_TRUE(store.ok()) << store.status().to_string();
    store_ = std::move(store).value();
    MPCC_ASSERT_OK(store_->create_container("data"));
  }

  mpcc::testing::TempDir dir_{"mpcc-dirstore"};
  fs::path root_;
  std::unique_ptr<BlobStore> store_;
};

// Two processes (fork), each with its own store object on the same root,
// 100 read-modify-write increments each: the counter ends at 200.
TEST_F(DirectoryStoreTest, TwoProcessesLoseNoUpdate) {
  PutOptions create_only;
  create_only.if_none_match_any = true;
  ASSERT_TRUE(store_->put("data", "counter", "0", create_only).ok());
  constexpr int kPerProcess = 100;
  std::vector<pid_t> children;
  for (int p = 0; p < 2; ++p) {
    const pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      StatusOr<std::unique_ptr<BlobStore>> own = testing::open_directory(root_);
      const std::string error = own.ok() ? increment(**own, "data", kPerProcess) : "open failed";
      ::_exit(error.empty() ? 0 : 1);
    }
    children.push_back(pid);
  }
  for (pid_t pid : children) {
    int status = 0;
    ASSERT_EQ(::waitpid(pid, &status, 0), pid);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "child failed: " << status;
  }
  StatusOr<Blob> counter = store_->get("data", "counter");
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(counter->data, std::to_string(2 * kPerProcess));
}

// Separate store objects in one process exclude each other through flock too.
TEST_F(DirectoryStoreTest, SeparateStoreObjectsLoseNoUpdate) {
  ASSERT_TRUE(store_->put("data", "counter", "0").ok());
  std::vector<std::thread> threads;
  std::vector<std::string> errors(4);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      StatusOr<std::unique_ptr<BlobStore>> own = testing::open_directory(root_, false);
      errors[t] = own.ok() ? increment(**own, "data", 25) : own.status().to_string();
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& e : errors) EXPECT_EQ(e, "");
  StatusOr<Blob> counter = store_->get("data", "counter");
  ASSERT_TRUE(counter.ok());
  EXPECT_EQ(counter->data, "100");
}

// A reader racing a writer of blobs of changing sizes only ever sees whole
// blobs (each content is one repeated byte and its size is in the metadata),
// and the writes leave no temporary file behind.
TEST_F(DirectoryStoreTest, ReadersNeverSeePartialBlobs) {
  constexpr int kWrites = 150;
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::string reader_error;
  std::thread reader([&] {
    while (!done.load()) {
      StatusOr<Blob> b = store_->get("data", "racing");
      if (!b.ok()) {
        if (b.status().code() == StatusCode::kNotFound) continue;
        reader_error = b.status().to_string();
        return;
      }
      const std::string& d = b->data;
      const std::string expected_size =
          b->properties.metadata.count("size") != 0 ? b->properties.metadata.at("size") : "?";
      if (std::to_string(d.size()) != expected_size || b->properties.size != d.size() ||
          (!d.empty() && d.find_first_not_of(d[0]) != std::string::npos)) {
        reader_error = "partial or mixed blob of " + std::to_string(d.size()) + " bytes";
        return;
      }
      ++reads;
    }
  });
  for (int i = 0; i < kWrites; ++i) {
    const std::size_t size = static_cast<std::size_t>((i * 7919) % 200000);
    PutOptions options;
    options.metadata = {{"size", std::to_string(size)}};
    ASSERT_TRUE(
        store_->put("data", "racing", std::string(size, static_cast<char>('a' + i % 26)), options)
            .ok());
  }
  done = true;
  reader.join();
  EXPECT_EQ(reader_error, "");
  EXPECT_GT(reads.load(), 0);
  // Only the lock file and the one blob file remain.
  EXPECT_EQ(files_in(root_ / "data"), (std::set<std::string>{".lock", "racing"}));
}

TEST_F(DirectoryStoreTest, RefusedWritesLeaveNoTemporaryFile) {
  PutOptions create_only;
  create_only.if_none_match_any = true;
  ASSERT_TRUE(store_->put("data", "doc", "v1", create_only).ok());
  EXPECT_EQ(store_->put("data", "doc", "v2", create_only).status().code(),
            StatusCode::kAlreadyExists);
  PutOptions stale;
  stale.if_match = "0x0";
  EXPECT_EQ(store_->put("data", "doc", "v3", stale).status().code(),
            StatusCode::kFailedPrecondition);
  EXPECT_EQ(files_in(root_ / "data"), (std::set<std::string>{".lock", "doc"}));
}

// The names `store` lists under `prefix`, page by page (pages of 3).
std::vector<std::string> listed(BlobStore& store, const std::string& prefix) {
  std::vector<std::string> out;
  ListOptions options;
  options.prefix = prefix;
  options.max_results = 3;
  for (;;) {
    StatusOr<ListPage> page = store.list("data", options);
    if (!page.ok()) {
      ADD_FAILURE() << page.status().to_string();
      return out;
    }
    for (const auto& b : page->blobs) out.push_back(b.name);
    if (page->next_marker.empty()) return out;
    options.marker = page->next_marker;
  }
}

// Two store objects on one root (as two processes have): each lists and
// counts exactly what both have written, after every single write, whoever
// made it; the index is never stale.
TEST_F(DirectoryStoreTest, ListingsFollowEveryWriterOfTheRoot) {
  StatusOr<std::unique_ptr<BlobStore>> other = testing::open_directory(root_);
  ASSERT_TRUE(other.ok());
  BlobStore* stores[] = {store_.get(), other->get()};
  std::set<std::string> model;
  std::mt19937 rng(7);
  for (int step = 0; step < 300; ++step) {
    BlobStore& writer = *stores[rng() % 2];
    const std::string name = (rng() % 2 ? "rec/" : "key/") + std::to_string(rng() % 40);
    if (rng() % 3 == 0) {
      const Status removed = writer.remove("data", name);
      EXPECT_EQ(removed.ok(), model.erase(name) == 1) << removed.to_string();
    } else {
      PutOptions create_only;
      create_only.if_none_match_any = rng() % 2 == 0;
      const bool existed = model.count(name) == 1;
      StatusOr<BlobProperties> put = writer.put("data", name, name, create_only);
      EXPECT_EQ(put.ok(), !(existed && create_only.if_none_match_any)) << put.status().to_string();
      model.insert(name);
    }
    if (step % 7 != 0) continue;  // list now and then: the index has to follow many writes at once too
    for (BlobStore* reader : stores) {
      std::vector<std::string> want_rec;
      for (const auto& n : model) {
        if (n.starts_with("rec/")) want_rec.push_back(n);
      }
      ASSERT_EQ(listed(*reader, "rec/"), want_rec) << "step " << step;
      ASSERT_EQ(listed(*reader, "").size(), model.size());
      StatusOr<std::size_t> n = reader->count("data", "rec/");
      ASSERT_TRUE(n.ok());
      EXPECT_EQ(*n, want_rec.size());
      EXPECT_EQ(reader->count("data", "").value(), model.size());
      EXPECT_EQ(reader->count("data", "rec/1").value(),
                std::count_if(want_rec.begin(), want_rec.end(),
                              [](const std::string& r) { return r.starts_with("rec/1"); }));
    }
  }
}

// A process's listing follows another process's writes too (the index is
// one file that every process reads and writes).
TEST_F(DirectoryStoreTest, ListingsFollowAnotherProcess) {
  ASSERT_TRUE(store_->put("data", "before", "x").ok());
  ASSERT_EQ(listed(*store_, "").size(), 1u);
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    StatusOr<std::unique_ptr<BlobStore>> own = testing::open_directory(root_);
    bool ok = own.ok() && (*own)->put("data", "from-child", "y").ok() && (*own)->remove("data", "before").ok();
    ::_exit(ok ? 0 : 1);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  EXPECT_EQ(listed(*store_, ""), std::vector<std::string>{"from-child"});
  EXPECT_EQ(store_->count("data", "").value(), 1u);
}

// Whatever a store lists first, and in whatever order, it sees every name
// written before, by itself or another store, and every one after.
TEST_F(DirectoryStoreTest, ListingsOfNewPrefixesSeeWhatWasWrittenBefore) {
  StatusOr<std::unique_ptr<BlobStore>> other = testing::open_directory(root_);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE((*other)->put("data", "a/1", "x").ok());
  ASSERT_TRUE((*other)->put("data", "b/1", "x").ok());
  EXPECT_EQ(listed(*store_, "a/"), std::vector<std::string>{"a/1"});
  ASSERT_TRUE((*other)->put("data", "b/2", "x").ok());
  ASSERT_TRUE(store_->put("data", "b/3", "x").ok());  // own write outside the watched prefix
  EXPECT_EQ(listed(*store_, "b/"), (std::vector<std::string>{"b/1", "b/2", "b/3"}));
  ASSERT_TRUE((*other)->put("data", "a/2", "x").ok());
  ASSERT_TRUE((*other)->remove("data", "b/1").ok());
  EXPECT_EQ(listed(*store_, "a/"), (std::vector<std::string>{"a/1", "a/2"}));
  EXPECT_EQ(listed(*store_, "b/"), (std::vector<std::string>{"b/2", "b/3"}));
  EXPECT_EQ(store_->count("data", "b/").value(), 2u);
  EXPECT_EQ(listed(*store_, ""), (std::vector<std::string>{"a/1", "a/2", "b/2", "b/3"}));
}

// Thousands of writes by another store between two listings, and long
// names: the reader still lists and counts exactly what is there.
TEST_F(DirectoryStoreTest, ListingsFollowThousandsOfWritesElsewhere) {
  StatusOr<std::unique_ptr<BlobStore>> other = testing::open_directory(root_, /*durable=*/false);
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(store_->put("data", "first", "x").ok());
  ASSERT_EQ(listed(*store_, "").size(), 1u);
  for (int i = 0; i < 1100; ++i) ASSERT_TRUE((*other)->put("data", "bulk/" + std::to_string(i), "y").ok());
  EXPECT_EQ(store_->count("data", "bulk/").value(), 1100u);
  const std::string long_name = "long/" + std::string(150, 'n');
  ASSERT_TRUE((*other)->put("data", long_name, "z").ok());
  ASSERT_TRUE((*other)->remove("data", "first").ok());
  EXPECT_EQ(store_->count("data", "").value(), 1101u);
  EXPECT_EQ(listed(*store_, "long/"), std::vector<std::string>{long_name});
  EXPECT_EQ(listed(*store_, "first"), std::vector<std::string>{});
}

// A container removed and made again, or one whose index is missing (made
// before the index existed, or removed), is listed from what its directory
// holds.
TEST_F(DirectoryStoreTest, ListingsSurviveARecreatedContainerOrAMissingIndex) {
  ASSERT_TRUE(store_->put("data", "old", "x").ok());
  ASSERT_EQ(listed(*store_, ""), std::vector<std::string>{"old"});
  fs::remove_all(root_ / "data");
  EXPECT_EQ(store_->list("data").status().code(), StatusCode::kNotFound);
  EXPECT_EQ(store_->count("data", "").status().code(), StatusCode::kNotFound);
  StatusOr<std::unique_ptr<BlobStore>> other = testing::open_directory(root_);
  ASSERT_TRUE(other.ok());
  MPCC_ASSERT_OK((*other)->create_container("data"));
  ASSERT_TRUE((*other)->put("data", "new", "y").ok());
  EXPECT_EQ(listed(*store_, ""), std::vector<std::string>{"new"});

  remove_index(root_ / "data");
  ASSERT_TRUE((*other)->put("data", "newer", "z").ok());
  EXPECT_EQ(listed(*store_, ""), (std::vector<std::string>{"new", "newer"}));
  EXPECT_EQ(store_->count("data", "ne").value(), 2u);
}

// The index is what listings read (a name taken out of it behind the
// store's back stays unlisted), until a store opens it in another boot (a
// power loss may have cost it commits): then it is rebuilt from the
// directory.
TEST_F(DirectoryStoreTest, AnIndexBuiltInAnotherBootIsRebuilt) {
  ASSERT_TRUE(store_->put("data", "a", "x").ok());
  ASSERT_TRUE(store_->put("data", "b", "x").ok());
  ASSERT_EQ(listed(*store_, "").size(), 2u);
  edit_index(root_ / "data", "DELETE FROM names WHERE name = 'b'");
  StatusOr<std::unique_ptr<BlobStore>> same_boot = testing::open_directory(root_);
  ASSERT_TRUE(same_boot.ok());
  EXPECT_EQ(listed(**same_boot, ""), std::vector<std::string>{"a"});

  edit_index(root_ / "data", "UPDATE meta SET value = 'an-earlier-boot' WHERE key = 'built_boot'");
  StatusOr<std::unique_ptr<BlobStore>> next_boot = testing::open_directory(root_);
  ASSERT_TRUE(next_boot.ok());
  EXPECT_EQ(listed(**next_boot, ""), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ((*next_boot)->count("data", "").value(), 2u);
  EXPECT_EQ(listed(*store_, ""), (std::vector<std::string>{"a", "b"}));  // one index for all
}

// A damaged index file holds nothing the directory does not: it is replaced
// by one built from the directory, and writes go on.
TEST_F(DirectoryStoreTest, ADamagedIndexIsRebuilt) {
  ASSERT_TRUE(store_->put("data", "kept", "x").ok());
  store_.reset();  // no connection open on the file
  remove_index(root_ / "data");
  std::ofstream(root_ / "data" / internal::ContainerIndex::kFileName)
      << std::string(8192, 'G');  // not a database
  StatusOr<std::unique_ptr<BlobStore>> store = testing::open_directory(root_);
  ASSERT_TRUE(store.ok());
  EXPECT_EQ(listed(**store, ""), std::vector<std::string>{"kept"});
  ASSERT_TRUE((*store)->put("data", "more", "y").ok());
  EXPECT_EQ(listed(**store, ""), (std::vector<std::string>{"kept", "more"}));
}

// What a writer killed between recording a name and finishing its write
// leaves (the name pending, the file renamed or unlinked or not): readers
// look pending names up, and the next writer settles them.
TEST_F(DirectoryStoreTest, AWriterKilledMidWriteLeavesNothingStale) {
  ASSERT_TRUE(store_->put("data", "doomed", "x").ok());
  ASSERT_TRUE(store_->put("data", "kept", "x").ok());
  ASSERT_EQ(listed(*store_, "").size(), 2u);
  // A remove that got as far as its unlink, and a put as far as its rename
  // (its file made in another root, so that no index there sees it).
  edit_index(root_ / "data", "INSERT INTO pending(name) VALUES('doomed'), ('born'), ('never')");
  fs::remove(root_ / "data" / "doomed");
  StatusOr<std::unique_ptr<BlobStore>> elsewhere = testing::open_directory(dir_.path() / "other");
  ASSERT_TRUE(elsewhere.ok());
  MPCC_ASSERT_OK((*elsewhere)->create_container("data"));
  ASSERT_TRUE((*elsewhere)->put("data", "born", "y").ok());
  fs::rename(dir_.path() / "other" / "data" / "born", root_ / "data" / "born");

  EXPECT_EQ(listed(*store_, ""), (std::vector<std::string>{"born", "kept"}));
  EXPECT_EQ(store_->count("data", "").value(), 2u);
  EXPECT_EQ(store_->count("data", "b").value(), 1u);
  EXPECT_EQ(store_->count("data", "d").value(), 0u);
  ListOptions one;
  one.max_results = 1;
  one.names_only = true;
  StatusOr<ListPage> first = store_->list("data", one);
  ASSERT_TRUE(first.ok());
  ASSERT_EQ(first->blobs.size(), 1u);
  EXPECT_EQ(first->blobs[0].name, "born");
  EXPECT_EQ(first->next_marker, "born");

  ASSERT_TRUE(store_->put("data", "next", "z").ok());  // settles what the dead writer left
  StatusOr<sqlite::DbHandle> db = sqlite::open_database(
      root_ / "data" / internal::ContainerIndex::kFileName, true, "test");
  ASSERT_TRUE(db.ok());
  StatusOr<sqlite::Statement> pending =
      sqlite::Statement::prepare(db->get(), "SELECT count(*) FROM pending", "test");
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE(pending->step().value());
  EXPECT_EQ(pending->column_int(0), 0);
  EXPECT_EQ(listed(*store_, ""), (std::vector<std::string>{"born", "kept", "next"}));
}

// Without a usable index (here its path is taken by a directory), a writer
// refuses rather than change the directory behind the index, and listings
// and counts read the directory itself.
TEST_F(DirectoryStoreTest, WithoutAUsableIndexWritesFailAndListingsScan) {
  fs::create_directory(root_ / "data" / internal::ContainerIndex::kFileName);
  const StatusOr<BlobProperties> refused = store_->put("data", "refused", "x");
  EXPECT_FALSE(refused.ok());
  EXPECT_FALSE(fs::exists(root_ / "data" / "refused"));
  EXPECT_EQ(files_in(root_ / "data"), (std::set<std::string>{".lock"}));  // no temp file either

  StatusOr<std::unique_ptr<BlobStore>> elsewhere = testing::open_directory(dir_.path() / "other");
  ASSERT_TRUE(elsewhere.ok());
  MPCC_ASSERT_OK((*elsewhere)->create_container("data"));
  for (const char* name : {"b/2", "a/1", "b/1"}) {
    ASSERT_TRUE((*elsewhere)->put("data", name, name).ok());
    const std::string file = internal::blob_file_name(name);
    fs::rename(dir_.path() / "other" / "data" / file, root_ / "data" / file);
  }
  EXPECT_EQ(listed(*store_, ""), (std::vector<std::string>{"a/1", "b/1", "b/2"}));
  EXPECT_EQ(listed(*store_, "b/"), (std::vector<std::string>{"b/1", "b/2"}));
  EXPECT_EQ(store_->count("data", "b/").value(), 2u);
}

// A reader that must build the index waits for the container's lock without
// holding the index: a writer of its own process, holding that lock, still
// records its write (the lock order is the container's lock, then the
// index; the other way round the two would wait for each other for ever).
TEST_F(DirectoryStoreTest, AReaderBuildingTheIndexDoesNotBlockAWriterHoldingTheLock) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    ::alarm(20);  // a deadlock ends the child, and the test fails
    internal::ContainerIndex index(root_ / "data", internal::current_boot_id());
    internal::DirectoryReader empty;
    empty.scan = [] { return StatusOr<std::vector<std::string>>(std::vector<std::string>{}); };
    empty.exists = [](const std::string&) { return StatusOr<bool>(false); };
    StatusOr<internal::FileLock> acquired = internal::FileLock::acquire(root_ / "data" / ".lock");
    if (!acquired.ok()) ::_exit(2);
    std::optional<internal::FileLock> lock(std::move(acquired).value());
    std::thread reader([&] { (void)index.page("", "", 10, empty); });  // must build: waits
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    if (!index.begin_write("w", empty).ok()) ::_exit(3);  // what a writer does under the lock
    index.end_write("w", false);
    lock.reset();  // the writer is done
    reader.join();
    ::_exit(0);
  }
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFEXITED(status)) << "the child was killed (deadlock?) by signal "
                                 << (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  EXPECT_EQ(WEXITSTATUS(status), 0);
}

// A writer killed between its temporary file and the rename leaves the file
// behind; the next create_container of that container removes it once the
// writer's pid is gone (or a zombie), and leaves a live writer's (or an
// unnamed one) alone.
TEST_F(DirectoryStoreTest, TemporaryFilesOfDeadWritersAreRemoved) {
  const pid_t child = ::fork();
  ASSERT_GE(child, 0);
  if (child == 0) ::_exit(0);
  int status = 0;
  ASSERT_EQ(::waitpid(child, &status, 0), child);  // reaped: its pid runs nothing of ours
  const std::string dead = ".tmp-" + std::to_string(child) + "-00000000000000aa";
  const std::string live = ".tmp-" + std::to_string(::getpid()) + "-00000000000000bb";
  const std::string unnamed = ".tmp-00000000000000cc";
  // A killed writer its parent has not reaped yet (a zombie) writes no more either.
  const pid_t zombie = ::fork();
  ASSERT_GE(zombie, 0);
  if (zombie == 0) ::_exit(0);
  siginfo_t info{};
  ASSERT_EQ(::waitid(P_PID, static_cast<id_t>(zombie), &info, WEXITED | WNOWAIT), 0);  // stays a zombie
  const std::string unreaped = ".tmp-" + std::to_string(zombie) + "-00000000000000dd";
  for (const std::string& f : {dead, live, unnamed, unreaped}) {
    std::ofstream(root_ / "data" / f) << "partial";
  }
  MPCC_ASSERT_OK(store_->create_container("data"));
  const std::set<std::string> files = files_in(root_ / "data");
  if (::kill(child, 0) != 0) {  // (unless the pid was reused at once)
    EXPECT_FALSE(files.count(dead)) << "a dead writer's file stays";
  }
  EXPECT_FALSE(files.count(unreaped)) << "a zombie writer's file stays";
  ASSERT_EQ(::waitpid(zombie, &status, 0), zombie);
  EXPECT_TRUE(files.count(live));
  EXPECT_TRUE(files.count(unnamed));
  StatusOr<ListPage> page = store_->list("data");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->blobs.empty());
}

// Traversal names are refused; valid names full of dots, slashes and
// percent signs become single files inside the container directory.
TEST_F(DirectoryStoreTest, NamesCannotLeaveTheContainer) {
  const std::set<std::string> outside_before = files_in(dir_.path());
  for (const char* bad : {"../x", "a/../../b", "../../../../tmp/evil", "..", "./x"}) {
    EXPECT_EQ(store_->put("data", bad, "x").status().code(), StatusCode::kInvalidArgument) << bad;
  }
  const std::vector<std::string> tricky = {"..x",
                                           "x/..y/z",
                                           "%2e%2e%2fescape",
                                           "..%2F..%2Fup",
                                           ".lock",
                                           ".tmp-0000000000000000",
                                           "~" + std::string(64, 'a')};
  for (const auto& n : tricky) ASSERT_TRUE(store_->put("data", n, n).ok()) << n;
  EXPECT_EQ(files_in(dir_.path()), outside_before);
  EXPECT_EQ(files_in(root_), std::set<std::string>{"data"});
  for (const auto& e : fs::directory_iterator(root_ / "data")) {
    EXPECT_TRUE(e.is_regular_file()) << e.path();
    const std::string f = e.path().filename().string();
    EXPECT_EQ(f.find('/'), std::string::npos);
  }
  for (const auto& n : tricky) {
    StatusOr<Blob> b = store_->get("data", n);
    ASSERT_TRUE(b.ok()) << n;
    EXPECT_EQ(b->data, n);
  }
  StatusOr<ListPage> page = store_->list("data");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->blobs.size(), tricky.size());
}

TEST_F(DirectoryStoreTest, OnDiskLayout) {
  PutOptions options;
  options.content_type = "text/plain";
  options.metadata = {{"owner", "contoso"}};
  StatusOr<BlobProperties> p = store_->put("data", "dir/a b.txt", "hello", options);
  ASSERT_TRUE(p.ok());
  const fs::path file = root_ / "data" / "dir%2Fa%20b.txt";
  ASSERT_TRUE(fs::exists(file));
  std::ifstream in(file, std::ios::binary);
  std::string content((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_TRUE(content.starts_with("mpcc-blob/1 ")) << content;
  EXPECT_TRUE(content.ends_with("hello"));
  EXPECT_NE(content.find("\"etag\":\"" + p->etag + "\""), std::string::npos);
  EXPECT_NE(content.find("\"owner\":\"contoso\""), std::string::npos);
  EXPECT_EQ(fs::status(file).permissions() & fs::perms::all,
            fs::perms::owner_read | fs::perms::owner_write);
  ASSERT_TRUE(store_->list("data").ok());
  for (const auto& e : fs::directory_iterator(root_ / "data")) {  // the index's files too
    EXPECT_EQ(e.status().permissions() & fs::perms::all,
              fs::perms::owner_read | fs::perms::owner_write)
        << e.path();
  }
  EXPECT_EQ(fs::status(root_).permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(fs::status(root_ / "data").permissions() & fs::perms::all, fs::perms::owner_all);
  EXPECT_EQ(p->etag.size(), 18u);
  EXPECT_TRUE(p->etag.starts_with("0x"));
  // RFC 1123: "Tue, 24 Nov 2026 18:29:16 GMT".
  EXPECT_EQ(p->last_modified.size(), 29u);
  EXPECT_TRUE(p->last_modified.ends_with(" GMT"));
}

TEST_F(DirectoryStoreTest, LongNamesUseHashedFileNames) {
  const std::string long_name = "deep/" + std::string(1000, 'z') + "/\xc3\xa9";
  ASSERT_TRUE(store_->put("data", long_name, "long").ok());
  const std::string file = internal::blob_file_name(long_name);
  EXPECT_EQ(file.size(), 65u);
  EXPECT_EQ(file[0], '~');
  EXPECT_TRUE(fs::exists(root_ / "data" / file));
  ASSERT_TRUE(store_->put("data", "short", "s").ok());
  StatusOr<ListPage> page = store_->list("data");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->blobs.size(), 2u);
  EXPECT_EQ(page->blobs[0].name, long_name);
  EXPECT_EQ(page->blobs[1].name, "short");
  ListOptions prefix;
  prefix.prefix = "deep/";
  page = store_->list("data", prefix);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->blobs.size(), 1u);
  StatusOr<Blob> b = store_->get("data", long_name);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->data, "long");
  MPCC_ASSERT_OK(store_->remove("data", long_name));
  EXPECT_FALSE(fs::exists(root_ / "data" / file));
}

TEST_F(DirectoryStoreTest, ForeignFilesAreIgnoredAndCorruptBlobsReported) {
  ASSERT_TRUE(store_->put("data", "good", "fine").ok());
  // Not written by the store: hidden, non-canonical spelling, bad hash name.
  std::ofstream(root_ / "data" / ".hidden") << "x";
  std::ofstream(root_ / "data" / "a%2fb") << "x";
  std::ofstream(root_ / "data" / ("~" + std::string(64, '0'))) << "x";
  fs::create_directory(root_ / "data" / "subdir");
  StatusOr<ListPage> page = store_->list("data");
  ASSERT_TRUE(page.ok()) << page.status().to_string();
  ASSERT_EQ(page->blobs.size(), 1u);
  EXPECT_EQ(page->blobs[0].name, "good");

  // A truncated blob file is reported, not served.
  ASSERT_TRUE(store_->put("data", "broken", "0123456789").ok());
  fs::resize_file(root_ / "data" / "broken", fs::file_size(root_ / "data" / "broken") - 3);
  StatusOr<Blob> broken = store_->get("data", "broken");
  EXPECT_EQ(broken.status().code(), StatusCode::kDataLoss) << broken.status().to_string();
  // A blob file that holds another blob's header is reported too.
  fs::copy_file(root_ / "data" / "good", root_ / "data" / "other",
                fs::copy_options::overwrite_existing);
  EXPECT_EQ(store_->get("data", "other").status().code(), StatusCode::kDataLoss);
  std::ofstream(root_ / "data" / "garbage") << "not a blob file";
  EXPECT_EQ(store_->properties("data", "garbage").status().code(), StatusCode::kDataLoss);
}

TEST_F(DirectoryStoreTest, OpenAndCreateContainerErrors) {
  DirectoryStoreOptions empty;
  EXPECT_EQ(open_directory_store(empty).status().code(), StatusCode::kInvalidArgument);
  std::ofstream(dir_.path() / "file") << "x";
  DirectoryStoreOptions on_file;
  on_file.root = dir_.path() / "file";
  EXPECT_FALSE(open_directory_store(on_file).ok());
  std::ofstream(root_ / "notadir") << "x";
  EXPECT_EQ(store_->create_container("notadir").code(), StatusCode::kFailedPrecondition);
  // A relative root is made absolute.
  const fs::path cwd = fs::current_path();
  fs::current_path(dir_.path());
  DirectoryStoreOptions relative;
  relative.root = "rel/blobs";
  StatusOr<std::unique_ptr<BlobStore>> store = open_directory_store(relative);
  fs::current_path(cwd);
  ASSERT_TRUE(store.ok()) << store.status().to_string();
  EXPECT_EQ((*store)->describe(), "directory " + (dir_.path() / "rel/blobs").string());
}

TEST_F(DirectoryStoreTest, NonDurableStoreBehavesTheSame) {
  StatusOr<std::unique_ptr<BlobStore>> fast = testing::open_directory(root_, false);
  ASSERT_TRUE(fast.ok());
  StatusOr<BlobProperties> p = (*fast)->put("data", "quick", "q");
  ASSERT_TRUE(p.ok());
  StatusOr<Blob> b = store_->get("data", "quick");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b->properties.etag, p->etag);
  MPCC_ASSERT_OK((*fast)->remove("data", "quick", p->etag));
}

}  // namespace
}  // namespace mpcc::blobstore
