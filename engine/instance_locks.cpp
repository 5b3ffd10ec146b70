#include "engine/instance_locks.hpp"

#include <algorithm>

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

asio::awaitable<InstanceLocks::Guard> InstanceLocks::acquire(std::string id) {
  auto mutex = mutex_for(id);  // kept alive across the suspension
  co_await mutex->lock();
  co_return Guard(std::move(mutex));
}

}  // namespace flow
