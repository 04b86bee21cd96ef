// File: http/internal/io_threads.h
//
// The threads that run a server's io_context. Handlers run inline on the io
// thread that read their request (no hand-off per request), and may block
// (a key release, a long computation). So that a blocked handler never
// stalls other connections, IoThreads keeps at least one thread serving the
// io_context that is not inside a handler: `core` threads run it always; when
// every serving thread is inside a handler, a spare thread joins (up to `max`
// threads in all), and leaves again once it is no longer needed.
//
// Why not `max` threads always: many threads on one io_context contend for
// its scheduler lock and wake one another (measured: 64 threads served
// /health at a quarter of the rate of 2-4, almost all of it futex calls).
#pragma once

#include <boost/asio/io_context.hpp>

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <thread>
#include <vector>

namespace mpcc::http::internal {

class IoThreads {
 public:
  IoThreads(boost::asio::io_context& io, std::size_t core, std::size_t max);
  ~IoThreads();  // joins
  IoThreads(const IoThreads&) = delete;
  IoThreads& operator=(const IoThreads&) = delete;

  void start();  // the core threads
  // Returns once the io_context ran out of work (every thread has left it).
  void join();

  // Around a handler, on the io thread that runs it (HandlerScope).
  void enter_handler();
  void leave_handler();

 private:
  void run_core();
  void run_spare();
  // A spare thread stays while no other serving thread is free.
  bool spare_needed() const { return serving_ - busy_ <= 1 || serving_ <= core_; }

  boost::asio::io_context& io_;
  const std::size_t core_;
  const std::size_t max_;
  std::mutex mu_;
  std::condition_variable wake_;
  std::size_t serving_ = 0;  // threads running the io_context
  std::size_t busy_ = 0;     // ... of which inside a handler
  std::size_t parked_ = 0;   // spare threads waiting to be needed
  std::size_t calls_ = 0;    // wake-ups owed to parked threads
  bool done_ = false;        // the io_context ran out of work
  std::vector<std::thread> threads_;
};

// enter_handler() / leave_handler() for one scope.
class HandlerScope {
 public:
  explicit HandlerScope(IoThreads& threads) : threads_(threads) { threads_.enter_handler(); }
  ~HandlerScope() { threads_.leave_handler(); }
  HandlerScope(const HandlerScope&) = delete;
  HandlerScope& operator=(const HandlerScope&) = delete;

 private:
  IoThreads& threads_;
};

}  // namespace mpcc::http::internal
