#include "skr/transfer_key_pool.h"

#include <spdlog/spdlog.h>

#include <chrono>

namespace mpcc::skr {

TransferKeyPool::TransferKeyPool(std::size_t capacity) : capacity_(capacity) {
  if (capacity_ > 0) filler_ = std::thread([this] { fill(); });
}

TransferKeyPool::~TransferKeyPool() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (filler_.joinable()) filler_.join();
}

StatusOr<TransferKey> TransferKeyPool::take() {
  {
    std::lock_guard lock(mu_);
    if (!keys_.empty()) {
      TransferKey key = std::move(keys_.front());
      keys_.pop_front();
      wake_.notify_all();
      return key;
    }
  }
  return TransferKey::generate();
}

std::size_t TransferKeyPool::ready() const {
  std::lock_guard lock(mu_);
  return keys_.size();
}

void TransferKeyPool::fill() {
  std::unique_lock lock(mu_);
  while (true) {
    wake_.wait(lock, [this] { return stopping_ || keys_.size() < capacity_; });
    if (stopping_) return;
    lock.unlock();
    StatusOr<TransferKey> key = TransferKey::generate();
    lock.lock();
    if (key.ok()) {
      keys_.push_back(std::move(key).value());
    } else {
      spdlog::warn("skr: transfer key pool: {}", key.status().message());
      wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
    }
  }
}

}  // namespace mpcc::skr
