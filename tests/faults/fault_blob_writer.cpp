// File: tests/faults/fault_blob_writer.cpp
//
// The blob writer the crash-fault suite kills: writes blobs through the
// directory store (durable) on ROOT, container "faults", names blob-0..7,
// forever, one operation at a time: a create-only put of an absent blob, an
// If-Match overwrite or an If-Match delete of a present one, with random
// content of 0-256 KiB. Around each operation it prints, flushed:
//   ready                                   the store is open; writes start
//   begin put <name> <sha256>               before a put
//   begin delete <name>                     before a delete
//   ack put <name> <etag> <sha256>          after an acknowledged put
//   ack delete <name>                       after an acknowledged delete
// It learns the current blobs from the store when it starts, so a writer
// restarted on the same root continues. Any failure: "error <message>" on
// stdout and exit 1 (with one writer, a condition never fails).
//
//   fault_blob_writer ROOT SEED
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <memory>
#include <random>
#include <string>

#include "blobstore/directory_store.h"
#include "common/bytes.h"
#include "crypto/hash.h"

namespace {

using mpcc::blobstore::BlobStore;

constexpr const char* kContainer = "faults";
constexpr int kNames = 8;
constexpr int kMaxSize = 256 * 1024;

[[noreturn]] void fail(const mpcc::Status& s) {
  std::printf("error %s\n", s.to_string().c_str());
  std::fflush(stdout);
  std::exit(1);
}

void say(const std::string& line) {
  std::fputs((line + "\n").c_str(), stdout);
  std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: fault_blob_writer ROOT SEED\n");
    return 2;
  }
  mpcc::blobstore::DirectoryStoreOptions options;
  options.root = argv[1];
  auto opened = mpcc::blobstore::open_directory_store(options);
  if (!opened.ok()) fail(opened.status());
  std::unique_ptr<BlobStore> store = std::move(opened).value();
  if (auto s = store->create_container(kContainer); !s.ok()) fail(s);
  std::map<std::string, std::string> etags;  // present blobs
  auto page = store->list(kContainer);
  if (!page.ok()) fail(page.status());
  for (const auto& b : page->blobs) etags[b.name] = b.etag;

  std::mt19937_64 rng(std::strtoull(argv[2], nullptr, 10));
  std::uniform_int_distribution<int> pick_name(0, kNames - 1);
  std::uniform_int_distribution<int> pick_size(0, kMaxSize);
  std::uniform_int_distribution<int> pick_byte(0, 255);
  say("ready");
  for (;;) {
    const std::string name = "blob-" + std::to_string(pick_name(rng));
    auto it = etags.find(name);
    if (it != etags.end() && pick_byte(rng) < 64) {
      say("begin delete " + name);
      if (auto s = store->remove(kContainer, name, it->second); !s.ok()) fail(s);
      etags.erase(it);
      say("ack delete " + name);
      continue;
    }
    std::string data(static_cast<std::size_t>(pick_size(rng)), '\0');
    for (std::size_t i = 0; i < data.size(); i += 8) {
      const std::uint64_t r = rng();
      for (std::size_t j = 0; j < 8 && i + j < data.size(); ++j) {
        data[i + j] = static_cast<char>((r >> (8 * j)) & 0xff);
      }
    }
    const std::string sha = mpcc::hex_encode(mpcc::crypto::sha256(data));
    mpcc::blobstore::PutOptions put;
    if (it == etags.end()) {
      put.if_none_match_any = true;
    } else {
      put.if_match = it->second;
    }
    say("begin put " + name + " " + sha);
    auto p = store->put(kContainer, name, data, put);
    if (!p.ok()) fail(p.status());
    etags[name] = p->etag;
    say("ack put " + name + " " + p->etag + " " + sha);
  }
}
