#pragma once
// One AsyncMutex per Process ID: runs on the same instance are serialized,
// within this process and, through the store's instance lock, across the
// processes that share the store.
// The coroutines are defined once, in instance_locks.cpp: a coroutine defined
// in a header gets a frame type per translation unit, which link-time
// optimization reports as a One Definition Rule violation.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/async_mutex.hpp"
#include "engine/store.hpp"

namespace flow {

class InstanceLocks {
 public:
  /// How long a run waits for another process's run on the same instance
  /// before it fails (a run that long is stuck: its calls have timeouts).
  static constexpr std::chrono::seconds kWaitForOtherProcess{120};

  /// `store` (borrowed) holds the lock shared with other processes.
  explicit InstanceLocks(Store* store) : store_(store) {}

  /// Holds one instance's lock until destroyed (or moved from).
  class Guard {
   public:
    Guard() = default;
    Guard(Guard&& other) noexcept
        : mutex_(std::move(other.mutex_)), store_(std::exchange(other.store_, nullptr)), id_(std::move(other.id_)) {}
    Guard& operator=(Guard&& other) noexcept {
      release();
      mutex_ = std::move(other.mutex_);
      store_ = std::exchange(other.store_, nullptr);
      id_ = std::move(other.id_);
      return *this;
    }
    ~Guard() { release(); }

   private:
    friend class InstanceLocks;
    explicit Guard(std::shared_ptr<AsyncMutex> mutex) : mutex_(std::move(mutex)) {}
    void release() noexcept;
    std::shared_ptr<AsyncMutex> mutex_;
    Store* store_ = nullptr;  // set once the store's lock is held too
    std::string id_;
  };

  /// The lock, once the runs before this one on `id` are done, here and in
  /// the other processes sharing the store. Throws StoreError when another
  /// process holds it past kWaitForOtherProcess.
  boost::asio::awaitable<Guard> acquire(std::string id);

  /// The lock if no run holds it, at once; nullopt otherwise (then acquire()).
  std::optional<Guard> try_acquire(const std::string& id);

 private:
  std::shared_ptr<AsyncMutex> mutex_for(const std::string& id) {
    auto& slot = locks_[id];
    if (!slot) slot = std::make_shared<AsyncMutex>();
    return slot;
  }

  Store* store_;
  std::map<std::string, std::shared_ptr<AsyncMutex>> locks_;
};

}  // namespace flow
