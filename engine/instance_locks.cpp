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
  auto* locks = std::exchange(locks_, nullptr);
  if (!locks) return;
  if (std::exchange(holds_store_, false)) {
    try {
      locks->store_->unlock_instance(id_);
    } catch (const std::exception&) {
      // Unlocking an open lock file does not fail; if it did, the lock goes with the process.
    }
  }
  auto& entry = locks->entry(id_);
  entry.holder = nullptr;
  entry.mutex.unlock();
}

bool InstanceLocks::closes_cycle(Chain chain, const std::string& id) const {
  // Follow holder -> what it waits for -> its holder ...; each chain waits
  // for one lock at a time, so the walk is no longer than the chains waiting.
  std::string at = id;
  for (std::size_t steps = 0; steps <= waiting_.size(); ++steps) {
    const auto held = locks_.find(at);
    if (held == locks_.end() || !held->second->holder) return false;
    if (held->second->holder == chain) return true;
    const auto waits = waiting_.find(held->second->holder);
    if (waits == waiting_.end()) return false;
    at = waits->second;
  }
  return false;
}

std::optional<InstanceLocks::Guard> InstanceLocks::try_acquire(const std::string& id, Chain chain) {
  auto& held = entry(id);
  if (!held.mutex.try_lock()) return std::nullopt;
  held.holder = chain;
  Guard guard(this, id);
  if (!store_->try_lock_instance(id)) return std::nullopt;  // the guard unlocks the mutex
  guard.holds_store_ = true;
  return guard;
}

void InstanceLocks::stop_waiting() {
  stopping_ = true;
  for (auto* pause : polling_) pause->cancel();  // each wait sees the stop now, not after its pause
}

asio::awaitable<InstanceLocks::Guard> InstanceLocks::acquire(std::string id, Chain chain,
                                                             std::function<void()> on_other_process) {
  if (closes_cycle(chain, id)) {
    throw DeadlockError("instance '" + id + "' is held by a run that waits, directly or through other runs, for an "
                        "instance this run holds: waiting would never end");
  }
  auto& slot = locks_[id];
  if (!slot) slot = std::make_shared<Entry>();
  const auto held = slot;  // kept alive across the suspension
  waiting_[chain] = id;
  struct Done {
    InstanceLocks& locks;
    Chain chain;
    ~Done() { locks.waiting_.erase(chain); }
  } done{*this, chain};
  co_await held->mutex.lock();
  held->holder = chain;
  Guard guard(this, id);  // unlocks the mutex if the wait below fails
  // Another process's run: polled, since the kernel lock cannot be awaited.
  const auto give_up = std::chrono::steady_clock::now() + kWaitForOtherProcess;
  asio::steady_timer timer(co_await asio::this_coro::executor);
  polling_.push_back(&timer);
  struct Polled {
    std::vector<asio::steady_timer*>& polling;
    asio::steady_timer* timer;
    ~Polled() { std::erase(polling, timer); }
  } polled{polling_, &timer};
  for (auto pause = std::chrono::milliseconds(2); !store_->try_lock_instance(id);
       pause = std::min(pause * 2, std::chrono::milliseconds(100))) {
    if (stopping_) throw WaitStoppedError("stopped while waiting for another flow process's run on '" + id + "'");
    if (auto say = std::exchange(on_other_process, nullptr)) say();  // once: the wait begins
    if (std::chrono::steady_clock::now() >= give_up) {
      throw StoreError("instance '" + id + "' is held by a run in another flow process sharing this store (waited " +
                       std::to_string(kWaitForOtherProcess.count()) + " s)");
    }
    timer.expires_after(pause);
    co_await timer.async_wait(asio::as_tuple(asio::use_awaitable));  // cancelled by stop_waiting(): look again
  }
  guard.holds_store_ = true;
  co_return guard;
}

}  // namespace flow
