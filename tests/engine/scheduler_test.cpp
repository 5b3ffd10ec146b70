#include "engine/scheduler.hpp"

#include <catch2/catch.hpp>

#include "engine/task_runner.hpp"
#include "support/scheduler_fixture.hpp"

using namespace flow::testing::scheduling;
using flow::testing::FakeClock;
using flow::testing::advance_in_steps;

TEST_CASE_METHOD(Scheduled, "scheduler: every 55 minutes fires at the right virtual times", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  auto daemon = start({&decl});

  advance_in_steps(io, clock, kT0 + 4h);
  CHECK(runner.started == times({0min, 55min, 110min, 165min, 220min}));
  CHECK(clock.pending_sleepers() == 1);  // waiting for 275
  auto state = store.tasks.at("Refresh access token");
  CHECK(state.run_count == 5);
  CHECK(state.last_run == kT0 + 220min);
  CHECK(state.next_run == kT0 + 275min);
  CHECK(daemon.scheduler.stats("Refresh access token").runs == 5);

  stop_and_drain(io, daemon);
  CHECK(clock.pending_sleepers() == 0);
}

TEST_CASE_METHOD(Scheduled, "scheduler: persisted state resumes after a restart", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  {
    auto first = start({&decl});
    advance_in_steps(io, clock, kT0 + 60min);
    stop_and_drain(io, first);
  }
  CHECK(runner.started == times({0min, 55min}));
  CHECK(store.tasks.at("Refresh access token").next_run == kT0 + 110min);

  clock.advance_to(kT0 + 100min);  // restarted before the persisted slot: no extra run
  auto second = start({&decl});
  advance_in_steps(io, clock, kT0 + 170min);
  CHECK(runner.started == times({0min, 55min, 110min, 165min}));
  CHECK(store.tasks.at("Refresh access token").run_count == 4);
  stop_and_drain(io, second);
}

TEST_CASE_METHOD(Scheduled, "scheduler: on_missed run_once runs once now, skip waits for the grid", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  // The daemon was down since before the slot at T0 - 2h.
  store.tasks["Refresh access token"] = {"Refresh access token", kT0 - 175min, kT0 - 120min, 9, false, false};

  SECTION("run_once") {
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 60min);
    CHECK(runner.started == times({0min, 55min}));  // once now, then re-anchored
    REQUIRE_FALSE(log.lines.empty());
    CHECK(log.lines.front() ==
          "task \"Refresh access token\": missed its slot 2026-11-28T07:00:00Z while the daemon was down; "
          "running once now");
    stop_and_drain(io, daemon);
  }
  SECTION("skip") {
    decl.on_missed = ast::MissedPolicy::skip;
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 60min);
    CHECK(runner.started == times({45min}));  // -120, -65, -10 passed; +45 is on the grid
    CHECK(daemon.scheduler.stats("Refresh access token").skipped == 3);
    stop_and_drain(io, daemon);
  }
}

TEST_CASE_METHOD(Scheduled, "scheduler: a paused task that missed a slot does not announce a run", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  store.tasks["Refresh access token"] = {"Refresh access token", kT0 - 175min, kT0 - 120min, 9, true, false};
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 60min);
  CHECK(runner.started.empty());
  REQUIRE(log.lines.size() == 2);
  CHECK(log.lines[0] ==
        "task \"Refresh access token\": missed its slot 2026-11-28T07:00:00Z while the daemon was down; "
        "paused, so it does not run");
  CHECK(log.lines[1] == "task \"Refresh access token\": paused: slot 2026-11-28T09:45:00Z passed over");
  CHECK_FALSE(log.has("running once now"));
  CHECK(daemon.scheduler.stats("Refresh access token").skipped == 4);  // -120, -65, -10; +45
  CHECK(store.tasks.at("Refresh access token").next_run == kT0 + 100min);  // still on the grid
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a once already past when first planned does not run, and says so",
                 "[scheduler]") {
  ast::ScheduleDecl decl;
  decl.name = "Migrate";
  ast::DateTimeLiteral at;
  at.value = TimePoint(date::sys_days(date::year(2020) / 1 / 1));
  at.text = "2020-01-01T00:00";
  decl.when = ast::ScheduleWhen{ast::OnceWhen{at}, {}};
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 1h);
  CHECK(runner.started.empty());
  CHECK(log.lines == std::vector<std::string>{
                         "task \"Migrate\": its time (once at 2020-01-01T00:00:00Z) had already passed when the "
                         "schedule was first planned; it does not run"});
  CHECK(daemon.done);
  CHECK_FALSE(daemon.error);
}

TEST_CASE("scheduler: every 1 month from January 31 runs on the 31st again in March", "[scheduler]") {
  asio::io_context io;
  const TimePoint jan31 = TimePoint(date::sys_days(date::year(2026) / 1 / 31)) + 9h;
  FakeClock clock(io.get_executor(), jan31);
  TaskStore store;
  FakeRunner runner(clock);
  auto decl = every(1, ast::TimeUnit::months, "Monthly report");
  {
    Daemon daemon(io, clock, store, {&decl}, runner);
    advance_in_steps(io, clock, jan31 + 24h * 40);  // March 12
    stop_and_drain(io, daemon);
  }
  // A restart in between keeps the anchor.
  Daemon daemon(io, clock, store, {&decl}, runner);
  advance_in_steps(io, clock, jan31 + 24h * 100);  // May 11
  std::vector<std::string> days;
  for (auto t : runner.started) days.push_back(flow::format_iso(t));
  CHECK(days == std::vector<std::string>{"2026-01-31T09:00:00Z", "2026-02-28T09:00:00Z", "2026-03-31T09:00:00Z",
                                         "2026-04-30T09:00:00Z"});
  CHECK(store.tasks.at("Monthly report").anchor == jan31);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a store that cannot save task state does not stop the daemon",
                 "[scheduler][disk-full]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 1min);
  REQUIRE(runner.started.size() == 1);

  store.failing_saves = true;  // the disk fills up
  advance_in_steps(io, clock, kT0 + 115min);
  CHECK(runner.started == times({0min, 55min, 110min}));  // the schedule still fires, on its grid
  CHECK_FALSE(daemon.done);
  CHECK(log.lines == std::vector<std::string>{
                         "task \"Refresh access token\": cannot save its state: store flow.db: cannot save task "
                         "\"Refresh access token\": disk full; the schedule goes on, and the save is tried again "
                         "at the next slot",
                         "task \"Refresh access token\": cannot save its state: store flow.db: cannot save task "
                         "\"Refresh access token\": disk full; the schedule goes on, and the save is tried again "
                         "at the next slot"});
  CHECK(store.tasks.at("Refresh access token").run_count == 1);  // what the store last took

  // An admin's pause, written while the daemon's own saves fail, still counts.
  store.tasks.at("Refresh access token").paused = true;
  advance_in_steps(io, clock, kT0 + 170min);
  CHECK(runner.started.size() == 3);
  store.tasks.at("Refresh access token").paused = false;

  store.failing_saves = false;  // space again: the next save writes what the daemon kept
  advance_in_steps(io, clock, kT0 + 225min);
  CHECK(runner.started == times({0min, 55min, 110min, 220min}));
  auto state = store.tasks.at("Refresh access token");
  CHECK(state.run_count == 4);
  CHECK(state.last_run == kT0 + 220min);
  CHECK(state.next_run == kT0 + 275min);
  CHECK(log.lines.back() == "task \"Refresh access token\": its state is saved again");
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a run counted by hand while the daemon's saves fail stays counted",
                 "[scheduler][disk-full]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 1min);
  REQUIRE(store.tasks.at("Refresh access token").run_count == 1);

  store.failing_saves = true;  // the daemon's save after its second run fails: it keeps the count
  advance_in_steps(io, clock, kT0 + 56min);
  REQUIRE(runner.started == times({0min, 55min}));
  store.failing_saves = false;
  flow::count_run_by_hand(store, "Refresh access token", kT0 + 60min, true);  // `flow tasks run` in another process
  REQUIRE(store.tasks.at("Refresh access token").run_count == 2);

  advance_in_steps(io, clock, kT0 + 111min);  // the next slot's save goes through
  CHECK(runner.started == times({0min, 55min, 110min}));
  const auto& state = store.tasks.at("Refresh access token");
  CHECK(state.run_count == 4);  // the daemon's three and the one by hand
  CHECK(state.last_run == kT0 + 110min);
  CHECK(state.next_run == kT0 + 165min);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a save that failed is tried again when the daemon stops",
                 "[scheduler][disk-full]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  store.failing_saves = true;
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 1min);
  CHECK(store.tasks.empty());
  store.failing_saves = false;
  stop_and_drain(io, daemon);
  REQUIRE(store.tasks.count("Refresh access token") == 1);
  CHECK(store.tasks.at("Refresh access token").run_count == 1);
  CHECK(store.tasks.at("Refresh access token").next_run == kT0 + 55min);
}

TEST_CASE_METHOD(Scheduled, "scheduler: task state that cannot be read is read again, never fatal",
                 "[scheduler][disk-full]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  flow::SchedulerOptions options;
  options.store_retry = 5min;
  store.failing_loads = true;
  auto daemon = start({&decl}, options);
  advance_in_steps(io, clock, kT0 + 7min);
  CHECK(runner.started.empty());  // planning without the state could run a paused task
  CHECK(log.lines.size() == 2);
  CHECK(log.lines.front() ==
        "task \"Refresh access token\": cannot read its state: store flow.db: cannot load task "
        "\"Refresh access token\": disk I/O error; reading it again in 5m before planning");

  store.failing_loads = false;
  advance_in_steps(io, clock, kT0 + 11min);
  CHECK(runner.started == times({10min}));

  store.failing_loads = true;  // once planned, the loop goes on with what it holds
  advance_in_steps(io, clock, kT0 + 70min);
  CHECK(runner.started == times({10min, 65min}));
  CHECK(log.has("disk I/O error; going on with the state this daemon holds"));
  CHECK(store.tasks.at("Refresh access token").run_count == 2);
  CHECK_FALSE(daemon.done);
  stop_and_drain(io, daemon);
}

/// What the log says when a task's loop ends because it is deleted.
const std::string kDeletedLine =
    "task \"Refresh access token\": deleted (flow tasks delete); it runs no more: flow tasks resume 'Refresh access "
    "token' FILE... brings it back, from the daemon's next start";

TEST_CASE_METHOD(Scheduled, "scheduler: paused and deleted tasks do not run", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 1min);
  CHECK(runner.started.size() == 1);

  store.tasks.at("Refresh access token").paused = true;  // `flow tasks pause` from another process
  advance_in_steps(io, clock, kT0 + 120min);
  CHECK(runner.started.size() == 1);
  CHECK(daemon.scheduler.stats("Refresh access token").skipped == 2);
  CHECK(store.tasks.at("Refresh access token").next_run == kT0 + 165min);
  CHECK(store.tasks.at("Refresh access token").paused);

  store.tasks.at("Refresh access token").paused = false;
  advance_in_steps(io, clock, kT0 + 170min);
  CHECK(runner.started == times({0min, 165min}));

  store.tasks.at("Refresh access token").deleted = true;
  advance_in_steps(io, clock, kT0 + 300min);
  CHECK(runner.started.size() == 2);
  CHECK(daemon.done);  // its only loop ended
  CHECK_FALSE(daemon.error);
  CHECK(daemon.scheduler.stopping() == false);  // it ended for want of a schedule, not by stop()
  REQUIRE_FALSE(log.lines.empty());
  CHECK(log.lines.back() == kDeletedLine);
}

TEST_CASE_METHOD(Scheduled, "scheduler: a deleted task never starts", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  store.tasks["Refresh access token"] = {"Refresh access token", std::nullopt, std::nullopt, 0, false, true};
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 2h);
  CHECK(runner.started.empty());
  CHECK(daemon.done);
  CHECK(log.lines == std::vector<std::string>{kDeletedLine});
}

TEST_CASE_METHOD(Scheduled, "scheduler: a run still going at the next slot skips or queues it", "[scheduler]") {
  runner.run_time = 25min;
  auto decl = every(10, ast::TimeUnit::minutes);

  SECTION("skip") {
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 59min);
    CHECK(runner.started == times({0min, 30min}));  // 10, 20 and 40, 50 were skipped
    CHECK(daemon.scheduler.stats("Refresh access token").skipped == 4);
    stop_and_drain(io, daemon);
    CHECK(runner.finished == times({25min, 55min}));  // the in-flight run finished
  }
  SECTION("queue") {
    decl.on_overlap = ast::OverlapPolicy::queue;
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 59min);
    CHECK(runner.started == times({0min, 25min, 50min}));  // each waits for the previous one
    CHECK(daemon.scheduler.stats("Refresh access token").skipped == 0);
    stop_and_drain(io, daemon);
  }
}

TEST_CASE_METHOD(Scheduled, "scheduler: transient failures are retried with backoff", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  decl.retry = ast::RetryPolicy{3, ast::DurationLiteral{30s, "30s"}, {}};
  const TaskOutcome transient{false, "HTTP 503", true};

  SECTION("succeeds on the third attempt") {
    runner.outcomes = {transient, transient};
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 56min);
    CHECK(runner.started == times({0s, 30s, 90s, 55min}));
    auto stats = daemon.scheduler.stats("Refresh access token");
    CHECK(stats.retries == 2);
    CHECK(stats.failures == 0);
    CHECK(stats.runs == 2);
    CHECK(store.tasks.at("Refresh access token").run_count == 2);
    stop_and_drain(io, daemon);
  }
  SECTION("the retry line quotes the error's first line, not its source line and caret") {
    runner.outcomes = {{false, "file.flow:9:5: error: HTTP 503\n    create_item X.Y;\n    ^\n", true}};
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 1min);
    REQUIRE_FALSE(log.lines.empty());
    CHECK(log.lines.front() == "task \"Refresh access token\": transient failure (file.flow:9:5: error: HTTP 503); "
                         "retry 1 of 3 in 30s");
    stop_and_drain(io, daemon);
  }
  SECTION("gives up after N retries") {
    runner.outcomes = {transient, transient, transient, transient};
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 10min);
    CHECK(runner.started == times({0s, 30s, 90s, 210s}));
    CHECK(daemon.scheduler.stats("Refresh access token").failures == 1);
    stop_and_drain(io, daemon);
  }
  SECTION("permanent failures and exceptions are not retried") {
    runner.outcomes = {{false, "HTTP 400 invalid_grant", false}, {false, "throw", false}};
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 60min);
    CHECK(runner.started == times({0min, 55min}));
    CHECK(daemon.scheduler.stats("Refresh access token").failures == 2);
    // The runner reports the runs it finished (the daemon prints each once):
    // the log says that the one that threw failed, and of each that it is not retried.
    const std::string not_retried = "task \"Refresh access token\": not retried: the failure is not transient (only a "
                                    "network error, 5xx or 429 is); next run at ";
    CHECK(log.lines == std::vector<std::string>{not_retried + "2026-11-28T09:55:00Z",
                                                "task \"Refresh access token\": run failed: internal error: boom",
                                                not_retried + "2026-11-28T10:50:00Z"});
    stop_and_drain(io, daemon);
  }
  SECTION("a backoff woken early sleeps on, and a set of the wall clock neither cuts nor stretches it") {
    runner.outcomes = {transient, transient};
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 10s);
    daemon.scheduler.instances_written();  // wakes every sleep (Clock::cancel_all)
    clock.step_wall(1h);                   // wakes them again: the backoff counts steady time
    io.restart();
    io.poll();
    CHECK(runner.started == times({0s}));
    advance_in_steps(io, clock, kT0 + 1h + 29s);
    CHECK(runner.started == times({0s}));
    advance_in_steps(io, clock, kT0 + 1h + 31s);
    CHECK(runner.started == times({0s, 1h + 30s}));
    clock.step_wall(-2h);  // back, during the second backoff (60s): it still lasts 60s
    advance_in_steps(io, clock, kT0 - 1h + 89s);
    CHECK(runner.started == times({0s, 1h + 30s}));
    advance_in_steps(io, clock, kT0 - 1h + 91s);
    CHECK(runner.started == times({0s, 1h + 30s, -1h + 90s}));
    stop_and_drain(io, daemon);
  }
  SECTION("stop() during a backoff ends the retries, the pending one kept for the next start") {
    runner.outcomes = {transient, transient};
    auto daemon = start({&decl});
    advance_in_steps(io, clock, kT0 + 10s);
    stop_and_drain(io, daemon);
    CHECK(runner.started == times({0s}));
    CHECK(store.tasks.at("Refresh access token").run_count == 1);
    CHECK(store.tasks.at("Refresh access token").retry == flow::PendingRetry{kT0 + 30s, 1});
  }
}

TEST_CASE_METHOD(Scheduled, "scheduler: a run stopped before it started is no run, no failure and no overrun",
                 "[scheduler]") {
  auto decl = every(1, ast::TimeUnit::minutes);
  // It waits for another process's run on its instance past two slots; SIGTERM ends the wait.
  runner.run_time = 10min;
  runner.outcomes = {{false, "error: store: stopped while waiting for another flow process's run on 'TK-1'\n", true, true}};
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 150s);
  REQUIRE(runner.started == times({0min}));
  stop_and_drain(io, daemon);
  const auto& state = store.tasks.at("Refresh access token");
  CHECK(state.run_count == 0);
  CHECK_FALSE(state.last_run);
  CHECK(state.next_run == kT0);  // still due: the next start runs it
  const auto stats = daemon.scheduler.stats("Refresh access token");
  CHECK(stats.runs == 0);
  CHECK(stats.failures == 0);
  CHECK(stats.skipped == 0);
  CHECK(log.lines.empty());  // no overrun, no retry
}

TEST_CASE_METHOD(Scheduled, "scheduler: expires after N runs, then run() completes", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  decl.expires = ast::Expiry{std::nullopt, 3, {}};
  auto daemon = start({&decl});
  advance_in_steps(io, clock, kT0 + 5h);
  CHECK(runner.started == times({0min, 55min, 110min}));
  CHECK(daemon.done);
  CHECK_FALSE(daemon.error);
  CHECK_FALSE(store.tasks.at("Refresh access token").next_run);
  CHECK(clock.pending_sleepers() == 0);
}

TEST_CASE_METHOD(Scheduled, "scheduler: stop() lets the in-flight run finish and persist", "[scheduler]") {
  runner.run_time = 10min;
  auto decl = every(55, ast::TimeUnit::minutes);
  auto other = every(1, ast::TimeUnit::days, "Daily report");
  auto daemon = start({&decl, &other});
  advance_in_steps(io, clock, kT0 + 5min);
  CHECK(runner.started.size() == 2);  // both fire at once on first start
  runner.run_time = 0ms;

  daemon.scheduler.stop();
  io.restart();
  io.poll();
  // FakeRunner sleeps on the same clock, so cancel_all ended its virtual run early.
  CHECK(daemon.done);
  CHECK_FALSE(daemon.error);
  CHECK(runner.finished.size() == 2);
  CHECK(store.tasks.at("Refresh access token").run_count == 1);
  CHECK(store.tasks.at("Daily report").run_count == 1);
  CHECK(store.tasks.at("Refresh access token").next_run == kT0 + 55min);
  CHECK(clock.pending_sleepers() == 0);
}

TEST_CASE_METHOD(Scheduled, "scheduler: an exception that is not a std::exception reaches run()'s caller", "[scheduler]") {
  runner.throw_foreign = true;
  auto decl = every(55, ast::TimeUnit::minutes);
  auto other = every(1, ast::TimeUnit::hours, "Other");
  auto late = every(1, ast::TimeUnit::hours, "Late");
  store.tasks["Other"] = {"Other", std::nullopt, kT0 + 30min, 0, false, false};
  store.tasks["Late"] = {"Late", std::nullopt, kT0 + 30min, 0, false, false};
  auto daemon = start({&decl, &other, &late});
  advance_in_steps(io, clock, kT0 + 1min);
  CHECK(daemon.done);  // the failure stopped the other loops too
  REQUIRE(daemon.error);
  CHECK_THROWS_AS(std::rethrow_exception(daemon.error), int);
  CHECK(runner.started.size() == 1);
}

TEST_CASE_METHOD(Scheduled, "scheduler: jitter delays runs by the injected amount", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  decl.jitter = 20s;
  flow::SchedulerOptions options;
  options.jitter = [] { return std::uint64_t{7000}; };
  auto daemon = start({&decl}, options);
  advance_in_steps(io, clock, kT0 + 60min);
  CHECK(runner.started == times({7s, 55min + 7s}));  // the slots stay on the grid
  CHECK(store.tasks.at("Refresh access token").next_run == kT0 + 110min);
  stop_and_drain(io, daemon);
}

TEST_CASE_METHOD(Scheduled, "scheduler: an invalid schedule is refused with its name", "[scheduler]") {
  auto decl = every(55, ast::TimeUnit::minutes);
  decl.timezone = "Mars/Olympus";
  try {
    flow::Scheduler scheduler(clock, store, {&decl}, runner);
    FAIL("no ScheduleError");
  } catch (const flow::ScheduleError& e) {
    CHECK(std::string(e.what()) == "schedule \"Refresh access token\": unknown time zone \"Mars/Olympus\"");
  }
}

TEST_CASE_METHOD(Scheduled, "scheduler: two schedules with one name are refused", "[scheduler]") {
  auto first = every(55, ast::TimeUnit::minutes);
  auto second = every(1, ast::TimeUnit::hours);
  CHECK_THROWS_WITH(flow::Scheduler(clock, store, {&first, &second}, runner),
                    "schedule \"Refresh access token\": another schedule has the same name");
}

TEST_CASE("SystemClock: a passed deadline completes at once; cancel_all wakes sleepers", "[clock]") {
  asio::io_context io;
  flow::SystemClock clock(io.get_executor());
  int woke = 0;
  auto sleep = [&](TimePoint deadline) {
    asio::co_spawn(io, clock.sleep_until(deadline), [&](std::exception_ptr e) {
      REQUIRE_FALSE(e);
      ++woke;
    });
  };
  sleep(clock.now() - 1s);
  io.poll();
  CHECK(woke == 1);
  sleep(clock.now() + 1h);
  sleep(clock.now() + 2h);
  io.restart();
  io.poll();
  CHECK(woke == 1);
  clock.cancel_all();
  io.restart();
  io.run_for(5s);  // returns as soon as both woke: no work left
  CHECK(woke == 3);
}
