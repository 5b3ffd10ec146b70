#pragma once
// A virtual clock: now() is whatever its driver set, and sleep_until completes
// only when virtual time is moved to or past the deadline. Nothing ever sleeps
// for real. `flow test` runs flows on it, and so do the engine's own tests.
// Drive it from the io_context thread:
//
//   clock.advance_to(t);   // wakes the sleepers whose deadline is <= t
//   io.poll();             // lets the woken coroutines run
//
// or advance_in_steps(io, clock, t), which stops at every deadline on the way
// so a schedule sees each of its slots at the exact virtual time.
//
// Steady time moves with virtual time; step_wall sets the wall clock alone, as
// NTP or an administrator does, and wakes every sleeper as a real clock would
// (within a minute; here at once).

#include <cstdint>
#include <list>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/clock.hpp"

namespace flow {

class VirtualClock final : public Clock {
 public:
  VirtualClock(boost::asio::any_io_executor executor, TimePoint start);

  TimePoint now() const override { return now_; }
  Duration steady() const override { return steady_; }
  /// Suspends on a timer that never expires by itself; advance_to cancels it
  /// once virtual time reaches `deadline`, cancel_all cancels it early.
  boost::asio::awaitable<void> sleep_until(TimePoint deadline) override;
  /// Wakes every pending sleep at once; they return without waiting further.
  void cancel_all() override;

  /// Sets virtual time (never backwards) and wakes the sleepers now due.
  /// Steady time moves by as much.
  void advance_to(TimePoint t);
  void advance_by(Duration d) { advance_to(now_ + d); }
  /// Sets the wall clock `by` ahead (or back, when negative) while steady time
  /// stays, and wakes every pending sleep: each returns, as after a set of the
  /// system clock, and its caller reads the time again.
  void step_wall(Duration by);

  /// How many sleep_until calls are suspended right now.
  std::size_t pending_sleepers() const { return sleepers_.size(); }
  /// The earliest deadline among the pending sleeps.
  std::optional<TimePoint> next_deadline() const;

 private:
  struct Sleeper;
  using Sleepers = std::list<Sleeper*>;

  boost::asio::any_io_executor executor_;
  TimePoint now_;
  Duration steady_{0};
  Sleepers sleepers_;
  std::uint64_t generation_ = 0;
};

/// Runs `io` and moves `clock` to `target`, stopping at every pending deadline
/// on the way (and running what it wakes) so each sleeper resumes at exactly
/// its deadline. Ends with virtual time at `target` and `io` drained.
void advance_in_steps(boost::asio::io_context& io, VirtualClock& clock, TimePoint target);

}  // namespace flow
