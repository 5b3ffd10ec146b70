// The scheduler when the wall clock is set (VirtualClock::step_wall moves it
// apart from steady time) or a slot comes late: engine/clock_steps.hpp has the rules.
#include "engine/scheduler.hpp"

#include <catch2/catch.hpp>

#include "support/scheduler_fixture.hpp"

using namespace flow::testing::scheduling;
using flow::testing::advance_in_steps;

namespace {

const std::string kTask = "Refresh access token";

ast::ScheduleDecl daily_at(int hour, int minute) {
  ast::ScheduleDecl decl;
  decl.name = "Daily";
  ast::DailyWhen daily;
  daily.at = ast::TimeOfDay{hour, minute};
  decl.when = ast::ScheduleWhen{daily, {}};
  return decl;
}

}  // namespace

TEST_CASE_METHOD(Scheduled, "scheduler: after a step back, an interval's next slot keeps its elapsed time",
                 "[scheduler][clock]") {
  auto decl = every(20, ast::TimeUnit::seconds);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 5s);
  REQUIRE(runner.started == times({0s}));

  clock.step_wall(-180s);  // NTP: the clock was 3 minutes ahead
  io.restart();
  io.poll();
  CHECK(log.lines == std::vector<std::string>{
                         "the system clock stepped back 3m: the slots of `every` intervals and `at` times move back "
                         "with it, keeping their elapsed time; wall-clock slots (`every day at`, months, cron, "
                         "`once at`) keep their time"});
  // 20 s after the first run by steady time: kT0 + 20 s - 180 s on the clock as it reads now.
  CHECK(store.tasks.at(kTask).next_run == kT0 - 160s);
  CHECK(store.tasks.at(kTask).anchor == kT0 - 180s);
  advance_in_steps(io, clock, kT0 - 160s + 45s);
  CHECK(runner.started == times({0s, -160s, -140s, -120s}));
  CHECK(log.lines.size() == 1);  // said once
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a step back during a run moves its last run and next slot too",
                 "[scheduler][clock]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  runner.run_time = 10s;
  auto daemon = start({&decl});
  io.poll();  // the first run is under way, its call takes 10 s
  clock.step_wall(-1h);
  advance_in_steps(io, clock, clock.now() + 10s);
  REQUIRE(runner.started == times({0s}));
  CHECK(store.tasks.at(kTask).last_run == kT0 - 1h);
  CHECK(store.tasks.at(kTask).next_run == kT0 - 1h + 55min);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a wall-clock schedule keeps its time after a step back", "[scheduler][clock]") {
  auto decl = daily_at(9, 30);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10min);
  clock.step_wall(-5min);
  advance_in_steps(io, clock, kT0 + 40min);
  CHECK(runner.started == times({30min}));  // 09:30 as the clock reads it, 5 minutes later by steady time
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: after a step back, a dynamic time comes earlier by the step",
                 "[scheduler][clock]") {
  auto decl = dynamic_at();
  runner.dynamic = kT0 + 30min;  // CreatedAt + ExpiresIn - 5 minutes, CreatedAt read on the clock before the step
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10min);
  clock.step_wall(-4min);
  advance_in_steps(io, clock, kT0 + 26min);
  CHECK(runner.started == times({26min}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a step forward runs the slot it passed once, and is no overrun",
                 "[scheduler][clock]") {
  auto decl = every(20, ast::TimeUnit::seconds);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 5s);
  clock.step_wall(300s);
  io.restart();
  io.poll();
  CHECK(runner.started == times({0s, 305s}));  // the slot at 20 s, run at once
  REQUIRE(log.lines.size() == 2);
  CHECK(log.lines[0] ==
        "the system clock stepped forward 5m: slots keep their time; a task whose slot it passed runs once now");
  CHECK(log.lines[1] == "task \"Refresh access token\": its slot 2026-11-28T09:00:20Z ran 4m45s late (the machine "
                        "was suspended or busy, or the system clock stepped forward): one run for 15 slot(s), and its "
                        "interval counts from it; next at 2026-11-28T09:05:25Z");
  CHECK_FALSE(log.has("overran"));
  advance_in_steps(io, clock, kT0 + 330s);
  CHECK(runner.started == times({0s, 305s, 325s}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a slot woken late (a suspend) runs once and goes on from there",
                 "[scheduler][clock]") {
  SECTION("an interval counts from the late run") {
    auto decl = every(20, ast::TimeUnit::seconds);
    decl.on_overlap = ast::OverlapPolicy::queue;  // no extra run: the late one stood for the slots passed
    auto daemon = start({&decl});
    io.poll();
    clock.advance_to(kT0 + 1h);  // suspended for an hour: nothing woke on the way
    io.restart();
    io.poll();
    CHECK(runner.started == times({0s, 1h}));
    CHECK(store.tasks.at(kTask).next_run == kT0 + 1h + 20s);
    CHECK(log.has("ran 59m40s late"));
    CHECK_FALSE(log.has("overran"));
    stop_and_drain(io, daemon);
  }
  SECTION("cron goes on at its first slot after now") {
    ast::ScheduleDecl decl;
    decl.name = "Cron";
    decl.when = ast::ScheduleWhen{ast::CronWhen{"*/5 * * * *", {}}, {}};
    decl.on_overlap = ast::OverlapPolicy::queue;
    auto daemon = start({&decl});
    io.poll();
    clock.advance_to(kT0 + 62min);
    io.restart();
    io.poll();
    CHECK(runner.started == times({0min, 62min}));  // 09:00, then the 09:05 slot, late
    CHECK(store.tasks.at("Cron").next_run == kT0 + 65min);
    CHECK(log.has("its slot 2026-11-28T09:05:00Z ran 57m late"));
    CHECK(log.has("one run for 12 slot(s); next at 2026-11-28T10:05:00Z"));  // 09:05 to 10:00
    CHECK(daemon.scheduler.stats("Cron").skipped == 11);
    stop_and_drain(io, daemon);
  }
}

TEST_CASE_METHOD(Scheduled, "scheduler: a last run stored ahead of the clock makes the task due now",
                 "[scheduler][clock]") {
  // Written while the clock was 10 days ahead; the clock has been set back since.
  const TimePoint ahead = kT0 + 24h * 10;
  SECTION("an interval runs now and counts from here") {
    auto decl = every(55, ast::TimeUnit::minutes);
    store.tasks[kTask] = {kTask, ahead, ahead + 55min, 3, false, false, ahead};
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 1h);
    CHECK(runner.started == times({0min, 55min}));
    REQUIRE_FALSE(log.lines.empty());
    CHECK(log.lines[0] == "task \"Refresh access token\": its last run is recorded at 2026-12-08T09:00:00Z, 10d ahead "
                          "of the clock now: the clock was ahead then and has been set back; it runs now, not at "
                          "2026-12-08T09:55:00Z (planned by that clock)");
    CHECK(store.tasks.at(kTask).last_run == kT0 + 55min);
    stop_and_drain(io, daemon);
  }
  SECTION("a dynamic time computed from that clock's times runs now") {
    auto decl = dynamic_at();
    store.tasks["Before expiry"] = {"Before expiry", ahead, ahead + 55min, 3, false, false};
    runner.dynamic = ahead + 55min;
    runner.dynamic_after_run = 55min;
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 1min);
    CHECK(runner.started == times({0min}));
    CHECK(log.has("ahead of the clock now"));
    stop_and_drain(io, daemon);
  }
  SECTION("a minute's difference is no clock that was ahead") {
    auto decl = every(55, ast::TimeUnit::minutes);
    store.tasks[kTask] = {kTask, kT0 + 30s, kT0 + 55min + 30s, 3, false, false, kT0 + 30s};
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 55min);
    CHECK(runner.started.empty());
    CHECK(log.lines.empty());
    stop_and_drain(io, daemon);
  }
}
