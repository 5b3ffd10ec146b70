// The scheduler over the interpreter, as `flow run` has them: a real SQLite
// store, the virtual clock, a fake transport.
#include "engine/task_runner.hpp"

#include <catch2/catch.hpp>

#include <boost/asio/co_spawn.hpp>

#include "support/broken_function.hpp"
#include "support/engine_fixture.hpp"
#include "support/fillable_store.hpp"

using namespace flow;
using namespace flow::testing;
using namespace std::chrono_literals;

TEST_CASE("a run that throws what no run may fails like any run, and the daemon goes on", "[task_runner]") {
  EngineFixture f(R"(
process K {
  field Runs number = 0;
  on Go { set Runs = Runs + 1; save; log broken(); }
}
instance "K-1" of K { }
schedule "Tick" { every 1 minutes; process K; id "K-1"; trigger Go; }
)");
  add_broken_function(f.functions);
  REQUIRE(f.interpreter->seed_instances().empty());
  InterpreterTaskRunner runner(*f.interpreter, nullptr);
  SchedulerOptions options;
  std::vector<std::string> log;
  options.log = [&log](const std::string& line) { log.push_back(line); };
  options.jitter = [] { return std::uint64_t{0}; };
  Scheduler scheduler(f.clock, *f.store, f.program->schedules(), runner, options);
  bool done = false;
  std::exception_ptr failure;
  boost::asio::co_spawn(f.io, scheduler.run(), [&](std::exception_ptr e) {
    done = true;
    failure = e;
  });

  advance_in_steps(f.io, f.clock, f.clock.now() + 90s);  // a slot at once, the next a minute later
  const auto runs = f.store->runs("Tick", 10);
  REQUIRE(runs.size() == 2);
  for (const auto& run : runs) {
    CHECK_FALSE(run.ok);
    CHECK_THAT(run.message, Catch::StartsWith("test.flow:4:38: error: internal error: broken() reached a state"));
  }
  // Each run kept its save and let go of K-1: the second one ran on what the first saved.
  CHECK(f.store->load_instance("K-1")->fields.at("Runs") == Value(2));
  CHECK(scheduler.stats("Tick").failures == 2);
  // The runner reported each run (its history, the daemon's on_run): the
  // scheduler's log does not repeat the error.
  for (const auto& line : log) CHECK_THAT(line, !Catch::Contains("run failed"));

  scheduler.stop();
  f.io.restart();
  f.io.poll();
  CHECK(done);
  CHECK_FALSE(failure);
}

namespace {

constexpr const char* kKeeper = R"(
process K {
  field AccessToken secret;
  field CreatedAt datetime;
  field ExpiresIn number;
  on Refresh { set AccessToken = "opaque-token-0123456789"; set CreatedAt = now(); set ExpiresIn = 3600; save; }
}
instance "K-1" of K { }
schedule "Before expiry" { at CreatedAt + seconds(ExpiresIn) - 5 minutes; process K; id "K-1"; trigger Refresh; }
schedule "From the token" { at from_unix(to_number(AccessToken)); process K; id "K-1"; trigger Refresh; }
)";

}  // namespace

TEST_CASE("a dynamic time not known yet names the null fields and how to make the first run", "[task_runner]") {
  EngineFixture f(kKeeper);
  REQUIRE(f.interpreter->seed_instances().empty());
  InterpreterTaskRunner runner(*f.interpreter, nullptr);
  const auto next = runner.dynamic_next(*f.program->schedule("Before expiry"));
  CHECK_FALSE(next.at);
  CHECK(next.waiting ==
        "its time cannot be computed yet: CreatedAt and ExpiresIn of K-1 are null, so it does not run until a run sets "
        "them; run it once by hand: K.Refresh on K-1, or add `first run now;` to the schedule");
  CHECK(next.detail.empty());

  // The daemon names its commands.
  InterpreterTaskRunner daemon(*f.interpreter, nullptr, [](const ast::ScheduleDecl& s, const std::string& id) {
    return "flow tasks run k.flow '" + s.name + "' (" + id + ")";
  });
  CHECK_THAT(daemon.dynamic_next(*f.program->schedule("Before expiry")).waiting,
             Catch::EndsWith("run it once by hand: flow tasks run k.flow 'Before expiry' (K-1), or add `first run now;` "
                             "to the schedule"));

  // After a run, the time is known.
  REQUIRE(f.run("K", "Refresh", "K-1").ok);
  CHECK(runner.dynamic_next(*f.program->schedule("Before expiry")).at == f.clock.now() + 55min);
}

TEST_CASE("a dynamic time that fails is an error with its location, secrets masked", "[task_runner]") {
  EngineFixture f(kKeeper);
  REQUIRE(f.interpreter->seed_instances().empty());
  REQUIRE(f.run("K", "Refresh", "K-1").ok);
  InterpreterTaskRunner runner(*f.interpreter, nullptr);
  const auto next = runner.dynamic_next(*f.program->schedule("From the token"));
  CHECK_FALSE(next.at);
  CHECK(next.waiting == "its time cannot be computed, so it does not run");
  CHECK(next.detail ==
        "test.flow:10:42: error: to_number: ••••6789 is not a number\n"
        "  schedule \"From the token\" { at from_unix(to_number(AccessToken)); process K; id \"K-1\"; trigger Refresh; }\n"
        "                                           ^");
}

TEST_CASE("a scheduled run does not read its instance back from the store; a command's run does", "[task_runner]") {
  EngineFixture f(kKeeper);
  REQUIRE(f.interpreter->seed_instances().empty());
  std::optional<RunResult> seen;
  InterpreterTaskRunner runner(*f.interpreter, [&seen](const std::string&, const RunResult& r) { seen = r; });
  std::optional<TaskOutcome> outcome;
  boost::asio::co_spawn(f.io, runner.run_task(*f.program->schedule("Before expiry")),
                        [&outcome](std::exception_ptr, TaskOutcome o) { outcome = o; });
  f.io.run();
  REQUIRE(outcome);
  CHECK(outcome->ok);
  REQUIRE(seen);
  CHECK(seen->saved);
  CHECK(seen->instance.fields.at("ExpiresIn") == Value(3600));  // the daemon's log shows the run's own
  CHECK_FALSE(seen->stored);                                     // the store's copy: not read
  CHECK(f.run("K", "Refresh", "K-1").stored);                    // a command shows it
}

TEST_CASE("a scheduled run that waits for another process's run is told to on_wait, once, with the instance held",
          "[task_runner]") {
  // The run's own instance, or one its `start` rule runs.
  const auto [task, expected] = GENERATE(table<std::string, std::string>({
      {"Before expiry", "Before expiry: K K-1 for K K-1"},
      {"Via start", "Via start: Parent P-1 for K K-1"},
  }));
  EngineFixture f(std::string(kKeeper) + R"(
process Parent { on Go { start K id "K-1" trigger Refresh; } }
instance "P-1" of Parent { }
schedule "Via start" { every 1 minutes; process Parent; id "P-1"; trigger Go; }
)");
  REQUIRE(f.interpreter->seed_instances().empty());
  auto other_process = open_sqlite_store(f.dir.file("flow.db"));  // `flow trigger` beside the daemon
  REQUIRE(other_process->try_lock_instance("K-1"));
  std::vector<std::string> told;
  InterpreterTaskRunner runner(*f.interpreter, nullptr, {}, [&told](const TaskWait& wait) {
    told.push_back(wait.task + ": " + wait.process + " " + wait.id + " for " + wait.held_process + " " + wait.held_id);
  });
  std::optional<TaskOutcome> outcome;
  boost::asio::co_spawn(f.io, runner.run_task(*f.program->schedule(task)),
                        [&outcome](std::exception_ptr, TaskOutcome o) { outcome = o; });
  f.io.run_for(300ms);  // the lock is polled on the real clock
  CHECK_FALSE(outcome);
  CHECK(told == std::vector<std::string>{expected});

  other_process->unlock_instance("K-1");
  f.io.restart();
  f.io.run();
  REQUIRE(outcome);
  CHECK(outcome->ok);
  CHECK(told.size() == 1);
}

namespace {

/// A refresh with two switches, both off when seeded. Down: the provider is
/// down, and the refresh fails before it writes anything (its fields stay null,
/// its instance as it was). Fail: the provider's answer lacks `expires_in`
/// (optional in RFC 6749) and the refresh fails after saving CreatedAt alone;
/// off, it succeeds with CreatedAt alone.
constexpr const char* kRefresh = R"(
process K {
  field CreatedAt datetime;
  field ExpiresIn number;
  field Down boolean = false;
  field Fail boolean = false;
  on Refresh { if Down { fail "HTTP 503"; } set CreatedAt = now(); save; if Fail { fail "HTTP 503"; } }
}
instance "K-1" of K { }
schedule "Before expiry" { at CreatedAt + seconds(ExpiresIn) - 5 minutes; process K; id "K-1"; trigger Refresh; }
schedule "Both" { at CreatedAt + ExpiresIn * 1 second; process K; id "K-1"; trigger Refresh; }
)";

/// Turns kRefresh's switch `name` on in the stored K-1.
void switch_on(EngineFixture& f, const std::string& name) {
  auto instance = *f.store->load_instance("K-1");
  instance.fields[name] = Value(true);
  f.store->save_instance(instance, f.clock.now());
}

}  // namespace

TEST_CASE("a dynamic time still null after a run suggests a default, not a run by hand", "[task_runner]") {
  EngineFixture f(kRefresh);
  REQUIRE(f.interpreter->seed_instances().empty());
  InterpreterTaskRunner runner(*f.interpreter, nullptr);
  REQUIRE(f.run("K", "Refresh", "K-1").ok);  // by hand, as `flow trigger` does: the answer had no expires_in
  CHECK(runner.dynamic_next(*f.program->schedule("Before expiry")).waiting ==
        "its time cannot be computed: ExpiresIn of K-1 is null after its last run (2024-10-04T00:00:00Z), which "
        "succeeded: the answer did not provide it, and another run would get the same; give the expression a "
        "default, e.g. `at CreatedAt + seconds(ExpiresIn ?? 3600) - 5 minutes;`");
  // Where `??`, looser than `+` and `*`, needs them, the default comes in parentheses.
  CHECK_THAT(runner.dynamic_next(*f.program->schedule("Both")).waiting,
             Catch::EndsWith("e.g. `at CreatedAt + (ExpiresIn ?? 3600) * 1 second;`"));

  SECTION("after a failed run, a run by hand may help too") {
    switch_on(f, "Fail");
    f.clock.advance_by(1h);
    REQUIRE_FALSE(f.run("K", "Refresh", "K-1").ok);
    CHECK(runner.dynamic_next(*f.program->schedule("Before expiry")).waiting ==
          "its time cannot be computed: ExpiresIn of K-1 is null after its last run (2024-10-04T01:00:00Z), which "
          "failed: if the answer did not provide it (or gave a value its type refuses), give the expression a "
          "default, e.g. `at CreatedAt + seconds(ExpiresIn ?? 3600) - 5 minutes;`; else run it again by hand once "
          "the failure is mended: K.Refresh on K-1");
  }
}

TEST_CASE("a task waiting for fields reads the run history again only once a run on it ended", "[task_runner]") {
  EngineFixture f(kRefresh);
  REQUIRE(f.interpreter->seed_instances().empty());
  switch_on(f, "Down");
  FillableStore store(*f.store);
  Interpreter interpreter(*f.program, Host{&f.http, &f.clock, &store, &f.functions});
  InterpreterTaskRunner runner(interpreter, nullptr);
  const auto& schedule = *f.program->schedule("Before expiry");
  const std::string never_ran =
      "its time cannot be computed yet: CreatedAt and ExpiresIn of K-1 are null, so it does not run until a run sets "
      "them; run it once by hand: K.Refresh on K-1, or add `first run now;` to the schedule";
  CHECK(runner.dynamic_next(schedule).waiting == never_ran);
  const int reads = store.history_reads;
  CHECK(reads > 0);
  for (int minute = 0; minute < 3; ++minute) {  // the scheduler asks every minute
    f.clock.advance_by(1min);
    CHECK(runner.dynamic_next(schedule).waiting == never_ran);
  }
  CHECK(store.history_reads == reads);

  // A run by hand fails, writing nothing: the same fields are null, and the note changes.
  REQUIRE_FALSE(f.run_on(interpreter, "K", "Refresh", "K-1").ok);
  const int after_run = store.history_reads;
  CHECK(runner.dynamic_next(schedule).waiting ==
        "its time cannot be computed: CreatedAt and ExpiresIn of K-1 are null after its last run "
        "(2024-10-04T00:03:00Z), which failed: if the answer did not provide them (or gave a value their type "
        "refuses), give the expression a default, e.g. `at CreatedAt + seconds(ExpiresIn ?? 3600) - 5 minutes;`; "
        "else run it again by hand once the failure is mended: K.Refresh on K-1");
  CHECK(store.history_reads > after_run);
  const int noted = store.history_reads;
  f.clock.advance_by(1min);
  runner.dynamic_next(schedule);
  CHECK(store.history_reads == noted);
}

TEST_CASE("a task waiting for fields sees a run of another process that wrote its instance", "[task_runner]") {
  EngineFixture f(kRefresh);
  REQUIRE(f.interpreter->seed_instances().empty());
  REQUIRE(f.run("K", "Refresh", "K-1").ok);  // another process: the daemon's interpreter does not see it end
  FillableStore store(*f.store);
  Interpreter daemon(*f.program, Host{&f.http, &f.clock, &store, &f.functions});
  InterpreterTaskRunner runner(daemon, nullptr);
  const auto& schedule = *f.program->schedule("Before expiry");
  CHECK_THAT(runner.dynamic_next(schedule).waiting,
             Catch::StartsWith("its time cannot be computed: ExpiresIn of K-1 is null after its last run "
                               "(2024-10-04T00:00:00Z), which succeeded"));

  switch_on(f, "Fail");
  f.clock.advance_by(1h);
  REQUIRE_FALSE(f.run("K", "Refresh", "K-1").ok);  // it saved CreatedAt, then failed
  CHECK_THAT(runner.dynamic_next(schedule).waiting,
             Catch::StartsWith("its time cannot be computed: ExpiresIn of K-1 is null after its last run "
                               "(2024-10-04T01:00:00Z), which failed"));
}

TEST_CASE("a run by hand is counted in the task's state as the daemon counts its runs; no slot moves",
          "[task_runner]") {
  EngineFixture f(R"(
process K { on Go { save; } }
schedule "Tick" { every 1 days; process K; trigger Go; }
schedule "Once" { once at 2024-10-05T00:00; process K; trigger Go; }
)");
  const TimePoint t0 = f.clock.now();
  // A task no daemon ran: its state is created, with the run as its last.
  count_run_by_hand(*f.store, "Tick", t0, true);
  auto tick = f.store->load_task("Tick");
  REQUIRE(tick);
  CHECK(tick->run_count == 1);
  CHECK(tick->last_run == t0);
  CHECK_FALSE(tick->next_run);
  // A daemon starting later plans as after any run: one interval after it, not at once.
  const auto spec = make_schedule_spec(*f.program->schedule("Tick"));
  const TaskProgress progress{tick->last_run, tick->next_run, tick->run_count, tick->anchor};
  CHECK(plan_start(spec, progress, t0 + 1h).slot == t0 + 24h);
  // A state a daemon saved: the slot it planned, its anchor and paused stay.
  TaskState planned;
  planned.name = "Once";
  planned.next_run = t0 + 24h;
  planned.anchor = t0 - 1h;
  planned.run_count = 4;
  planned.last_run = t0 - 1h;
  planned.paused = true;
  f.store->save_task(planned);
  count_run_by_hand(*f.store, "Once", t0, true);
  const auto once = f.store->load_task("Once");
  REQUIRE(once);
  CHECK(once->run_count == 5);
  CHECK(once->last_run == t0);
  CHECK(once->next_run == t0 + 24h);
  CHECK(once->anchor == t0 - 1h);
  CHECK(once->paused);
  CHECK_FALSE(once->deleted);
  // A later run the daemon recorded meanwhile stays the last.
  count_run_by_hand(*f.store, "Once", t0 - 2h, true);
  CHECK(f.store->load_task("Once")->last_run == t0);
  CHECK(f.store->load_task("Once")->run_count == 6);
}
