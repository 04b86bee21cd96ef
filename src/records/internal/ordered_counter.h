// File: records/internal/ordered_counter.h
//
// Private to src/records. Python's collections.Counter as the seed uses it:
// counts per key, remembering the order in which keys were first seen, and
// most_common() = a stable sort by descending count (ties keep first-seen
// order). Plus the small-group filter of the analytics.
//
//   OrderedCounter c;
//   c.add("Brown"); c.add("Blue"); c.add("Brown");
//   c.ranked();  // {Brown,2}, {Blue,1}
//
// Thread-safety: a plain value; not for concurrent mutation.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace mpcc::records::internal {

struct CountEntry {
  std::string key;
  int64_t count = 0;
};

class OrderedCounter {
 public:
  // Adds one to `key`'s count; returns its index in first-seen order.
  std::size_t add(std::string_view key);

  std::size_t size() const { return entries_.size(); }
  // Index of `key` in first-seen order, or nullopt.
  std::optional<std::size_t> index_of(std::string_view key) const;
  const std::vector<CountEntry>& entries() const { return entries_; }  // first-seen order
  std::vector<CountEntry> ranked() const;  // stable, by descending count

  // Entries whose count is below `min_count` (the small groups).
  std::size_t count_below(int64_t min_count) const;

 private:
  struct Hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::vector<CountEntry> entries_;
  std::unordered_map<std::string, std::size_t, Hash, std::equal_to<>> index_;
};

// The first `limit` entries of `ranked` whose count is at least `min_count`.
std::vector<CountEntry> top_groups(const std::vector<CountEntry>& ranked, int64_t min_count,
                                   std::size_t limit);

}  // namespace mpcc::records::internal
