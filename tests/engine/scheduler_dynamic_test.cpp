// The scheduler's dynamic schedules (`at EXPR`): the time comes from the
// runner (the interpreter evaluating EXPR on the task's instance).
#include "engine/scheduler.hpp"

#include <catch2/catch.hpp>

#include "support/scheduler_fixture.hpp"

using namespace flow::testing::scheduling;
using flow::testing::FakeClock;
using flow::testing::advance_in_steps;

TEST_CASE_METHOD(Scheduled, "scheduler: dynamic schedules follow the interpreter's time", "[scheduler]") {
  ast::ScheduleDecl decl;
  decl.name = "Before expiry";
  decl.when = ast::ScheduleWhen{ast::DynamicWhen{}, {}};
  flow::SchedulerOptions options;
  options.dynamic_idle_poll = 10min;

  runner.dynamic = std::nullopt;  // no token yet: ask again every 10 minutes
  Daemon daemon(io, clock, store, {&decl}, runner, options);
  advance_in_steps(io, clock, kT0 + 15min);
  CHECK(runner.started.empty());
  runner.dynamic = kT0 + 30min;
  runner.dynamic_after_run = 55min;  // a run refreshes the token: the next is due before its expiry
  advance_in_steps(io, clock, kT0 + 31min);
  CHECK(runner.started == times({30min}));
  advance_in_steps(io, clock, kT0 + 80min);
  CHECK(runner.started == times({30min}));
  advance_in_steps(io, clock, kT0 + 90min);
  CHECK(runner.started == times({30min, 85min}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a dynamic time already past at start is due, not missed", "[scheduler]") {
  ast::ScheduleDecl decl;
  decl.name = "Before expiry";
  decl.when = ast::ScheduleWhen{ast::DynamicWhen{}, {}};
  std::vector<std::string> log;
  flow::SchedulerOptions options;
  options.log = [&](const std::string& line) { log.push_back(line); };
  runner.dynamic = kT0 - 5min;  // the token expires in under 5 minutes: refresh now
  runner.dynamic_after_run = 55min;
  Daemon daemon(io, clock, store, {&decl}, runner, options);
  advance_in_steps(io, clock, kT0 + 1min);
  CHECK(runner.started == times({0min}));
  REQUIRE_FALSE(log.empty());
  CHECK(log.front() == "task \"Before expiry\": its time 2026-11-28T08:55:00Z has come; running now");
  stop_and_drain(io, daemon);
}
