#include "engine/clock_steps.hpp"

#include <variant>

namespace flow {

namespace {

bool is_elapsed_interval(const ScheduleSpec& spec) {
  const auto* interval = std::get_if<IntervalSpec>(&spec.when);
  return interval && interval->months == 0;
}

}  // namespace

ClockWatch::ClockWatch(const Clock& clock) : clock_(&clock), wall_(clock.now()), steady_(clock.steady()) {}

Duration ClockWatch::observe() {
  const TimePoint wall = clock_->now();
  const Duration steady = clock_->steady();
  const Duration step = (wall - wall_) - (steady - steady_);
  wall_ = wall;
  steady_ = steady;
  if (step >= -kClockStepTolerance && step <= kClockStepTolerance) return Duration(0);
  total_ += step;
  return step;
}

bool keeps_elapsed_time(const ScheduleSpec& spec) {
  return is_elapsed_interval(spec) || std::holds_alternative<DynamicSpec>(spec.when);
}

TaskProgress moved_by(TaskProgress progress, Duration by) {
  if (progress.next_run) progress.next_run = *progress.next_run + by;
  if (progress.anchor) progress.anchor = *progress.anchor + by;
  return progress;
}

bool began_late(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint wake, TimePoint started) {
  // A run begins within moments of its wake; this much later, something held it up.
  if (!progress.next_run || started - wake <= kClockStepTolerance) return false;
  const auto following = slot_after(spec, *progress.next_run, progress.anchor);
  return following && *following <= started;
}

NextSlot plan_after_late_run(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint started,
                             TimePoint now) {
  ScheduleSpec skipping = spec;
  skipping.on_overlap = ast::OverlapPolicy::skip;  // the late run stood for the slots passed
  NextSlot next = plan_after_run(skipping, progress, now);
  if (!is_elapsed_interval(spec)) return next;
  TaskProgress from_run = progress;
  from_run.next_run = started;
  from_run.anchor = started;
  NextSlot counted = plan_after_run(spec, from_run, now);
  counted.skipped += next.skipped;
  return counted;
}

std::optional<Duration> clock_was_ahead(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now) {
  if (std::holds_alternative<OnceSpec>(spec.when) || !progress.last_run) return std::nullopt;
  const Duration ahead = *progress.last_run - now;
  if (ahead <= kClockAheadTolerance) return std::nullopt;
  return ahead;
}

TaskProgress due_now(const ScheduleSpec& spec, TaskProgress progress, TimePoint now) {
  progress.next_run = now;
  if (std::holds_alternative<IntervalSpec>(spec.when)) progress.anchor = now;
  return progress;
}

}  // namespace flow
