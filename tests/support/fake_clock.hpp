#pragma once
// A virtual clock for tests: now() is whatever the test set, and sleep_until
// completes only when the test moves virtual time to or past the deadline.
// Nothing ever sleeps for real. Drive it from the io_context thread:
//
//   clock.advance_to(t);   // wakes the sleepers whose deadline is <= t
//   io.poll();             // lets the woken coroutines run
//
// or advance_in_steps(io, clock, t), which stops at every deadline on the way
// so a schedule sees each of its slots at the exact virtual time.

#include <algorithm>
#include <limits>
#include <list>
#include <optional>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/clock.hpp"

namespace flow::testing {

class FakeClock final : public flow::Clock {
 public:
  FakeClock(boost::asio::any_io_executor executor, flow::TimePoint start)
      : executor_(std::move(executor)), now_(start) {}

  flow::TimePoint now() const override { return now_; }

  /// Suspends on a timer that never expires by itself; advance_to cancels it
  /// once virtual time reaches `deadline`, cancel_all cancels it early.
  boost::asio::awaitable<void> sleep_until(flow::TimePoint deadline) override {
    const auto generation = generation_;
    while (now_ < deadline && generation == generation_) {
      boost::asio::steady_timer timer(executor_, boost::asio::steady_timer::time_point::max());
      Sleeper sleeper{deadline, &timer};
      auto entry = sleepers_.insert(sleepers_.end(), &sleeper);
      Unregister unregister{sleepers_, entry};
      co_await timer.async_wait(boost::asio::as_tuple(boost::asio::use_awaitable));
    }
  }

  /// Wakes every pending sleep at once; they return without waiting further.
  void cancel_all() override {
    ++generation_;
    for (auto* sleeper : sleepers_) sleeper->timer->cancel();
  }

  /// Sets virtual time (never backwards) and wakes the sleepers now due.
  void advance_to(flow::TimePoint t) {
    now_ = std::max(now_, t);
    for (auto* sleeper : sleepers_) {
      if (sleeper->deadline <= now_) sleeper->timer->cancel();
    }
  }
  void advance_by(flow::Duration d) { advance_to(now_ + d); }

  /// How many sleep_until calls are suspended right now.
  std::size_t pending_sleepers() const { return sleepers_.size(); }

  /// The earliest deadline among the pending sleeps.
  std::optional<flow::TimePoint> next_deadline() const {
    std::optional<flow::TimePoint> earliest;
    for (const auto* sleeper : sleepers_) {
      if (!earliest || sleeper->deadline < *earliest) earliest = sleeper->deadline;
    }
    return earliest;
  }

 private:
  struct Sleeper {
    flow::TimePoint deadline;
    boost::asio::steady_timer* timer;
  };
  using Sleepers = std::list<Sleeper*>;
  /// Removes a sleeper however its coroutine ends (resumed or destroyed).
  struct Unregister {
    Sleepers& sleepers;
    Sleepers::iterator entry;
    ~Unregister() { sleepers.erase(entry); }
  };

  boost::asio::any_io_executor executor_;
  flow::TimePoint now_;
  Sleepers sleepers_;
  std::uint64_t generation_ = 0;
};

/// Runs `io` and moves `clock` to `target`, stopping at every pending deadline
/// on the way (and running what it wakes) so each sleeper resumes at exactly
/// its deadline. Ends with virtual time at `target` and `io` drained.
inline void advance_in_steps(boost::asio::io_context& io, FakeClock& clock, flow::TimePoint target) {
  io.restart();
  io.poll();
  while (auto next = clock.next_deadline()) {
    if (*next > target) break;
    clock.advance_to(*next);
    io.restart();
    io.poll();
  }
  clock.advance_to(target);
  io.restart();
  io.poll();
}

}  // namespace flow::testing
