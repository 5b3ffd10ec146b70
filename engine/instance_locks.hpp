#pragma once
// One AsyncMutex per Process ID: runs on the same instance are serialized,
// within this process and, through the store's instance lock, across the
// processes that share the store.
// The coroutines are defined once, in instance_locks.cpp: a coroutine defined
// in a header gets a frame type per translation unit, which link-time
// optimization reports as a One Definition Rule violation.

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/async_mutex.hpp"
#include "engine/store.hpp"

namespace flow {

/// Thrown by acquire() when waiting could never end.
class DeadlockError : public RunError {
 public:
  using RunError::RunError;
};

/// Thrown by acquire() when a stop (SIGINT, SIGTERM) ended its wait for
/// another process's run: the run never started and called nothing.
class WaitStoppedError : public StoreError {
 public:
  using StoreError::StoreError;
};

class InstanceLocks {
 public:
  /// Who holds locks: a run and the runs its `start` rules run share one
  /// chain (any address that stays put while the top-level run lasts).
  using Chain = const void*;

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
        : locks_(std::exchange(other.locks_, nullptr)), id_(std::move(other.id_)),
          holds_store_(std::exchange(other.holds_store_, false)) {}
    Guard& operator=(Guard&& other) noexcept {
      release();
      locks_ = std::exchange(other.locks_, nullptr);
      id_ = std::move(other.id_);
      holds_store_ = std::exchange(other.holds_store_, false);
      return *this;
    }
    ~Guard() { release(); }

   private:
    friend class InstanceLocks;
    Guard(InstanceLocks* locks, std::string id) : locks_(locks), id_(std::move(id)) {}
    void release() noexcept;
    InstanceLocks* locks_ = nullptr;  // set while the in-process lock is held
    std::string id_;
    bool holds_store_ = false;  // the store's lock too
  };

  /// The lock, once the runs before this one on `id` are done, here and in
  /// the other processes sharing the store. Throws DeadlockError, without
  /// waiting, when the run holding `id` waits (through other runs, perhaps)
  /// for a lock `chain` holds; StoreError when another process holds it past
  /// kWaitForOtherProcess; WaitStoppedError once stop_waiting() was called.
  /// `on_other_process`, when given, is called once as the wait for another
  /// process's run begins (the daemon logs it: that wait may last minutes);
  /// never for a wait on runs of this process.
  boost::asio::awaitable<Guard> acquire(std::string id, Chain chain, std::function<void()> on_other_process = {});

  /// Waits for another process's run end now, at once (WaitStoppedError);
  /// later ones too.
  void stop_waiting();
  /// Whether a run waits for another process's run now.
  bool waiting_for_other_process() const { return !polling_.empty(); }

  /// The lock if no run holds it, at once; nullopt otherwise (then acquire()).
  std::optional<Guard> try_acquire(const std::string& id, Chain chain);

 private:
  struct Entry {
    AsyncMutex mutex;
    Chain holder = nullptr;
  };
  Entry& entry(const std::string& id) {
    auto& slot = locks_[id];
    if (!slot) slot = std::make_shared<Entry>();
    return *slot;
  }
  /// Whether `chain` waiting for `id` closes a cycle of runs waiting for each other.
  bool closes_cycle(Chain chain, const std::string& id) const;

  Store* store_;
  bool stopping_ = false;
  std::map<std::string, std::shared_ptr<Entry>> locks_;
  std::map<Chain, std::string> waiting_;  // a chain suspended in acquire(), and for which instance
  std::vector<boost::asio::steady_timer*> polling_;  // the pauses of waits for another process, to cut short
};

}  // namespace flow
