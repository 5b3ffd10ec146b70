// The clocks: the system's (on Asio, briefly for real) and the virtual one,
// and ClockWatch, which tells a step of the wall clock from time passing.
#include "engine/clock.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <date/date.h>

#include "engine/clock_steps.hpp"
#include "engine/virtual_clock.hpp"

namespace asio = boost::asio;
using namespace std::chrono_literals;
using flow::TimePoint;

namespace {

/// Spawns clock.sleep_until(deadline) on `io`; `woke` counts the sleeps that ended.
void sleep_on(asio::io_context& io, flow::Clock& clock, TimePoint deadline, int& woke) {
  asio::co_spawn(io, clock.sleep_until(deadline), [&woke](std::exception_ptr e) {
    REQUIRE_FALSE(e);
    ++woke;
  });
}

}  // namespace

TEST_CASE("SystemClock: a deadline centuries away is slept on, not met at once", "[clock]") {
  // Past 2262-04-11 a system_clock time point in nanoseconds overflows: a timer
  // armed for it fired at once, and the scheduler's loop spun a core.
  asio::io_context io;
  flow::SystemClock clock(io.get_executor());
  int woke = 0;
  sleep_on(io, clock, TimePoint(date::sys_days(date::year(2300) / 1 / 1)), woke);
  sleep_on(io, clock, TimePoint(flow::Duration(9007199254740992)), woke);  // 2^53 ms, the largest a number gives
  io.run_for(300ms);
  CHECK(woke == 0);
  clock.cancel_all();
  io.restart();
  io.run_for(5s);
  CHECK(woke == 2);
}

TEST_CASE("SystemClock: a near deadline is met, and steady time moves with it", "[clock]") {
  asio::io_context io;
  flow::SystemClock clock(io.get_executor());
  int woke = 0;
  const auto steady_start = clock.steady();
  const auto deadline = clock.now() + 150ms;
  sleep_on(io, clock, deadline, woke);
  io.run_for(5s);
  CHECK(woke == 1);
  CHECK(clock.now() >= deadline);
  CHECK(clock.steady() - steady_start >= 100ms);
}

TEST_CASE("VirtualClock: step_wall sets the wall clock alone and wakes every sleeper", "[clock]") {
  asio::io_context io;
  const TimePoint start = TimePoint(date::sys_days(date::year(2026) / 11 / 28));
  flow::VirtualClock clock(io.get_executor(), start);
  int woke = 0;
  sleep_on(io, clock, start + 1h, woke);
  io.poll();
  clock.advance_by(10min);
  CHECK(clock.steady() == 10min);
  clock.step_wall(-3min);
  io.restart();
  io.poll();
  CHECK(woke == 1);  // early: the sleeper reads the clock again
  CHECK(clock.now() == start + 7min);
  CHECK(clock.steady() == 10min);
  clock.advance_to(start + 8min);
  CHECK(clock.steady() == 11min);
}

TEST_CASE("ClockWatch: steps of the wall clock, not time passing", "[clock]") {
  asio::io_context io;
  const TimePoint start = TimePoint(date::sys_days(date::year(2026) / 11 / 28));
  flow::VirtualClock clock(io.get_executor(), start);
  flow::ClockWatch watch(clock);
  clock.advance_by(1h);
  CHECK(watch.observe() == 0s);
  clock.step_wall(2s);  // within the tolerance: two readings a moment apart
  CHECK(watch.observe() == 0s);
  clock.step_wall(-180s);
  clock.advance_by(30s);
  CHECK(watch.observe() == -180s);
  CHECK(watch.observe() == 0s);  // said once
  clock.step_wall(300s);
  CHECK(watch.observe() == 300s);
  CHECK(watch.total() == 120s);
}
