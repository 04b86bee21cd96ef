#include "records/internal/ordered_counter.h"

#include <algorithm>

namespace mpcc::records::internal {

std::size_t OrderedCounter::add(std::string_view key) {
  if (const std::optional<std::size_t> index = index_of(key)) {
    ++entries_[*index].count;
    return *index;
  }
  const std::size_t index = entries_.size();
  entries_.push_back(CountEntry{std::string(key), 1});
  index_.emplace(std::string(key), index);
  return index;
}

std::optional<std::size_t> OrderedCounter::index_of(std::string_view key) const {
  const auto it = index_.find(key);
  if (it == index_.end()) return std::nullopt;
  return it->second;
}

std::vector<CountEntry> OrderedCounter::ranked() const {
  std::vector<CountEntry> out = entries_;
  std::stable_sort(out.begin(), out.end(),
                   [](const CountEntry& a, const CountEntry& b) { return a.count > b.count; });
  return out;
}

std::size_t OrderedCounter::count_below(int64_t min_count) const {
  return static_cast<std::size_t>(std::count_if(
      entries_.begin(), entries_.end(), [&](const CountEntry& e) { return e.count < min_count; }));
}

std::vector<CountEntry> top_groups(const std::vector<CountEntry>& ranked, int64_t min_count,
                                   std::size_t limit) {
  std::vector<CountEntry> out;
  for (const CountEntry& e : ranked) {
    if (out.size() == limit) break;
    if (e.count >= min_count) out.push_back(e);
  }
  return out;
}

}  // namespace mpcc::records::internal
