#pragma once
// A mutex for coroutines on one io_context: runs on one instance are serialized
// by holding its lock across the whole run, including its HTTP calls.

#include <deque>
#include <memory>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/steady_timer.hpp>

namespace flow {

class AsyncMutex {
 public:
  /// Suspends until the lock is ours. Waiters are served first come, first
  /// served. Defined in instance_locks.cpp (a coroutine: see there).
  boost::asio::awaitable<void> lock();

  /// Takes the lock if it is free (no suspension, no coroutine frame).
  bool try_lock() {
    if (locked_) return false;
    locked_ = true;
    return true;
  }

  /// Hands the lock to the oldest waiter, or releases it.
  void unlock() {
    if (waiters_.empty()) {
      locked_ = false;
      return;
    }
    auto next = std::move(waiters_.front());
    waiters_.pop_front();
    next->cancel();
  }

  bool locked() const { return locked_; }

 private:
  bool locked_ = false;
  std::deque<std::shared_ptr<boost::asio::steady_timer>> waiters_;
};

}  // namespace flow
