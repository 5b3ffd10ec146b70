#pragma once
// Time as the engine sees it: a real clock on Asio timers, and a fake one that
// tests advance by hand (tests/support/fake_clock.hpp), so the scheduler and
// expiry logic are tested without sleeping.

#include <chrono>
#include <memory>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>

#include "engine/value.hpp"

namespace flow {

/// How far the wall clock may move apart from steady time between two readings
/// before it counts as set (a step: NTP, an administrator) rather than read at
/// slightly different moments.
inline constexpr Duration kClockStepTolerance = std::chrono::seconds(2);

class Clock {
 public:
  virtual ~Clock() = default;
  /// The wall clock, which schedules and now() read. It can be set: stepped
  /// back or forward.
  virtual TimePoint now() const = 0;
  /// Time that is never set and moves as time passes (a suspend included,
  /// where the system counts it); its origin means nothing. How far it moved,
  /// beside how far now() moved, tells a step of the wall clock from time passing.
  virtual Duration steady() const = 0;
  /// Completes at or after `deadline` by the wall clock (at once if it has
  /// passed); or earlier when the wall clock is set while it sleeps (a real
  /// clock notices within a minute), or on cancel_all. A caller that needs the
  /// deadline reads now() and sleeps again.
  virtual boost::asio::awaitable<void> sleep_until(TimePoint deadline) = 0;
  /// Wakes every pending sleep_until early: on shutdown, and when a sleeper
  /// should look again (Scheduler::instances_written). Each reads now() and
  /// sleeps on, as after any early wake.
  virtual void cancel_all() = 0;
};

/// The system's clocks: the wall clock, and CLOCK_BOOTTIME for steady time.
/// A sleep never waits on the wall clock: it sleeps at most a minute of steady
/// time at once and reads the wall clock again, so a deadline is met within a
/// minute after a suspend or a step of the clock (Asio's system_timer would
/// take up to 5 minutes), and a deadline centuries away (past what
/// std::chrono::system_clock's nanoseconds hold, 2262) is no timer at all.
class SystemClock final : public Clock {
 public:
  /// The longest a sleep waits before it reads the wall clock again.
  static constexpr Duration kLongestNap = std::chrono::minutes(1);

  explicit SystemClock(boost::asio::any_io_executor executor);
  ~SystemClock() override;
  TimePoint now() const override;
  Duration steady() const override;
  boost::asio::awaitable<void> sleep_until(TimePoint deadline) override;
  void cancel_all() override;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace flow
