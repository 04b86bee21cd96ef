#include "verifier/chain_cache.h"

#include <stdexcept>

namespace mpcc::verifier {

ChainCache::ChainCache(std::size_t capacity) : capacity_(capacity) {
  if (capacity_ == 0) throw std::logic_error("ChainCache capacity must be positive");
}

std::string ChainCache::key_for(const crypto::Certificate& leaf,
                                const crypto::Certificate& intermediate,
                                const crypto::Certificate& root) {
  std::string key;
  key.reserve(96);
  for (const crypto::Certificate* c : {&leaf, &intermediate, &root}) {
    Bytes fp = c->sha256_fingerprint();
    key.append(fp.begin(), fp.end());
  }
  return key;
}

std::shared_ptr<const VerifiedChain> ChainCache::find(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    ++misses_;
    return nullptr;
  }
  ++hits_;
  lru_.splice(lru_.begin(), lru_, it->second.position);
  return it->second.chain;
}

void ChainCache::insert(const std::string& key, std::shared_ptr<const VerifiedChain> chain) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(key);
  if (it != entries_.end()) {
    it->second.chain = std::move(chain);
    lru_.splice(lru_.begin(), lru_, it->second.position);
    return;
  }
  if (entries_.size() >= capacity_) {
    entries_.erase(lru_.back());
    lru_.pop_back();
  }
  lru_.push_front(key);
  entries_.emplace(key, Entry{std::move(chain), lru_.begin()});
}

void ChainCache::clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
  lru_.clear();
}

std::size_t ChainCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return entries_.size();
}

uint64_t ChainCache::hits() const {
  std::lock_guard<std::mutex> lock(mu_);
  return hits_;
}

uint64_t ChainCache::misses() const {
  std::lock_guard<std::mutex> lock(mu_);
  return misses_;
}

}  // namespace mpcc::verifier
