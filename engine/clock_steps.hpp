#pragma once
// When the wall clock is set (stepped) or time passes unseen (a suspend): what
// the schedules do. The scheduler (engine/scheduler.*) watches the clocks with
// a ClockWatch and plans with the functions here, which are pure, like
// engine/schedule.*.
//
// Decisions, in one place:
// - A step is a move of the wall clock apart from steady time by more than
//   kClockStepTolerance between two readings. The daemon logs it once.
// - A step back moves the pending slots that count elapsed time back with it
//   (intervals of seconds to weeks, and `at` times, which this process
//   computed from times it read on the wall clock): `every 20 seconds` still
//   comes 20 s after the previous slot, not 20 s plus the step. Wall-clock
//   forms (`every day at`, months, cron, `once at`) keep their wall time.
// - A step forward moves nothing: it cannot be told from time that really
//   passed (a frozen virtual machine whose clock was then corrected), and an
//   early refresh is harmless where a late one is an outage. A slot it passed
//   is due at once (a late run, below, when it passed the next one too).
// - A late run, one that begins after the slot following its own had come
//   too (a step forward, a suspend, a busy machine), stands for every slot
//   passed: an elapsed interval counts from it (as after a slot missed while
//   the daemon was down), the other forms go on at their first slot after
//   now. No slot was overrun by the run itself, and the log says so.
// - At start-up, a last run stored more than kClockAheadTolerance after now
//   was recorded by a clock that was ahead and has been set back since: its
//   slots are from that clock too. The task runs at once (an extra refresh is
//   harmless; waiting out the clock's error is an outage) and an interval is
//   counted from that run.

#include <optional>

#include "engine/clock.hpp"
#include "engine/schedule.hpp"

namespace flow {

/// How far after now a stored last run must be to count as recorded by a
/// clock that was ahead (less is an ordinary small correction).
inline constexpr Duration kClockAheadTolerance = std::chrono::minutes(1);

/// Reads the wall clock and steady time together and adds up the steps of the
/// wall clock between readings.
class ClockWatch {
 public:
  explicit ClockWatch(const Clock& clock);
  /// Reads both clocks: the step since the last reading (back: negative), or
  /// zero when they moved alike within kClockStepTolerance. Added to total().
  Duration observe();
  /// Every step observed so far, added up (back: negative).
  Duration total() const { return total_; }

 private:
  const Clock* clock_;
  TimePoint wall_;
  Duration steady_;
  Duration total_{0};
};

/// Whether a schedule's slots count elapsed time, and so move with a step of
/// the wall clock: intervals of seconds to weeks, and `at` times.
bool keeps_elapsed_time(const ScheduleSpec& spec);

/// `progress` with its slot and an interval's anchor moved by `by`.
TaskProgress moved_by(TaskProgress progress, Duration by);

/// Whether a run woken at `wake` for the slot `progress.next_run`, begun at
/// `started`, began late: after the slot following its own had come too.
bool began_late(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint wake, TimePoint started);

/// plan_after_run for a late run begun at `started` (see began_late): the slots
/// passed are skipped (counted), whatever on_overlap says; an elapsed interval
/// counts from `started`.
NextSlot plan_after_late_run(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint started,
                             TimePoint now);

/// How far after `now` the task's stored last run is, when that is more than
/// kClockAheadTolerance (`once` aside: it ran, and runs no more).
std::optional<Duration> clock_was_ahead(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now);

/// The progress to plan from at start-up when the clock was ahead: a slot due
/// now, and an interval's grid anchored there.
TaskProgress due_now(const ScheduleSpec& spec, TaskProgress progress, TimePoint now);

}  // namespace flow
