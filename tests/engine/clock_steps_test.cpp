// The schedule math of engine/clock_steps: which slots follow a step of the clock.
#include "engine/clock_steps.hpp"

#include <catch2/catch.hpp>

using namespace std::chrono_literals;
namespace ast = flow::ast;

namespace {

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
