#pragma once
// Schedule math, pure: no clock, no I/O, no Asio. Given a schedule, its time
// zone, the previous slot and "now", it says when the task fires next. The
// scheduler (engine/scheduler.*) does the sleeping and the persisting.
//
// Vocabulary: a *slot* is the time a schedule says a run is due (before
// jitter). The scheduler persists slots as TaskState::next_run, so interval
// schedules step from slot to slot without drifting by run durations.
//
// Decisions, in one place:
// - Intervals count elapsed time (`every 25 hours` is 25 real hours across a
//   DST change); `every N months` counts calendar months in the zone, keeping
//   the wall-clock time and clamping the day to the month's end (Jan 31 ->
//   Feb 28), stepping from the previous slot.
// - A task that never ran: an interval fires at once (a fresh token keeper
//   refreshes at start-up); wall-clock schedules fire at their next slot.
// - Wall-clock times (daily, monthly, cron, once/expires without an offset)
//   are read in the schedule's zone (default UTC). A local time that does not
//   exist (spring-forward gap) is shifted forward by the gap's length (01:30 in
//   Dublin's 01:00->02:00 gap fires at 02:30 IST); an ambiguous one (autumn)
//   takes its first occurrence.
// - `every month on day N`: months without day N are skipped (like cron), so
//   day 31 fires only in 31-day months.
// - `every hour at minute M` counts elapsed hours: in an autumn repeated hour
//   it fires twice, as the hours really pass.
// - Cron: 5 fields with `*`, `*/n`, `a-b`, `a-b/n`, lists, month and weekday
//   names (short or full, any case: jan, January, SUN), weekday 7 = Sunday,
//   @hourly/@daily/@weekly/@monthly/@yearly. When both day-of-month and
//   day-of-week are restricted (neither starts with `*`), a day matches
//   either (the standard cron OR rule).
// - Expiry: no slot at or after `expires T`; none once `after N runs` is reached.
// - Jitter delays a slot by a uniform [0, jitter] offset, never advances it.

#include <bitset>
#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <variant>

#include <date/tz.h>

#include "engine/value.hpp"
#include "grammar/ast.hpp"

namespace flow {

/// A schedule that can never work (unknown zone, bad cron, day 32). The checker
/// reports it at the schedule's range; the scheduler refuses to start it.
class ScheduleError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A parsed cron expression: the set of allowed values per field.
struct CronSpec {
  std::bitset<60> minutes;
  std::bitset<24> hours;
  std::bitset<32> days;       // 1..31
  std::bitset<13> months;     // 1..12
  std::bitset<7> weekdays;    // 0 = Sunday
  bool days_restricted = false;      // day-of-month field does not start with '*'
  bool weekdays_restricted = false;  // day-of-week field does not start with '*'
};

/// Parses a 5-field cron expression; throws ScheduleError with a precise message.
CronSpec parse_cron(std::string_view expression);

/// `every N unit`: elapsed time, or calendar months.
struct IntervalSpec {
  Duration elapsed{0};
  int months = 0;
};
/// `once at T`.
struct OnceSpec {
  TimePoint at;
};
/// `at EXPR`: the interpreter evaluates EXPR; slots come in as `dynamic_at`.
struct DynamicSpec {};

/// The validated timing of one schedule.
struct ScheduleSpec {
  using When = std::variant<IntervalSpec, ast::DailyWhen, ast::MonthlyWhen, ast::HourlyWhen, CronSpec,
                            OnceSpec, DynamicSpec>;
  When when;
  const date::time_zone* zone = nullptr;  // never null after make_schedule_spec
  std::optional<TimePoint> expires_at;
  std::optional<std::int64_t> expires_after_runs;
  ast::OverlapPolicy on_overlap = ast::OverlapPolicy::skip;
  ast::MissedPolicy on_missed = ast::MissedPolicy::run_once;
  int retry_times = 0;
  Duration retry_backoff{0};
  Duration jitter{0};
  /// A dynamic schedule never fires sooner than this after a run, so an
  /// expression that stays in the past (a refresh that keeps failing) cannot
  /// spin the daemon.
  Duration dynamic_min_gap = std::chrono::minutes(1);
};

/// Validates and resolves a declaration (zone lookup, cron parsing, ranges).
/// Throws ScheduleError; the message names the problem, not the location.
ScheduleSpec make_schedule_spec(const ast::ScheduleDecl& decl);

/// The first slot strictly after `after`, ignoring expiry. Interval schedules
/// step from `anchor` (the previous slot: anchor + k * interval; `after` when
/// absent); the others ignore it. Dynamic schedules have no slots of their own
/// (nullopt).
std::optional<TimePoint> slot_after(const ScheduleSpec& spec, TimePoint after,
                                    std::optional<TimePoint> anchor = std::nullopt);

/// `slot` unless the schedule has expired by then (at/after `expires`, or
/// `run_count` reached `expires after N runs`).
std::optional<TimePoint> within_expiry(const ScheduleSpec& spec, std::optional<TimePoint> slot,
                                       std::int64_t run_count);

/// What a task does next: sleep until `slot` (at once when it is not in the
/// future), or nothing when `slot` is empty (finished or expired).
struct NextSlot {
  std::optional<TimePoint> slot;
  std::int64_t skipped = 0;  // slots passed over (on_missed/on_overlap skip)
  bool missed = false;       // the persisted slot passed while the daemon was down
};

/// Persisted task state as the schedule math needs it.
struct TaskProgress {
  std::optional<TimePoint> last_run;
  std::optional<TimePoint> next_run;  // the persisted slot
  std::int64_t run_count = 0;
};

/// At daemon start: resume from the persisted slot. A persisted future slot
/// this schedule could not have produced (the file was edited: `every 1 day`
/// became `every 55 minutes`) is replanned from the last run. A slot in the past was
/// missed: on_missed run_once runs once now (the slot becomes `now`, so an
/// interval re-anchors there); skip moves to the first future slot. A dynamic
/// schedule always takes `dynamic_at` (a due one runs now whatever on_missed
/// says: its next slot only moves after a run).
NextSlot plan_start(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now,
                    std::optional<TimePoint> dynamic_at = std::nullopt);

/// After the run of `slot` (run_count already incremented) ended at `now`.
/// When the run overran later slots, on_overlap decides: queue runs once more
/// at once (the overrun slots coalesce into one run, at the latest of them, so
/// an interval keeps its grid); skip moves to the first future slot and counts
/// the slots passed over.
NextSlot plan_after_run(const ScheduleSpec& spec, TimePoint slot, TimePoint now, std::int64_t run_count,
                        std::optional<TimePoint> dynamic_at = std::nullopt);

/// Random bits for jitter; tests inject a fixed sequence.
using JitterSource = std::function<std::uint64_t()>;

/// `slot` delayed by a uniform offset in [0, jitter] drawn from `source`.
TimePoint apply_jitter(TimePoint slot, Duration jitter, const JitterSource& source);

/// The backoff before retry number `attempt` (1-based): backoff * 2^(attempt-1).
Duration retry_delay(const ScheduleSpec& spec, int attempt);

/// Local wall-clock time `local` in `zone`, with the gap/overlap rules above.
TimePoint resolve_local(const date::time_zone* zone, date::local_time<Duration> local);

}  // namespace flow
