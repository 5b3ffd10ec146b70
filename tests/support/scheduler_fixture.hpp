#pragma once
// What the scheduler's tests share: the in-memory task store (task_store.hpp), a runner with
// scripted outcomes and dynamic times, the scheduler's log, and a daemon over
// them on one io_context with virtual time.

#include <catch2/catch.hpp>

#include <algorithm>
#include <deque>
#include <map>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>

#include "engine/scheduler.hpp"
#include "support/fake_clock.hpp"
#include "support/task_store.hpp"

namespace flow::testing::scheduling {

namespace asio = boost::asio;
namespace ast = flow::ast;
using namespace std::chrono_literals;
using flow::TaskOutcome;
using flow::TimePoint;

inline const TimePoint kT0 = TimePoint(date::sys_days(date::year(2026) / 11 / 28)) + 9h;

using flow::testing::TaskStore;

/// Records when it ran; answers with scripted outcomes; may take virtual time.
class FakeRunner final : public flow::TaskRunner {
 public:
  explicit FakeRunner(FakeClock& clock) : clock_(clock) {}

  asio::awaitable<TaskOutcome> run_task(const ast::ScheduleDecl& schedule) override {
    started.push_back(clock_.now());
    names.push_back(schedule.name);
    TaskOutcome outcome{true, "", false, false};
    if (!outcomes.empty()) {
      outcome = outcomes.front();
      outcomes.pop_front();
    }
    if (dynamic_after_run) dynamic = clock_.now() + *dynamic_after_run;
    if (run_time > 0ms) co_await clock_.sleep_until(clock_.now() + run_time);
    finished.push_back(clock_.now());
    if (throw_foreign) throw 42;  // not a std::exception: must reach run()'s caller
    if (!outcome.ok && outcome.message == "throw") throw std::runtime_error("boom");
    co_return outcome;
  }

  flow::DynamicNext dynamic_next(const ast::ScheduleDecl&) override {
    ++dynamic_asked;
    if (dynamic) return {dynamic, "", "", revision};
    return {std::nullopt, waiting, waiting_detail, revision};
  }

  std::vector<TimePoint> started;
  std::vector<TimePoint> finished;
  std::vector<std::string> names;
  std::deque<TaskOutcome> outcomes;
  flow::Duration run_time{0};
  std::optional<TimePoint> dynamic;
  std::optional<flow::Duration> dynamic_after_run;  // a run moves `dynamic` to its start + this
  std::string waiting = "ExpiresIn is null";        // why there is no `dynamic` time
  std::string waiting_detail;
  std::optional<std::int64_t> revision;  // of the instance `dynamic` is computed from: a write moves it
  int dynamic_asked = 0;
  bool throw_foreign = false;

 private:
  FakeClock& clock_;
};

/// The scheduler's log lines, as a test reads them.
struct Log {
  flow::SchedulerOptions options() {
    flow::SchedulerOptions options;
    options.log = [this](const std::string& line) { lines.push_back(line); };
    return options;
  }
  bool has(const std::string& part) const {
    return std::any_of(lines.begin(), lines.end(), [&](const auto& line) { return line.find(part) != line.npos; });
  }
  std::vector<std::string> lines;
};

inline ast::ScheduleDecl every(std::int64_t count, ast::TimeUnit unit, std::string name = "Refresh access token") {
  ast::ScheduleDecl decl;
  decl.name = std::move(name);
  decl.when = ast::ScheduleWhen{ast::IntervalWhen{count, unit}, {}};
  return decl;
}

/// A dynamic schedule (`at EXPR`): its time is what the runner's dynamic_next says.
inline ast::ScheduleDecl dynamic_at(std::string name = "Before expiry") {
  ast::ScheduleDecl decl;
  decl.name = std::move(name);
  decl.when = ast::ScheduleWhen{ast::DynamicWhen{}, {}};
  return decl;
}

inline std::vector<TimePoint> times(std::initializer_list<flow::Duration> offsets) {
  std::vector<TimePoint> result;
  for (auto offset : offsets) result.push_back(kT0 + offset);
  return result;
}

/// One daemon: a scheduler over a shared store, run on the test's io_context.
struct Daemon {
  Daemon(asio::io_context& io, FakeClock& clock, TaskStore& store, std::vector<const ast::ScheduleDecl*> decls,
         FakeRunner& runner, flow::SchedulerOptions options = {})
      : scheduler(clock, store, std::move(decls), runner, with_fixed_jitter(std::move(options))) {
    asio::co_spawn(io, scheduler.run(), [this](std::exception_ptr e) {
      done = true;
      error = e;
    });
  }
  static flow::SchedulerOptions with_fixed_jitter(flow::SchedulerOptions options) {
    if (!options.jitter) options.jitter = [] { return std::uint64_t{0}; };
    return options;
  }

  flow::Scheduler scheduler;
  bool done = false;
  std::exception_ptr error;
};

/// What every scheduler test starts from: virtual time at kT0, an empty task
/// store, a runner that has not run yet and an empty log, all on one io_context.
struct Scheduled {
  /// A daemon over `decls` on this fixture; what it logs goes to `log` unless
  /// `options` has a log of its own.
  Daemon start(std::vector<const ast::ScheduleDecl*> decls, flow::SchedulerOptions options = {}) {
    if (!options.log) options.log = log.options().log;
    return Daemon(io, clock, store, std::move(decls), runner, std::move(options));
  }

  asio::io_context io;
  FakeClock clock{io.get_executor(), kT0};
  TaskStore store;
  FakeRunner runner{clock};
  Log log;
};

inline void stop_and_drain(asio::io_context& io, Daemon& daemon) {
  daemon.scheduler.stop();
  io.restart();
  io.poll();
  REQUIRE(daemon.done);
  REQUIRE_FALSE(daemon.error);
}

}  // namespace flow::testing::scheduling
