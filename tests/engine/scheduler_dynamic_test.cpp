// The scheduler's dynamic schedules (`at EXPR`): the time comes from the
// runner (the interpreter evaluating EXPR on the task's instance).
#include "engine/scheduler.hpp"

#include <catch2/catch.hpp>

#include "support/scheduler_fixture.hpp"

using namespace flow::testing::scheduling;
using flow::testing::FakeClock;
using flow::testing::advance_in_steps;

namespace {

/// Another process wrote the task's instance (a refresh by hand): its revision
/// moved, and the time it gives now is `at`.
void written_elsewhere_at(FakeRunner& runner, flow::TimePoint at) {
  runner.dynamic = at;
  runner.revision = runner.revision.value_or(0) + 1;
}

/// The task's instance (revision 4) gives `at`: the slot is planned from it.
void read_from_instance(FakeRunner& runner, flow::TimePoint at) {
  runner.dynamic = at;
  runner.revision = 4;
}

/// What the scheduler logs of a slot it planned again after such a write.
std::string replanned_line(const std::string& slot, const std::string& what) {
  return "task \"Before expiry\": its instance was written since its slot " + slot +
         " was planned (a run by hand, or another process's): " + what;
}

}  // namespace

TEST_CASE_METHOD(Scheduled, "scheduler: dynamic schedules follow the interpreter's time", "[scheduler]") {
  auto decl = dynamic_at();
  flow::SchedulerOptions options;
  options.dynamic_poll = 10min;

  runner.dynamic = std::nullopt;  // no token yet: ask again every 10 minutes
  auto daemon = start({&decl}, options);
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
  auto decl = dynamic_at();
  runner.dynamic = kT0 - 5min;  // the token expires in under 5 minutes: refresh now
  runner.dynamic_after_run = 55min;
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 1min);
  CHECK(runner.started == times({0min}));
  REQUIRE_FALSE(log.lines.empty());
  CHECK(log.lines.front() == "task \"Before expiry\": its time 2026-11-28T08:55:00Z has come; running now");
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: why a dynamic time is missing is logged once, and again when it changes",
                 "[scheduler]") {
  auto decl = dynamic_at();
  runner.waiting = "its time cannot be computed yet: CreatedAt and ExpiresIn of TK-1 are null";
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10min);
  CHECK(runner.dynamic_asked >= 10);  // polled every minute
  CHECK(log.lines == std::vector<std::string>{
                         "task \"Before expiry\": its time cannot be computed yet: CreatedAt and ExpiresIn of TK-1 "
                         "are null; checking again every 1m"});

  // Another reason: said once more, with the rendered error under it.
  runner.waiting = "its time cannot be computed, so it does not run";
  runner.waiting_detail = "t.flow:9:6: error: jwt_claims: not a JWT\n  at jwt_claims(AccessToken).exp\n     ^";
  advance_in_steps(io, clock, kT0 + 20min);
  REQUIRE(log.lines.size() == 2);
  CHECK(log.lines[1] ==
        "task \"Before expiry\": its time cannot be computed, so it does not run; checking again every 1m:\n"
        "t.flow:9:6: error: jwt_claims: not a JWT\n  at jwt_claims(AccessToken).exp\n     ^");

  // A time at last (a refresh by hand set the fields): said, and the task runs then.
  runner.dynamic = kT0 + 30min;
  runner.dynamic_after_run = 55min;
  advance_in_steps(io, clock, kT0 + 31min);
  REQUIRE(log.lines.size() == 3);
  CHECK(log.lines[2] == "task \"Before expiry\": its time can be computed now: 2026-11-28T09:30:00Z");
  CHECK(runner.started == times({30min}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: first run now runs a dynamic task that never ran at once, without asking",
                 "[scheduler]") {
  auto decl = dynamic_at();
  decl.first_run_now = true;
  runner.dynamic_after_run = 55min;  // the first run sets the fields the time is computed from
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 2h);
  CHECK(runner.started == times({0min, 55min, 110min}));
  // Its time was not known before that run, and nobody needed to be told.
  CHECK(log.lines == std::vector<std::string>{});
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a paused first run now task says once that it passes its first run over",
                 "[scheduler]") {
  auto decl = dynamic_at();
  decl.first_run_now = true;
  store.tasks["Before expiry"] = {"Before expiry", std::nullopt, std::nullopt, 0, true, false};  // paused, never ran
  runner.dynamic_after_run = 55min;
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10min);  // its slot is asked again every minute
  CHECK(runner.started.empty());
  CHECK(log.lines == std::vector<std::string>{"task \"Before expiry\": paused: its first run (first run now) passed "
                                              "over; it runs once resumed"});
  CHECK(daemon.scheduler.stats("Before expiry").skipped == 1);

  store.tasks.at("Before expiry").paused = false;  // `flow tasks resume`: the first run comes within a minute
  advance_in_steps(io, clock, kT0 + 12min);
  CHECK(runner.started == times({11min}));
  CHECK(log.lines.size() == 1);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a paused dynamic task says once for each time it passes over", "[scheduler]") {
  auto decl = dynamic_at();
  store.tasks["Before expiry"] = {"Before expiry", kT0 - 60min, std::nullopt, 3, true, false};
  runner.dynamic = kT0 - 5min;
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10min);
  CHECK(runner.started.empty());
  CHECK(log.lines == std::vector<std::string>{
                         "task \"Before expiry\": its time 2026-11-28T08:55:00Z has come; paused, so it does not run",
                         "task \"Before expiry\": paused: its time 2026-11-28T08:55:00Z passed over; it runs once "
                         "resumed"});

  runner.dynamic = kT0 + 20min;  // a refresh by hand: a new time, passed over in its turn
  advance_in_steps(io, clock, kT0 + 30min);
  CHECK(runner.started.empty());
  CHECK(log.lines.size() == 3);
  CHECK(log.lines.back() ==
        "task \"Before expiry\": paused: its time 2026-11-28T09:20:00Z passed over; it runs once resumed");
  CHECK(daemon.scheduler.stats("Before expiry").skipped == 2);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a dynamic time more than 100 years away is waited for, and said",
                 "[scheduler]") {
  auto decl = dynamic_at();
  // expires_in = 1e10: about 317 years, a unit mistaken or a provider's quirk.
  read_from_instance(runner, kT0 + std::chrono::duration_cast<flow::Duration>(std::chrono::seconds(10'000'000'000)));
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10min);
  CHECK(runner.started.empty());
  CHECK(log.lines == std::vector<std::string>{
                         "task \"Before expiry\": its time 2343-10-19T02:46:40Z is more than 100 years away; it "
                         "waits for it all the same: are the values it is computed from right? (once a run "
                         "mends them, the time they give is planned within 1m)"});

  // Mended by a run by hand: no restart, the next reading plans the time they give.
  written_elsewhere_at(runner, kT0 + 30min);
  runner.dynamic_after_run = 55min;
  advance_in_steps(io, clock, kT0 + 31min);
  CHECK(runner.started == times({30min}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a dynamic time less than 100 years away is not remarked on", "[scheduler]") {
  auto decl = dynamic_at();
  runner.dynamic = kT0 + std::chrono::duration_cast<flow::Duration>(std::chrono::years(99));
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10min);
  CHECK(runner.started.empty());
  CHECK(log.lines.empty());
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a dynamic time moved later by a write elsewhere is waited for, not run early",
                 "[scheduler]") {
  auto decl = dynamic_at();
  read_from_instance(runner, kT0 + 30min);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 1min + 30s);

  // A refresh by hand in another process: the token's expiry moved on, and the instance's revision.
  written_elsewhere_at(runner, kT0 + 85min);
  advance_in_steps(io, clock, kT0 + 2min);  // read again a minute after the last reading
  CHECK(log.lines == std::vector<std::string>{replanned_line(
                         "2026-11-28T09:30:00Z", "its time is 2026-11-28T10:25:00Z now, and it waits for it")});
  CHECK(store.tasks.at("Before expiry").next_run == kT0 + 85min);
  advance_in_steps(io, clock, kT0 + 31min);
  CHECK(runner.started.empty());
  CHECK(store.tasks.at("Before expiry").run_count == 0);

  runner.dynamic_after_run = 55min;
  advance_in_steps(io, clock, kT0 + 86min);
  CHECK(runner.started == times({85min}));
  CHECK(log.lines.size() == 1);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a dynamic time moved earlier by a write elsewhere runs then, not at the old time",
                 "[scheduler]") {
  auto decl = dynamic_at();
  read_from_instance(runner, kT0 + 50min);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 1min + 30s);

  // A refresh by hand got a token that lives a shorter time: its expiry came nearer.
  written_elsewhere_at(runner, kT0 + 20min);
  runner.dynamic_after_run = 55min;
  advance_in_steps(io, clock, kT0 + 2min);
  CHECK(log.lines == std::vector<std::string>{replanned_line(
                         "2026-11-28T09:50:00Z", "its time is 2026-11-28T09:20:00Z now, and it waits for it")});
  CHECK(store.tasks.at("Before expiry").next_run == kT0 + 20min);
  advance_in_steps(io, clock, kT0 + 60min);
  CHECK(runner.started == times({20min}));  // not at 50 minutes: the next is 55 minutes after the run
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a write elsewhere that makes a dynamic time due runs the task at the next reading",
                 "[scheduler]") {
  auto decl = dynamic_at();
  read_from_instance(runner, kT0 + 50min);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 10min + 30s);

  written_elsewhere_at(runner, kT0 + 5min);  // its expiry is less than 5 minutes away now
  runner.dynamic_after_run = 55min;
  advance_in_steps(io, clock, kT0 + 12min);
  CHECK(runner.started == times({11min}));
  CHECK(log.lines == std::vector<std::string>{replanned_line(
                         "2026-11-28T09:50:00Z", "its time 2026-11-28T09:05:00Z has come, and it runs now")});
  advance_in_steps(io, clock, kT0 + 60min);
  CHECK(runner.started == times({11min}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a dynamic slot runs as planned when its instance was not written since",
                 "[scheduler]") {
  auto decl = dynamic_at();
  flow::SchedulerOptions options;
  options.dynamic_poll = 10min;
  read_from_instance(runner, kT0 + 30min);
  auto daemon = start({&decl}, options);
  advance_in_steps(io, clock, kT0 + 1min);
  runner.dynamic = kT0 + 90min;  // an expression that reads now(): later at every reading, the instance unchanged
  advance_in_steps(io, clock, kT0 + 31min);
  CHECK(runner.started == times({30min}));
  CHECK(runner.dynamic_asked >= 4);  // read at start, every 10 minutes, and after the run

  // Written again between two readings, to the same time: nothing to say, and it runs then.
  runner.revision = 5;
  runner.dynamic_after_run = 60min;  // the run at 90 minutes plans the next at 150
  advance_in_steps(io, clock, kT0 + 91min);
  CHECK(runner.started == times({30min, 90min}));

  // Written just before its slot, to a time that is due: it runs as it would have.
  advance_in_steps(io, clock, kT0 + 145min);
  written_elsewhere_at(runner, kT0 + 140min);
  advance_in_steps(io, clock, kT0 + 150min + 30s);
  CHECK(runner.started == times({30min, 90min, 150min}));
  CHECK(log.lines.empty());
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: told of writes, a dynamic task sleeps until its time and reads only when told",
                 "[scheduler]") {
  auto decl = dynamic_at();
  flow::SchedulerOptions options;
  options.told_of_writes = true;
  read_from_instance(runner, kT0 + 50min);
  auto daemon = start({&decl}, options);
  advance_in_steps(io, clock, kT0 + 10min);
  const int asked = runner.dynamic_asked;  // at start only: nothing was written since
  CHECK(asked <= 2);
  CHECK(clock.next_deadline() == kT0 + 50min);  // no wake a minute: virtual time is cheap

  written_elsewhere_at(runner, kT0 + 20min);  // a run step of `flow test`
  daemon.scheduler.instances_written();
  advance_in_steps(io, clock, kT0 + 11min);
  CHECK(runner.dynamic_asked == asked + 1);
  CHECK(store.tasks.at("Before expiry").next_run == kT0 + 20min);
  CHECK(clock.next_deadline() == kT0 + 20min);
  CHECK(log.lines == std::vector<std::string>{replanned_line("2026-11-28T09:50:00Z", "its time is 2026-11-28T09:20:00Z now, and it waits for it")});

  // Written but not told: read only when its slot comes (and found due all the same).
  written_elsewhere_at(runner, kT0 + 15min);
  advance_in_steps(io, clock, kT0 + 19min);
  CHECK(runner.dynamic_asked == asked + 1);
  CHECK(runner.started.empty());
  advance_in_steps(io, clock, kT0 + 20min);
  CHECK(runner.started == times({20min}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: told of a write, a polling task reads its instance at once, not at its next poll",
                 "[scheduler]") {
  auto decl = dynamic_at();
  flow::SchedulerOptions options;
  options.dynamic_poll = 10min;  // the daemon: polls, and is told of its own runs too
  read_from_instance(runner, kT0 + 50min);
  auto daemon = start({&decl}, options);
  advance_in_steps(io, clock, kT0 + 2min);
  written_elsewhere_at(runner, kT0 + 3min);  // another task's run in this daemon
  daemon.scheduler.instances_written();
  io.restart();
  io.poll();
  CHECK(store.tasks.at("Before expiry").next_run == kT0 + 3min);  // at kT0 + 2min, not at the poll at 10min
  advance_in_steps(io, clock, kT0 + 3min);
  CHECK(runner.started == times({3min}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a dynamic time the one-minute gap moves later is said, and kept in the store",
                 "[scheduler]") {
  auto decl = dynamic_at();
  runner.dynamic = kT0;
  runner.dynamic_after_run = 20s;  // a token that lives 20 seconds: outlived by the gap
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 30s);
  CHECK(runner.started == times({0min}));
  CHECK(log.lines.back() ==
        "task \"Before expiry\": its time 2026-11-28T09:00:20Z is within a minute of its last run: next at "
        "2026-11-28T09:01:00Z (at most one run a minute)");
  const auto state = store.load_task("Before expiry");
  REQUIRE(state);
  CHECK(state->next_run == kT0 + 1min);
  CHECK(state->anchor == kT0 + 20s);
  advance_in_steps(io, clock, kT0 + 61s);
  CHECK(runner.started == times({0min, 1min}));
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a dynamic time past the one-minute gap is not remarked on", "[scheduler]") {
  auto decl = dynamic_at();
  runner.dynamic = kT0;
  runner.dynamic_after_run = 55min;
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 30s);
  CHECK(runner.started == times({0min}));
  for (const auto& line : log.lines) CHECK_THAT(line, !Catch::Contains("within a minute"));
  const auto state = store.load_task("Before expiry");
  REQUIRE(state);
  CHECK(state->next_run == kT0 + 55min);
  CHECK_FALSE(state->anchor);
  stop_and_drain(io, daemon);
}
