#include "engine/instance_locks.hpp"

#include <algorithm>
#include <chrono>
#include <string>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

namespace flow {

namespace asio = boost::asio;

asio::awaitable<void> AsyncMutex::lock() {
  if (try_lock()) co_return;
  auto waiter = std::make_shared<asio::steady_timer>(co_await asio::this_coro::executor,
                                                     asio::steady_timer::time_point::max());
  waiters_.push_back(waiter);
  // A frame destroyed while it waits (its io_context is going away) leaves the
  // queue: unlock() must not hand the lock to it, nor the mutex keep its timer
  // past the io_context. Woken normally, unlock() has removed it already.
  struct Leave {
    AsyncMutex& mutex;
    const std::shared_ptr<asio::steady_timer>& waiter;
    ~Leave() { std::erase(mutex.waiters_, waiter); }
  } leave{*this, waiter};
  // unlock() cancels our timer to hand the lock over; the cancellation is the signal.
  co_await waiter->async_wait(asio::as_tuple(asio::use_awaitable));
}

void InstanceLocks::Guard::release() noexcept {
  if (store_) {
    try {
      std::exchange(store_, nullptr)->unlock_instance(id_);
    } catch (const std::exception&) {
      // Unlocking an open lock file does not fail; if it did, the lock goes with the process.
    }
  }
  if (mutex_) std::exchange(mutex_, nullptr)->unlock();
}

std::optional<InstanceLocks::Guard> InstanceLocks::try_acquire(const std::string& id) {
  auto mutex = mutex_for(id);
  if (!mutex->try_lock()) return std::nullopt;
  Guard guard(std::move(mutex));
  if (!store_->try_lock_instance(id)) return std::nullopt;  // the guard unlocks the mutex
  guard.store_ = store_;
  guard.id_ = id;
  return guard;
}

asio::awaitable<InstanceLocks::Guard> InstanceLocks::acquire(std::string id) {
  auto mutex = mutex_for(id);  // kept alive across the suspension
  co_await mutex->lock();
  Guard guard(std::move(mutex));  // unlocks the mutex if the wait below fails
  // Another process's run: polled, since the kernel lock cannot be awaited.
  const auto give_up = std::chrono::steady_clock::now() + kWaitForOtherProcess;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (auto pause = std::chrono::milliseconds(2); !store_->try_lock_instance(id);
       pause = std::min(pause * 2, std::chrono::milliseconds(100))) {
    if (std::chrono::steady_clock::now() >= give_up) {
      throw StoreError("instance '" + id + "' is held by a run in another flow process sharing this store (waited " +
                       std::to_string(kWaitForOtherProcess.count()) + " s)");
    }
    timer.expires_after(pause);
    co_await timer.async_wait(asio::use_awaitable);
  }
  guard.store_ = store_;
  guard.id_ = std::move(id);
  co_return guard;
}

}  // namespace flow
