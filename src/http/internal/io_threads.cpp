// File: http/internal/io_threads.cpp
#include "http/internal/io_threads.h"

#include <spdlog/spdlog.h>

#include <chrono>
#include <exception>

namespace mpcc::http::internal {

namespace {

// Runs `step` until it returns normally; an exception escaping a handler is
// logged and the thread goes on serving.
template <typename F>
void serve_logged(F step) {
  for (;;) {
    try {
      step();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http: an io thread caught: {}", e.what());
    } catch (...) {
      spdlog::error("http: an io thread caught a non-standard exception");
    }
  }
}

}  // namespace

IoThreads::IoThreads(boost::asio::io_context& io, std::size_t core, std::size_t max)
    : io_(io), core_(core), max_(max < core ? core : max) {}

IoThreads::~IoThreads() { join(); }

void IoThreads::start() {
  std::lock_guard<std::mutex> lock(mu_);
  for (std::size_t i = 0; i < core_; ++i) {
    ++serving_;
    threads_.emplace_back([this] { run_core(); });
  }
}

void IoThreads::run_core() {
  serve_logged([this] { io_.run(); });
  std::lock_guard<std::mutex> lock(mu_);
  --serving_;
  done_ = true;  // run() returns only once the io_context is out of work
  wake_.notify_all();
}

void IoThreads::enter_handler() {
  std::lock_guard<std::mutex> lock(mu_);
  ++busy_;
  if (serving_ > busy_ || serving_ >= max_ || done_) return;
  // Every serving thread is inside a handler: one more serves the rest.
  ++serving_;
  if (parked_ > 0) {
    --parked_;
    ++calls_;
    wake_.notify_one();
  } else {
    threads_.emplace_back([this] { run_spare(); });
  }
}

void IoThreads::leave_handler() {
  std::lock_guard<std::mutex> lock(mu_);
  --busy_;
}

void IoThreads::run_spare() {
  for (;;) {
    bool out_of_work = false;
    serve_logged([&] {
      for (;;) {
        io_.run_one_for(std::chrono::milliseconds(200));
        if (io_.stopped()) {
          out_of_work = true;
          return;
        }
        std::lock_guard<std::mutex> lock(mu_);
        if (!spare_needed()) return;
      }
    });
    std::unique_lock<std::mutex> lock(mu_);
    --serving_;
    if (out_of_work || done_) return;
    ++parked_;
    wake_.wait(lock, [this] { return calls_ > 0 || done_; });
    if (calls_ == 0) return;  // done_
    --calls_;  // serving_ was counted by enter_handler()
  }
}

void IoThreads::join() {
  for (;;) {
    std::vector<std::thread> batch;
    {
      std::lock_guard<std::mutex> lock(mu_);
      batch.swap(threads_);
    }
    if (batch.empty()) return;
    for (std::thread& t : batch) t.join();
  }
}

}  // namespace mpcc::http::internal
