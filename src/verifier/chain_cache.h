// File: verifier/chain_cache.h
//
// ChainCache: certificate chains (VCEK/VLEK <- ASK/ASVK <- ARK) that have
// passed the expensive checks (ARK pinned, ARK self-signed, intermediate
// signed by ARK, leaf signed by intermediate), so repeated reports from the
// same chip skip the RSA verifications. Keyed by the SHA-256 of the leaf DER
// followed by those of the intermediate and root actually used. An entry
// keeps the parsed leaf key and extensions; the validity periods are stored
// too, because they are checked against the clock on every call, never cached.
// Only successes are cached. Bounded: least recently used entries are evicted.
//
// Thread-safety: all methods may be called concurrently (one mutex).
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "common/bytes.h"
#include "common/clock.h"
#include "crypto/keys.h"
#include "crypto/x509.h"
#include "snp/report.h"
#include "verifier/trust_store.h"
#include "snp/vek_extensions.h"

namespace mpcc::verifier {

struct ValidityPeriod {
  UnixSeconds not_before = 0;
  UnixSeconds not_after = 0;
};

// A chain that passed the signature and pinning checks.
struct VerifiedChain {
  crypto::Certificate leaf;
  crypto::Certificate intermediate;
  crypto::Certificate root;
  crypto::PublicKey leaf_key;
  snp::VekExtensions extensions;
  snp::SigningKey kind = snp::SigningKey::kVcek;
  AnchorKind anchor_kind = AnchorKind::kAmd;
  std::string anchor_label;
  std::string leaf_subject;  // subject() of each, computed once
  std::string intermediate_subject;
  std::string root_subject;
  ValidityPeriod leaf_validity;
  ValidityPeriod intermediate_validity;
  ValidityPeriod root_validity;
};

class ChainCache {
 public:
  explicit ChainCache(std::size_t capacity = 1024);
  ChainCache(const ChainCache&) = delete;
  ChainCache& operator=(const ChainCache&) = delete;

  // The key for a chain: SHA-256(leaf DER) || SHA-256(intermediate DER) ||
  // SHA-256(root DER).
  static std::string key_for(const crypto::Certificate& leaf,
                             const crypto::Certificate& intermediate,
                             const crypto::Certificate& root);

  // The cached chain, or nullptr (counts a hit or a miss).
  std::shared_ptr<const VerifiedChain> find(const std::string& key) const;
  // Stores (or replaces) the entry; evicts the least recently used one when full.
  void insert(const std::string& key, std::shared_ptr<const VerifiedChain> chain);
  void clear();

  std::size_t size() const;
  std::size_t capacity() const { return capacity_; }
  uint64_t hits() const;
  uint64_t misses() const;

 private:
  using Lru = std::list<std::string>;
  struct Entry {
    std::shared_ptr<const VerifiedChain> chain;
    Lru::iterator position;
  };
  const std::size_t capacity_;
  mutable std::mutex mu_;
  mutable Lru lru_;  // most recent at the front
  std::unordered_map<std::string, Entry> entries_;
  mutable uint64_t hits_ = 0;
  mutable uint64_t misses_ = 0;
};

}  // namespace mpcc::verifier
