#pragma once
// One AsyncMutex per Process ID: runs on the same instance are serialized.
// The coroutines are defined once, in instance_locks.cpp: a coroutine defined
// in a header gets a frame type per translation unit, which link-time
// optimization reports as a One Definition Rule violation.

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "engine/async_mutex.hpp"

namespace flow {

class InstanceLocks {
 public:
  /// Holds one instance's lock until destroyed (or moved from).
  class Guard {
   public:
    Guard() = default;
    explicit Guard(std::shared_ptr<AsyncMutex> mutex) : mutex_(std::move(mutex)) {}
    Guard(Guard&& other) noexcept = default;
    Guard& operator=(Guard&& other) noexcept {
      release();
      mutex_ = std::move(other.mutex_);
      return *this;
    }
    ~Guard() { release(); }

   private:
    void release() {
      if (mutex_) std::exchange(mutex_, nullptr)->unlock();
    }
    std::shared_ptr<AsyncMutex> mutex_;
  };

  /// The lock, once the runs before this one on `id` are done.
  boost::asio::awaitable<Guard> acquire(std::string id);

  /// The lock if no run holds it, at once; nullopt otherwise (then acquire()).
  std::optional<Guard> try_acquire(const std::string& id) {
    auto mutex = mutex_for(id);
    if (!mutex->try_lock()) return std::nullopt;
    return Guard(std::move(mutex));
  }

 private:
  std::shared_ptr<AsyncMutex> mutex_for(const std::string& id) {
    auto& slot = locks_[id];
    if (!slot) slot = std::make_shared<AsyncMutex>();
    return slot;
  }

  std::map<std::string, std::shared_ptr<AsyncMutex>> locks_;
};

}  // namespace flow
