// The schedule math of engine/clock_steps: which slots follow a step of the
// clock, a late run, a last run stored ahead of the clock.
#include "engine/clock_steps.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
using flow::TaskProgress;
using flow::TimePoint;
namespace ast = flow::ast;

namespace {

const TimePoint kT0 = TimePoint(date::sys_days(date::year(2026) / 11 / 28)) + 9h;

flow::ScheduleSpec spec_of(ast::ScheduleWhen when) {
  ast::ScheduleDecl decl;
  decl.name = "T";
  decl.when = std::move(when);
  return flow::make_schedule_spec(decl);
}

flow::ScheduleSpec every(std::int64_t count, ast::TimeUnit unit) {
  return spec_of(ast::ScheduleWhen{ast::IntervalWhen{count, unit}, {}});
}

}  // namespace

TEST_CASE("clock steps: elapsed intervals and `at` times move with a step, wall-clock forms do not", "[clock]") {
  CHECK(flow::keeps_elapsed_time(every(20, ast::TimeUnit::seconds)));
  CHECK(flow::keeps_elapsed_time(every(2, ast::TimeUnit::weeks)));
  CHECK(flow::keeps_elapsed_time(spec_of(ast::ScheduleWhen{ast::DynamicWhen{}, {}})));
  CHECK_FALSE(flow::keeps_elapsed_time(every(1, ast::TimeUnit::months)));
  CHECK_FALSE(flow::keeps_elapsed_time(spec_of(ast::ScheduleWhen{ast::CronWhen{"*/5 * * * *", {}}, {}})));
  CHECK_FALSE(flow::keeps_elapsed_time(spec_of(ast::ScheduleWhen{ast::DailyWhen{{}, {6, 30}}, {}})));
}

TEST_CASE("clock steps: a run is late when the slot after its own had come before it began", "[clock]") {
  const auto spec = every(20, ast::TimeUnit::seconds);
  const TaskProgress progress{kT0 - 20s, kT0, 1, kT0 - 20s};
  CHECK_FALSE(flow::began_late(spec, progress, kT0, kT0 + 1s));
  CHECK_FALSE(flow::began_late(spec, progress, kT0, kT0 + 19s));  // late, but its next slot is still ahead
  CHECK(flow::began_late(spec, progress, kT0, kT0 + 20s));
  // With jitter the wake is after the slot: only a start late after the wake counts.
  CHECK_FALSE(flow::began_late(spec, progress, kT0 + 25s, kT0 + 25s));
}

TEST_CASE("clock steps: after a late run an interval counts from it, other forms go on after now", "[clock]") {
  const TaskProgress progress{kT0 - 20s, kT0, 2, kT0 - 20s};
  auto spec = every(20, ast::TimeUnit::seconds);
  spec.on_overlap = ast::OverlapPolicy::queue;
  auto next = flow::plan_after_late_run(spec, progress, kT0 + 305s, kT0 + 305s);
  CHECK(next.slot == kT0 + 325s);
  CHECK(next.anchor == kT0 + 305s);
  CHECK(next.skipped == 15);  // 20 s to 300 s

  auto cron = spec_of(ast::ScheduleWhen{ast::CronWhen{"*/5 * * * *", {}}, {}});
  cron.on_overlap = ast::OverlapPolicy::queue;
  next = flow::plan_after_late_run(cron, TaskProgress{kT0 - 5min, kT0, 2}, kT0 + 62min, kT0 + 62min);
  CHECK(next.slot == kT0 + 65min);
  CHECK(next.skipped == 12);  // 09:05 to 10:00
}

TEST_CASE("clock steps: a last run stored over a minute ahead of now was recorded by a clock that was ahead",
          "[clock]") {
  const auto spec = every(55, ast::TimeUnit::minutes);
  CHECK_FALSE(flow::clock_was_ahead(spec, TaskProgress{kT0 + 60s, kT0 + 56min, 1, kT0 + 60s}, kT0));
  CHECK(flow::clock_was_ahead(spec, TaskProgress{kT0 + 10min, kT0 + 65min, 1, kT0 + 10min}, kT0) == 10min);
  CHECK_FALSE(flow::clock_was_ahead(spec, TaskProgress{std::nullopt, kT0 + 10min, 0, kT0 + 10min}, kT0));
  ast::DateTimeLiteral at;
  at.value = kT0 + 24h;
  at.text = "2026-11-29T09:00:00Z";
  const auto once = spec_of(ast::ScheduleWhen{ast::OnceWhen{at}, {}});
  CHECK_FALSE(flow::clock_was_ahead(once, TaskProgress{kT0 + 24h, std::nullopt, 1}, kT0));  // it ran: no more

  const auto due = flow::due_now(spec, TaskProgress{kT0 + 240h, kT0 + 240h, 3, kT0 + 240h}, kT0);
  CHECK(due.next_run == kT0);
  CHECK(due.anchor == kT0);
  CHECK(due.run_count == 3);
}
