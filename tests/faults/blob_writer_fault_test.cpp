// File: tests/faults/blob_writer_fault_test.cpp
//
// kill -9 of a blob writer (fault_blob_writer: the directory store's
// create-only puts, If-Match overwrites and deletes, fsync + rename) at a
// random moment 0-300 ms after its writes start, then a fresh writer on the
// same directory, N times. After each kill: every acknowledged put is
// readable with exactly its content and ETag (or the in-flight operation's
// result, which may have been applied without its answer), acknowledged
// deletes stay deleted, nothing partial or temporary is listed, and
// conditional writes still work (the dead writer's flock is gone).
#include <gtest/gtest.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "blobstore/directory_store.h"
#include "common/testing/temp_dir.h"
#include "tests/faults/fault_support.h"

namespace {

namespace fs = std::filesystem;
using mpcc::faults::FaultSettings;
using mpcc::faults::FaultTally;
using mpcc::faults::LineProcess;
using mpcc::faults::split_words;

constexpr const char* kContainer = "faults";

struct Stored {
  std::string etag;
  std::string sha;
  bool operator==(const Stored&) const = default;
};

// What the writer's output says: the acknowledged state, updated in place,
// and the operation in flight at the kill (if any).
struct WriterLog {
  struct InFlight {
    std::string op, name, sha;
  };
  std::optional<InFlight> in_flight;
  long acks = 0;
  bool error = false;
};

WriterLog apply_lines(const std::vector<std::string>& lines, std::map<std::string, Stored>& acked) {
  WriterLog log;
  for (const std::string& line : lines) {
    const std::vector<std::string> w = split_words(line);
    if (w.empty()) continue;
    if (w[0] == "error") {
      ADD_FAILURE() << "writer: " << line;
      log.error = true;
    } else if (w[0] == "begin" && w.size() >= 3) {
      log.in_flight = WriterLog::InFlight{w[1], w[2], w.size() > 3 ? w[3] : ""};
    } else if (w[0] == "ack" && w.size() >= 3) {
      if (w[1] == "put" && w.size() == 5) {
        acked[w[2]] = Stored{w[3], w[4]};
      } else if (w[1] == "delete") {
        acked.erase(w[2]);
      } else {
        ADD_FAILURE() << "writer line: " << line;
      }
      log.in_flight.reset();
      ++log.acks;
    }
  }
  return log;
}

std::optional<Stored> read_blob(mpcc::blobstore::BlobStore& store, const std::string& name) {
  auto b = store.get(kContainer, name);
  if (b.status().code() == mpcc::StatusCode::kNotFound) return std::nullopt;
  EXPECT_TRUE(b.ok()) << name << ": " << b.status().to_string();
  if (!b.ok()) return std::nullopt;
  EXPECT_EQ(b->data.size(), b->properties.size) << name;
  return Stored{b->properties.etag, mpcc::faults::sha256_hex(b->data)};
}

// The temporary files in `dir` that are not the live writer `pid`'s.
int foreign_temp_files(const fs::path& dir, pid_t pid) {
  int n = 0;
  const std::string own = ".tmp-" + std::to_string(pid) + "-";
  for (const auto& e : fs::directory_iterator(dir)) {
    const std::string name = e.path().filename().string();
    if (name.rfind(".tmp-", 0) == 0 && name.rfind(own, 0) != 0) ++n;
  }
  return n;
}

TEST(BlobWriterFaults, AcknowledgedWritesSurviveKill9) {
  const FaultSettings settings = FaultSettings::from_env("blob_writer");
  std::mt19937_64 rng(settings.seed);
  mpcc::testing::TempDir root("mpcc-faults-blobs");
  mpcc::blobstore::DirectoryStoreOptions options;
  options.root = root.path();
  auto opened = mpcc::blobstore::open_directory_store(options);
  ASSERT_TRUE(opened.ok()) << opened.status().to_string();
  mpcc::blobstore::BlobStore& store = **opened;

  FaultTally tally;
  tally.suite = "blob_writer";
  std::map<std::string, Stored> acked;
  int left_behind = 0;  // temp files a killed writer left
  for (int trial = 0; trial < settings.trials; ++trial) {
    SCOPED_TRACE("trial " + std::to_string(trial) + " seed " + std::to_string(settings.seed));
    LineProcess writer({FAULT_BLOB_WRITER, root.path().string(), std::to_string(rng())});
    ASSERT_TRUE(writer.wait_for_line("ready", std::chrono::seconds(10))) << "writer did not start";
    // Its start (create_container) removed what the killed writers left.
    EXPECT_EQ(foreign_temp_files(root.path() / kContainer, writer.pid()), 0);
    std::this_thread::sleep_for(mpcc::faults::random_delay(rng, 300));
    writer.kill9();
    const WriterLog log = apply_lines(writer.lines(), acked);
    ASSERT_FALSE(log.error);
    ++tally.trials;
    if (log.in_flight) ++tally.kills_mid_write;
    tally.acked_checked += log.acks;

    // Every name the writer ever touches: acknowledged state, or the
    // in-flight operation's result.
    auto page = store.list(kContainer);
    ASSERT_TRUE(page.ok()) << page.status().to_string();
    std::set<std::string> listed;
    for (const auto& b : page->blobs) {
      EXPECT_NE(b.name.rfind(".tmp", 0), 0u) << "a temp file is listed: " << b.name;
      listed.insert(b.name);
    }
    std::set<std::string> present;
    for (int i = 0; i < 8; ++i) {
      const std::string name = "blob-" + std::to_string(i);
      const std::optional<Stored> actual = read_blob(store, name);
      if (actual) present.insert(name);
      auto it = acked.find(name);
      const std::optional<Stored> expected =
          it == acked.end() ? std::nullopt : std::optional<Stored>(it->second);
      if (actual == expected) continue;
      // Only the in-flight operation may differ, and only by its own result.
      ++tally.applied_unacked;
      ASSERT_TRUE(log.in_flight && log.in_flight->name == name)
          << name << ": acknowledged " << (expected ? expected->etag : "absent") << ", found "
          << (actual ? actual->etag : "absent");
      if (log.in_flight->op == "delete") {
        EXPECT_FALSE(actual) << name;
        acked.erase(name);
      } else {
        ASSERT_TRUE(actual) << name;
        EXPECT_EQ(actual->sha, log.in_flight->sha) << name << ": content of no write";
        EXPECT_NE(actual->etag, expected ? expected->etag : "") << name;
        acked[name] = *actual;
      }
    }
    EXPECT_EQ(listed, present) << "listing and reads disagree";
    left_behind += foreign_temp_files(root.path() / kContainer, -1);

    // Conditional writes still work: no lock is left behind by the dead writer.
    mpcc::blobstore::PutOptions create_only;
    create_only.if_none_match_any = true;
    auto probe = store.put(kContainer, "probe", "x", create_only);
    ASSERT_TRUE(probe.ok()) << probe.status().to_string();
    EXPECT_EQ(store.put(kContainer, "probe", "y", create_only).status().code(),
              mpcc::StatusCode::kAlreadyExists);
    EXPECT_TRUE(store.remove(kContainer, "probe", probe->etag).ok());
  }
  std::cout << "faults blob_writer: killed writers left " << left_behind
            << " temp files (never listed); each next writer removed them\n";
  tally.print();
}

}  // namespace
