// File: skr/transfer_key_pool.h
//
// TransferKeyPool: transfer keys (transfer_key.h) made ahead of time, so a
// key release does not wait for an RSA-2048 key generation (150-450 ms of
// one core here, most of a release). A background thread keeps up to
// `capacity` fresh keys; take() hands one out (each key is used for one
// release only, then destroyed with the TransferKey) or, when none is ready,
// generates one on the caller's thread, as without a pool. Keys wait only in
// this process's memory (inside the TEE, like the key they will unwrap).
//
//   TransferKeyPool pool(2);
//   MPCC_ASSIGN_OR_RETURN(TransferKey key, pool.take());
//
// capacity 0: no thread, take() always generates. Generation errors in the
// background are logged and retried after a pause; take() reports its own.
//
// Thread-safety: take() and ready() may be called concurrently; the
// destructor stops and joins the thread.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <thread>

#include "common/status.h"
#include "skr/transfer_key.h"

namespace mpcc::skr {

class TransferKeyPool {
 public:
  explicit TransferKeyPool(std::size_t capacity);
  ~TransferKeyPool();
  TransferKeyPool(const TransferKeyPool&) = delete;
  TransferKeyPool& operator=(const TransferKeyPool&) = delete;

  // A never-used key: a ready one, else a new one (kInternal on a crypto error).
  StatusOr<TransferKey> take();
  // Keys ready now.
  std::size_t ready() const;

 private:
  void fill();

  const std::size_t capacity_;
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::deque<TransferKey> keys_;
  bool stopping_ = false;
  std::thread filler_;
};

}  // namespace mpcc::skr
