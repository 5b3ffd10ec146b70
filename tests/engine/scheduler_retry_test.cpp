// A schedule's `retry N times backoff D` across a stop: the retry whose
// backoff has begun is persisted, and a daemon started again runs it at its
// time as the same retry.
#include "engine/scheduler.hpp"

#include <catch2/catch.hpp>

#include "engine/task_runner.hpp"
#include "support/scheduler_fixture.hpp"

using namespace flow::testing::scheduling;
using flow::testing::advance_in_steps;

namespace {

const TaskOutcome kTransient{false, "HTTP 503", true};
const std::string kRetriedTask = "Refresh access token";

/// `every 55 minutes; retry 3 times backoff 30s;`, as the seed example.
ast::ScheduleDecl retried_every_55_minutes() {
  auto decl = every(55, ast::TimeUnit::minutes);
  decl.retry = ast::RetryPolicy{3, ast::DurationLiteral{30s, "30s"}, {}};
  return decl;
}

/// A first daemon whose run at kT0 fails transiently, stopped at kT0 + 10s, during the backoff.
struct StoppedInBackoff : Scheduled {
  StoppedInBackoff() {
    runner.outcomes = {kTransient};
    auto first = start({&decl});
    advance_in_steps(io, clock, kT0 + 10s);
    stop_and_drain(io, first);
    log.lines.clear();
  }
  ast::ScheduleDecl decl = retried_every_55_minutes();
};

}  // namespace

TEST_CASE_METHOD(Scheduled, "scheduler retry: the pending retry is persisted when its backoff begins",
                 "[scheduler]") {
  auto decl = retried_every_55_minutes();
  runner.outcomes = {kTransient};
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10s);
  // As a kill -9 now would leave it: the run counted, the next slot planned, the retry pending.
  const auto& state = store.tasks.at(kRetriedTask);
  CHECK(state.run_count == 1);
  CHECK(state.last_run == kT0);
  CHECK(state.next_run == kT0 + 55min);
  REQUIRE(state.retry);
  CHECK(state.retry->at == kT0 + 30s);
  CHECK(state.retry->number == 1);
  CHECK(state.next_time() == kT0 + 30s);
  advance_in_steps(io, clock, kT0 + 31s);  // the retry succeeds: nothing is pending any more
  CHECK(runner.started == times({0s, 30s}));
  CHECK_FALSE(store.tasks.at(kRetriedTask).retry);
  CHECK(store.tasks.at(kRetriedTask).run_count == 1);  // retries are part of the run
  CHECK(store.tasks.at(kRetriedTask).next_run == kT0 + 55min);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(StoppedInBackoff, "scheduler retry: a daemon stopped during a backoff keeps the retry, and the "
                                   "next start runs it at its time as the same retry",
                 "[scheduler]") {
  const auto& kept = store.tasks.at(kRetriedTask);
  REQUIRE(kept.retry);
  CHECK(kept.retry->at == kT0 + 30s);
  CHECK(kept.run_count == 1);
  CHECK(kept.next_run == kT0 + 55min);
  CHECK(runner.started == times({0s}));

  SECTION("started again before its time: it runs then, and the backoff goes on from there") {
    clock.advance_to(kT0 + 20s);
    runner.outcomes = {kTransient, {true, "", false}};
    auto second = start({&decl});
    advance_in_steps(io, clock, kT0 + 56min);
    CHECK(runner.started == times({0s, 30s, 90s, 55min}));  // retry 2 a minute after retry 1, then the slot
    REQUIRE(log.lines.size() == 2);
    CHECK(log.lines[0] == "task \"Refresh access token\": its retry 1 of 3, due at 2026-11-28T09:00:30Z, kept when "
                          "the daemon stopped, runs then");
    CHECK(log.lines[1] == "task \"Refresh access token\": transient failure (HTTP 503); retry 2 of 3 in 1m");
    const auto& state = store.tasks.at(kRetriedTask);
    CHECK(state.run_count == 2);
    CHECK_FALSE(state.retry);
    CHECK(state.next_run == kT0 + 110min);
    stop_and_drain(io, second);
  }
  SECTION("started again after its time: it runs at once") {
    clock.advance_to(kT0 + 5min);
    auto second = start({&decl});
    advance_in_steps(io, clock, kT0 + 56min);
    CHECK(runner.started == times({0s, 5min, 55min}));
    REQUIRE_FALSE(log.lines.empty());
    CHECK(log.lines[0] == "task \"Refresh access token\": its retry 1 of 3, due at 2026-11-28T09:00:30Z, kept when "
                          "the daemon stopped, runs now");
    stop_and_drain(io, second);
  }
  SECTION("the last retry left: a transient failure of it is not retried again") {
    store.tasks[kRetriedTask].retry->number = 3;
    clock.advance_to(kT0 + 5min);
    runner.outcomes = {kTransient};
    auto second = start({&decl});
    advance_in_steps(io, clock, kT0 + 10min);
    CHECK(runner.started == times({0s, 5min}));
    CHECK_FALSE(store.tasks.at(kRetriedTask).retry);
    CHECK(second.scheduler.stats(kRetriedTask).failures == 1);
    stop_and_drain(io, second);
  }
  SECTION("a paused task's pending retry does not run") {
    store.tasks[kRetriedTask].paused = true;
    clock.advance_to(kT0 + 5min);
    auto second = start({&decl});
    advance_in_steps(io, clock, kT0 + 10min);
    CHECK(runner.started == times({0s}));
    REQUIRE_FALSE(log.lines.empty());
    CHECK(log.lines[0] == "task \"Refresh access token\": paused: its retry 1 of 3, due at 2026-11-28T09:00:30Z, "
                          "kept when the daemon stopped, is passed over");
    CHECK_FALSE(store.tasks.at(kRetriedTask).retry);
    stop_and_drain(io, second);
  }
  SECTION("a run by hand that succeeded meanwhile clears it; one that failed does not") {
    flow::count_run_by_hand(store, kRetriedTask, kT0 + 15s, false);
    CHECK(store.tasks.at(kRetriedTask).retry);
    flow::count_run_by_hand(store, kRetriedTask, kT0 + 20s, true);
    CHECK_FALSE(store.tasks.at(kRetriedTask).retry);
    CHECK(store.tasks.at(kRetriedTask).next_run == kT0 + 55min);
    clock.advance_to(kT0 + 5min);
    auto second = start({&decl});
    advance_in_steps(io, clock, kT0 + 56min);
    CHECK(runner.started == times({0s, 55min}));
    CHECK(store.tasks.at(kRetriedTask).run_count == 4);
    stop_and_drain(io, second);
  }
  SECTION("a slot that has come by then runs instead (on_missed run_once); skip keeps the retry") {
    clock.advance_to(kT0 + 2h);
    SECTION("run_once") {
      auto second = start({&decl});
      advance_in_steps(io, clock, kT0 + 2h + 1min);
      CHECK(runner.started == times({0s, 2h}));
      REQUIRE(log.lines.size() >= 2);
      CHECK(log.lines[0] == "task \"Refresh access token\": its retry 1 of 3, due at 2026-11-28T09:00:30Z, kept "
                            "when the daemon stopped, gives way to its slot 2026-11-28T09:55:00Z, which has come by "
                            "then");
      CHECK(log.lines[1] == "task \"Refresh access token\": missed its slot 2026-11-28T09:55:00Z while the daemon "
                            "was down; running once now");
      stop_and_drain(io, second);
    }
    SECTION("skip") {
      decl.on_missed = ast::MissedPolicy::skip;
      auto second = start({&decl});
      advance_in_steps(io, clock, kT0 + 2h + 1min);
      CHECK(runner.started == times({0s, 2h}));  // the retry, at once; the missed slots are skipped
      CHECK(log.has("its retry 1 of 3, due at 2026-11-28T09:00:30Z, kept when the daemon stopped, runs now"));
      CHECK(store.tasks.at(kRetriedTask).next_run == kT0 + 165min);
      CHECK_FALSE(store.tasks.at(kRetriedTask).retry);
      stop_and_drain(io, second);
    }
  }
  SECTION("stopped again before it came: kept again") {
    clock.advance_to(kT0 + 20s);
    auto second = start({&decl});
    advance_in_steps(io, clock, kT0 + 25s);
    stop_and_drain(io, second);
    CHECK(runner.started == times({0s}));
    CHECK(log.has("retry 1 of 3, due at 2026-11-28T09:00:30Z, is kept for the next start: the daemon is stopping"));
    CHECK(store.tasks.at(kRetriedTask).retry == flow::PendingRetry{kT0 + 30s, 1});
  }
}

TEST_CASE_METHOD(Scheduled, "scheduler retry: during the backoff, a pause or a run by hand that succeeded ends the "
                            "retries", "[scheduler]") {
  auto decl = retried_every_55_minutes();
  runner.outcomes = {kTransient};
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10s);
  SECTION("paused") {
    store.tasks[kRetriedTask].paused = true;
    advance_in_steps(io, clock, kT0 + 1min);
    CHECK(log.has("paused: its retry 1 of 3, due at 2026-11-28T09:00:30Z, is passed over"));
  }
  SECTION("a run by hand") {
    flow::count_run_by_hand(store, kRetriedTask, kT0 + 15s, true);
    advance_in_steps(io, clock, kT0 + 1min);
    CHECK(log.has("its retry 1 of 3, due at 2026-11-28T09:00:30Z, is not needed: a run by hand succeeded meanwhile"));
  }
  CHECK(runner.started == times({0s}));
  CHECK_FALSE(store.tasks.at(kRetriedTask).retry);
  CHECK(store.tasks.at(kRetriedTask).next_run == kT0 + 55min);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler retry: a dynamic task's pending retry runs at its time after a stop",
                 "[scheduler]") {
  auto decl = dynamic_at();
  decl.retry = ast::RetryPolicy{3, ast::DurationLiteral{30s, "30s"}, {}};
  runner.dynamic = kT0;  // due now
  runner.revision = 1;
  runner.outcomes = {kTransient};
  {
    auto first = start({&decl});
    advance_in_steps(io, clock, kT0 + 10s);
    stop_and_drain(io, first);
  }
  REQUIRE(store.tasks.at("Before expiry").retry);
  clock.advance_to(kT0 + 20s);
  runner.dynamic_after_run = 1h;  // the retry's refresh moves the time an hour on
  auto second = start({&decl});
  advance_in_steps(io, clock, kT0 + 5min);
  CHECK(runner.started == times({0s, 30s}));
  CHECK(store.tasks.at("Before expiry").next_run == kT0 + 30s + 1h);
  stop_and_drain(io, second);
}

TEST_CASE_METHOD(Scheduled, "scheduler retry: a dynamic task whose kept retry fails, its last, waits the gap after "
                            "the start, as without the stop",
                 "[scheduler]") {
  auto decl = dynamic_at();
  decl.retry = ast::RetryPolicy{1, ast::DurationLiteral{30s, "30s"}, {}};
  runner.dynamic = kT0;  // due now; the failed refreshes leave it so
  runner.revision = 1;
  runner.outcomes = {kTransient, kTransient};
  {
    auto first = start({&decl});
    advance_in_steps(io, clock, kT0 + 10s);
    stop_and_drain(io, first);
  }
  REQUIRE(store.tasks.at("Before expiry").retry);
  auto second = start({&decl});
  advance_in_steps(io, clock, kT0 + 2min);
  // The retry at 30 s was its last; the time it left passed is due a minute on, not at once.
  CHECK(runner.started == times({0s, 30s, 90s}));
  stop_and_drain(io, second);
}
