// The scheduler over the real SQLite store: task state written by one daemon
// is what the next daemon (a new connection, as after a crash) resumes from.
#include <catch2/catch.hpp>

#include <filesystem>
#include <random>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/scheduler.hpp"
#include "engine/store/sqlite_store.hpp"
#include "support/fake_clock.hpp"
#include "support/temp_dir.hpp"

namespace asio = boost::asio;
namespace ast = flow::ast;
namespace fs = std::filesystem;
using namespace std::chrono_literals;
using flow::TimePoint;

namespace {

const TimePoint kMorning = TimePoint(date::sys_days(date::year(2026) / 11 / 28)) + 9h;

class CountingRunner final : public flow::TaskRunner {
 public:
  explicit CountingRunner(flow::Clock& clock) : clock_(clock) {}
  asio::awaitable<flow::TaskOutcome> run_task(const ast::ScheduleDecl&) override {
    started.push_back(clock_.now());
    co_return flow::TaskOutcome{true, "", false, false};
  }
  flow::DynamicNext dynamic_next(const ast::ScheduleDecl&) override { return {}; }
  std::vector<TimePoint> started;

 private:
  flow::Clock& clock_;
};

/// Runs one daemon on `store` from the clock's current time to `until`, then stops it.
void run_daemon(flow::Store& store, flow::testing::FakeClock& clock, asio::io_context& io,
                const ast::ScheduleDecl& decl, CountingRunner& runner, TimePoint until) {
  flow::SchedulerOptions options;
  options.jitter = [] { return std::uint64_t{0}; };
  flow::Scheduler scheduler(clock, store, {&decl}, runner, options);
  bool done = false;
  std::exception_ptr error;
  asio::co_spawn(io, scheduler.run(), [&](std::exception_ptr e) {
    done = true;
    error = e;
  });
  flow::testing::advance_in_steps(io, clock, until);
  scheduler.stop();
  io.restart();
  io.poll();
  REQUIRE(done);
  REQUIRE_FALSE(error);
}

/// The daemon's first run of "Refresh access token" at kMorning, and its plan.
flow::TaskUpdate first_planned_run() {
  flow::TaskUpdate planned;
  planned.name = "Refresh access token";
  planned.new_runs = 1;
  planned.last_run = kMorning;
  planned.plan = true;
  planned.next_run = kMorning + 55min;
  planned.anchor = kMorning;
  return planned;
}

}  // namespace

TEST_CASE("scheduler over SQLite: a restarted daemon resumes the persisted schedule", "[store][scheduler]") {
  const flow::testing::TempDir dir;
  const std::string path = dir.file("flow.db");
  asio::io_context io;
  flow::testing::FakeClock clock(io.get_executor(), kMorning);
  CountingRunner runner(clock);
  ast::ScheduleDecl decl;
  decl.name = "Refresh access token";
  decl.when = ast::ScheduleWhen{ast::IntervalWhen{55, ast::TimeUnit::minutes}, {}};

  {
    auto store = flow::open_sqlite_store(path);
    run_daemon(*store, clock, io, decl, runner, kMorning + 60min);
  }
  {
    auto store = flow::open_sqlite_store(path);  // "after a crash": a fresh connection
    auto state = store->load_task("Refresh access token");
    REQUIRE(state);
    CHECK(state->run_count == 2);
    CHECK(state->last_run == kMorning + 55min);
    CHECK(state->next_run == kMorning + 110min);
    clock.advance_to(kMorning + 100min);
    run_daemon(*store, clock, io, decl, runner, kMorning + 170min);
    CHECK(store->load_task("Refresh access token")->run_count == 4);
  }
  CHECK(runner.started == std::vector<TimePoint>{kMorning, kMorning + 55min, kMorning + 110min, kMorning + 165min});
}

TEST_CASE("sqlite store: update_task adds runs to the count stored then, and keeps what it does not write",
          "[store][scheduler]") {
  const flow::testing::TempDir dir;
  const std::string path = dir.file("flow.db");
  auto daemon = flow::open_sqlite_store(path);
  auto hand = flow::open_sqlite_store(path);  // `flow tasks run` in another process

  const flow::TaskUpdate planned = first_planned_run();
  daemon->update_task(planned);

  flow::TaskUpdate by_hand;  // a run by hand: counted, its slot left as planned
  by_hand.name = planned.name;
  by_hand.new_runs = 1;
  by_hand.last_run = kMorning + 10min;
  by_hand.later_only = true;
  hand->update_task(by_hand);
  flow::TaskUpdate pause;  // an admin's pause meanwhile
  pause.name = planned.name;
  pause.paused = true;
  hand->update_task(pause);

  flow::TaskUpdate later = planned;  // the daemon's next two runs, written in one go (its saves had failed)
  later.new_runs = 2;
  later.last_run = kMorning + 110min;
  later.next_run = kMorning + 165min;
  daemon->update_task(later);
  auto state = *daemon->load_task(planned.name);
  CHECK(state.run_count == 4);
  CHECK(state.last_run == kMorning + 110min);
  CHECK(state.next_run == kMorning + 165min);
  CHECK(state.anchor == kMorning);
  CHECK(state.paused);

  by_hand.last_run = kMorning + 100min;  // a run by hand that began before the daemon's last: counted, not last
  hand->update_task(by_hand);
  state = *daemon->load_task(planned.name);
  CHECK(state.run_count == 5);
  CHECK(state.last_run == kMorning + 110min);
  CHECK(state.next_run == kMorning + 165min);
}

TEST_CASE("sqlite store: an admin's change (flow tasks pause|resume|delete) keeps the runs a daemon counted "
          "since the admin read the task", "[store][scheduler]") {
  const flow::testing::TempDir dir;
  const std::string path = dir.file("flow.db");
  auto daemon = flow::open_sqlite_store(path);
  auto admin = flow::open_sqlite_store(path);  // `flow tasks pause` in another process

  flow::TaskUpdate counted = first_planned_run();
  daemon->update_task(counted);

  // The admin command reads the task first (does the store know it?), then
  // changes it; the daemon counts two more runs in between.
  REQUIRE(admin->load_task(counted.name)->run_count == 1);
  counted.new_runs = 2;
  counted.last_run = kMorning + 55min;
  counted.next_run = kMorning + 110min;
  daemon->update_task(counted);
  flow::TaskUpdate change;
  change.name = counted.name;
  change.paused = true;
  const auto paused = admin->update_task(change);
  CHECK(paused.run_count == 3);
  CHECK(paused.last_run == kMorning + 55min);
  CHECK(paused.next_run == kMorning + 110min);
  CHECK(paused.anchor == kMorning);
  CHECK(paused.paused);
  CHECK_FALSE(paused.deleted);
  CHECK(daemon->load_task(counted.name)->run_count == 3);

  daemon->update_task(counted);  // a run the daemon began before the pause, counted after it
  change.paused.reset();
  change.deleted = true;
  const auto deleted = admin->update_task(change);
  CHECK(deleted.run_count == 5);
  CHECK(deleted.paused);  // left as stored
  CHECK(deleted.deleted);

  daemon->update_task(counted);
  change.paused = change.deleted = false;  // resume
  const auto resumed = admin->update_task(change);
  CHECK(resumed.run_count == 7);
  CHECK_FALSE(resumed.paused);
  CHECK_FALSE(resumed.deleted);
  CHECK(resumed.next_run == kMorning + 110min);
  const auto stored = daemon->load_task(counted.name);
  CHECK(stored->run_count == 7);
  CHECK_FALSE(stored->paused);
  CHECK_FALSE(stored->deleted);
}
