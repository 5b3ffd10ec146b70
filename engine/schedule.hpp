#pragma once
// Schedule math, pure: no clock, no I/O, no Asio. Given a schedule, its time
// zone, the previous slot and "now", it says when the task fires next. The
// scheduler (engine/scheduler.*) does the sleeping and the persisting.
//
// Vocabulary: a *slot* is the time a schedule says a run is due (before
// jitter). The scheduler persists slots as TaskState::next_run, and for an
// interval schedule its *anchor*, the first slot of its grid: slot k is
// anchor + k intervals, computed from the anchor, never from the previous
// slot, so neither run durations nor clamped month ends make it drift.
//
// Decisions, in one place:
// - Intervals of seconds to weeks count elapsed time (`every 25 hours` is 25
//   real hours across a DST change, `every 1 day` 24 hours: in a zone with DST
//   its wall-clock time moves by the shift; `every day at` keeps it).
//   `every N months` counts calendar months in the zone: slot k is k * N
//   months after the anchor, at the anchor's wall-clock time, the anchor's
//   day clamped to the month's end (Jan 31 -> Feb 28 -> Mar 31 -> Apr 30).
// - A task that never ran: an interval fires at once (a fresh token keeper
//   refreshes at start-up) and that slot is its anchor; wall-clock schedules
//   fire at their next slot. A `once at` time already past when the schedule
//   is first planned never runs: nothing was missed, it was written too late.
// - A missed slot (the daemon was down) with on_missed run_once runs once at
//   start-up: an elapsed interval re-anchors at that run; a month interval,
//   like the wall-clock forms, keeps its dates.
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
struct DynamicSpec {
  bool first_run_now = false;  // `first run now;`: a task that never ran runs at once, whatever EXPR gives
};

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

/// Why a dynamic time was moved later (NextSlot::anchor), as the log and
/// `tasks list` say it.
inline constexpr const char* kOneRunAMinute = "at most one run a minute";

/// Why `first run now;` is refused on a schedule whose time is not `at EXPR`.
/// Further away than this, a time is more likely a mistake (a year mistyped,
/// a duration read in the wrong unit) than a plan: `flow check` warns about a
/// `once at` beyond it, the daemon about a dynamic time.
inline constexpr auto kFarthestPlausible = std::chrono::duration_cast<Duration>(std::chrono::years(100));

inline constexpr const char* kFirstRunNowOnlyAt =
    "`first run now` is for a dynamic time (`at`): an `every` task runs at once already, and a calendar "
    "schedule waits for its slot";

/// Validates and resolves a declaration (zone lookup, cron parsing, ranges).
/// Throws ScheduleError; the message names the problem, not the location.
ScheduleSpec make_schedule_spec(const ast::ScheduleDecl& decl);

/// The first slot strictly after `after`, ignoring expiry. Interval schedules
/// count from `anchor`, the first slot of their grid (anchor + k intervals,
/// k >= 0; `after` when absent); the others ignore it. Dynamic schedules have
/// no slots of their own (nullopt).
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
  std::int64_t skipped = 0;         // slots passed over (on_missed/on_overlap skip)
  std::optional<TimePoint> missed;  // the first slot that passed while the daemon was down
  /// Persisted with `slot`. Interval schedules: the grid's first slot. A
  /// dynamic schedule: the time its expression gave, when dynamic_min_gap
  /// moved `slot` later than it (a short token lifetime is outlived: say so).
  std::optional<TimePoint> anchor;
  /// A `once at` time that had passed before any daemon planned it: it never runs.
  bool once_already_past = false;
};

/// Persisted task state as the schedule math needs it.
struct TaskProgress {
  std::optional<TimePoint> last_run;
  std::optional<TimePoint> next_run;  // the persisted slot
  std::int64_t run_count = 0;
  std::optional<TimePoint> anchor{};  // the persisted NextSlot::anchor
};

/// Whether `first run now;` makes the task's next run now: it never ran.
bool runs_first_now(const ScheduleSpec& spec, const TaskProgress& progress);

/// At daemon start: resume from the persisted slot. A persisted future slot
/// this schedule could not have produced (the file was edited: `every 1 day`
/// became `every 55 minutes`) is replanned from the last run, which anchors
/// the new grid. A slot in the past was missed: on_missed run_once runs once
/// now (the slot becomes `now`; an elapsed interval re-anchors there, a month
/// interval keeps its anchor); skip moves to the first future slot. A `once`
/// already past when first planned has no slot (once_already_past). A dynamic
/// schedule always takes `dynamic_at` (a due one runs now whatever on_missed
/// says: its next slot only moves after a run). Without a persisted anchor (a
/// store from before anchors) an interval takes the persisted slot as one.
NextSlot plan_start(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now,
                    std::optional<TimePoint> dynamic_at = std::nullopt);

/// After a run ended at `now`: `progress` is the task's state with the slot
/// that ran as next_run and run_count already incremented. When the run
/// overran later slots, on_overlap decides: queue runs once more at once (the
/// overrun slots coalesce into one run, at the latest of them, so an interval
/// keeps its grid); skip moves to the first future slot and counts the slots
/// passed over. The anchor is kept. A dynamic schedule runs at `dynamic_at`,
/// never sooner than dynamic_min_gap after `now` (its anchor then says the
/// time it was moved from).
NextSlot plan_after_run(const ScheduleSpec& spec, const TaskProgress& progress, TimePoint now,
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
