#include "engine/scheduler.hpp"

#include <algorithm>
#include <random>
#include <utility>

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "engine/clock_steps.hpp"

namespace flow {

namespace asio = boost::asio;

struct Scheduler::Task {
  const ast::ScheduleDecl* decl;
  ScheduleSpec spec;
  TaskStats stats;
  TaskState state;       // as last read, planned or run: the store's copy lags while `unsaved`
  bool unsaved = false;  // the last save failed; the next one retries it
  std::int64_t uncounted = 0;  // runs in state.run_count the store has not counted yet (saves failed)
  std::string waiting;   // a dynamic time's last logged reason for having none (empty: it had one)
  /// A paused dynamic task: what it last passed over, as logged (its first
  /// run, or its time); empty once it runs. Its slot is asked again every
  /// minute while paused, and one time passed over is one line, not one a minute.
  std::string passed_over;
  std::optional<TimePoint> dynamic_time;  // the runner's last dynamic time for it
  std::optional<std::int64_t> dynamic_revision;  // and the instance revision it came from
  std::uint64_t written_seen = 0;  // Scheduler::writes_told_ at its last poll
  std::optional<TimePoint> far_noted;     // the implausibly far dynamic time last logged
  Duration steps_seen{0};  // the clock's steps (ClockWatch::total) its planned slot already follows

  /// Its slot was computed from its instance (`at EXPR`, read when planned):
  /// not `first run now`'s, nor one planned while the instance could not be read.
  bool slot_reads_instance() const {
    return std::holds_alternative<DynamicSpec>(spec.when) && dynamic_revision.has_value();
  }
};

namespace {

JitterSource default_jitter() {
  auto engine = std::make_shared<std::mt19937_64>(std::random_device{}());
  return [engine] { return (*engine)(); };
}

TaskProgress progress_of(const TaskState& state) {
  return {state.last_run, state.next_run, state.run_count, state.anchor};
}

/// What a loop does when its state cannot be read once it has planned.
constexpr std::string_view kGoingOn = "going on with the state this daemon holds";

/// "retry 2 of 3": how the log names a retry.
std::string retry_name(const ScheduleSpec& spec, int number) {
  return "retry " + std::to_string(number) + " of " + std::to_string(spec.retry_times);
}

/// "retry 2 of 3, due at T": a pending retry, as the log names it.
std::string retry_text(const ScheduleSpec& spec, const PendingRetry& retry) {
  return retry_name(spec, retry.number) + ", due at " + format_iso(retry.at);
}

/// What the log says of a pending retry when the daemon stops before it runs.
std::string kept_text(const ScheduleSpec& spec, const PendingRetry& retry) {
  return retry_text(spec, retry) + ", is kept for the next start: the daemon is stopping";
}

/// Whether a run that ended with `outcome` is retried, as retry `number`.
bool retried(const ScheduleSpec& spec, const TaskOutcome& outcome, int number) {
  return !outcome.ok && !outcome.stopped && outcome.transient && number <= spec.retry_times;
}

std::string when_text(std::optional<TimePoint> slot) {
  return slot ? format_iso(*slot) : std::string("never");
}

/// A clock's step or a delay for the log, to the second: 3m, 10d.
std::string rounded(Duration d) {
  return format_duration(std::chrono::round<std::chrono::seconds>(d < Duration(0) ? -d : d));
}

}  // namespace

Scheduler::Scheduler(Clock& clock, Store& store, std::vector<const ast::ScheduleDecl*> schedules,
                     TaskRunner& runner, SchedulerOptions options)
    : clock_(clock), store_(store), runner_(runner), options_(std::move(options)), watch_(clock) {
  if (!options_.jitter) options_.jitter = default_jitter();
  for (const auto* decl : schedules) {
    // Task state is keyed by name: two loops must never share it.
    if (std::any_of(tasks_.begin(), tasks_.end(), [&](const auto& t) { return t->decl->name == decl->name; })) {
      throw ScheduleError("schedule \"" + decl->name + "\": another schedule has the same name");
    }
    try {
      auto task =
          std::make_unique<Task>(Task{decl, make_schedule_spec(*decl), {}, {}, false, 0, {}, {}, {}, {}, {}, {}});
      task->state.name = decl->name;
      tasks_.push_back(std::move(task));
    } catch (const ScheduleError& e) {
      throw ScheduleError("schedule \"" + decl->name + "\": " + e.what());
    }
  }
}

Scheduler::~Scheduler() = default;

asio::awaitable<void> Scheduler::run() {
  auto executor = co_await asio::this_coro::executor;
  watch_ = ClockWatch(clock_);  // steps count from here
  // Signalled (cancelled) when the last loop has exited.
  asio::steady_timer all_done(executor, asio::steady_timer::time_point::max());
  std::size_t remaining = tasks_.size();
  for (auto& task : tasks_) {
    asio::co_spawn(executor, task_loop(task.get()), [this, &remaining, &all_done](std::exception_ptr error) {
      if (error && !first_error_) {
        first_error_ = error;
        stop();
      }
      if (--remaining == 0) all_done.cancel();
    });
  }
  if (remaining > 0) co_await all_done.async_wait(asio::as_tuple(asio::use_awaitable));
  if (first_error_) std::rethrow_exception(first_error_);
}

void Scheduler::stop() {
  stopping_ = true;
  clock_.cancel_all();
}

void Scheduler::instances_written() {
  ++writes_told_;
  clock_.cancel_all();  // every sleeper reads the time again and sleeps on: only wait_for_slot reads on
}

TaskStats Scheduler::stats(const std::string& task) const {
  for (const auto& t : tasks_) {
    if (t->decl->name == task) return t->stats;
  }
  return {};
}

void Scheduler::note(const Task& task, const std::string& message) const {
  if (options_.log) options_.log("task \"" + task.decl->name + "\": " + message);
}

void Scheduler::note_deleted(const Task& task) const {
  // `flow tasks resume` undeletes it in the store, but this daemon's loop for it has ended.
  note(task, "deleted (flow tasks delete); it runs no more: flow tasks resume '" + task.decl->name +
                 "' FILE... brings it back, from the daemon's next start");
}

bool Scheduler::refresh_state(Task& task, std::string_view otherwise) {
  std::optional<TaskState> stored;
  try {
    stored = store_.load_task(task.decl->name);
  } catch (const StoreError& e) {
    note(task, std::string("cannot read its state: ") + e.what() + "; " + std::string(otherwise));
    return false;
  }
  if (!stored) return true;  // never saved: the state this daemon holds is all there is
  if (task.unsaved) {
    // The store lags behind this daemon's runs; only an admin's word is newer.
    task.state.paused = stored->paused;
    task.state.deleted = stored->deleted;
  } else {
    task.state = std::move(*stored);
  }
  return true;
}

void Scheduler::save_state(Task& task) {
  TaskUpdate update;
  update.name = task.state.name;
  update.new_runs = task.uncounted;
  if (task.uncounted > 0) update.last_run = task.state.last_run;  // else the stored one stays (a run by hand)
  update.plan = true;
  update.next_run = task.state.next_run;
  update.anchor = task.state.anchor;
  update.retry = task.state.retry;
  try {
    store_.update_task(update);
  } catch (const StoreError& e) {
    task.unsaved = true;
    note(task, std::string("cannot save its state: ") + e.what() +
                   "; the schedule goes on, and the save is tried again at the next slot");
    return;
  }
  if (task.unsaved) note(task, "its state is saved again");
  task.unsaved = false;
  task.uncounted = 0;
}

std::optional<TimePoint> Scheduler::dynamic_at(Task& task) {
  // `first run now` runs a task that never ran whatever its time: nothing to compute, or to say, yet.
  if (!std::holds_alternative<DynamicSpec>(task.spec.when) || runs_first_now(task.spec, progress_of(task.state)))
    return std::nullopt;
  DynamicNext next;
  try {
    next = runner_.dynamic_next(*task.decl);
  } catch (const StoreError& e) {
    next.waiting = std::string("cannot read what its time is computed from: ") + e.what();
  }
  task.dynamic_time = next.at;
  task.dynamic_revision = next.revision;
  if (next.at) {
    if (!task.waiting.empty()) note(task, "its time can be computed now: " + format_iso(*next.at));
    task.waiting.clear();
    if (*next.at - clock_.now() > kFarthestPlausible && next.at != task.far_noted) {
      note(task, "its time " + format_iso(*next.at) + " is more than 100 years away; it waits for it all the "
                 "same: are the values it is computed from right? (once a run mends them, the time they give is "
                 "planned within " + format_duration(options_.dynamic_poll) + ")");
      task.far_noted = next.at;
    }
    return next.at;
  }
  // Polled every minute while it has no time: the log says why once, and again when it changes.
  const std::string why = next.waiting + "; checking again every " + format_duration(options_.dynamic_poll) +
                          (next.detail.empty() ? "" : ":\n" + next.detail);
  if (why != task.waiting) note(task, why);
  task.waiting = why;
  return std::nullopt;
}

asio::awaitable<void> Scheduler::task_loop(Task* task) {
  const std::string retry = "reading it again in " + format_duration(options_.store_retry) + " before planning";
  while (!stopping_ && !refresh_state(*task, retry)) co_await clock_.sleep_until(clock_.now() + options_.store_retry);
  if (stopping_) co_return;
  if (task->state.deleted) {
    note_deleted(*task);
    co_return;
  }
  bool retried = false;  // no co_await inside && (g++ 12)
  if (task->state.retry) retried = co_await resume_retry(task);
  if (stopping_) co_return;
  take_steps(*task);  // its first plan reads the clock as it is now
  const bool dynamic = std::holds_alternative<DynamicSpec>(task->spec.when);
  // A dynamic time the retries left passed (they failed) is not due at once
  // again: it waits the gap it would have had without the stop.
  NextSlot next = retried && dynamic ? plan_after_retries(*task) : plan_first(*task);
  while (!stopping_) {
    if (!next.slot && !dynamic) break;  // finished or expired
    if (!next.slot) {  // a dynamic time that cannot be computed yet: ask again later
      co_await clock_.sleep_until(clock_.now() + options_.dynamic_poll);
      if (stopping_) break;
      refresh_state(*task, kGoingOn);
      take_steps(*task);
      next = plan_start(task->spec, progress_of(task->state), clock_.now(), dynamic_at(*task));
      continue;
    }
    const Duration jitter = apply_jitter(*next.slot, task->spec.jitter, options_.jitter) - *next.slot;
    next = co_await wait_for_slot(task, next, jitter);
    if (stopping_) break;
    if (!next.slot) continue;  // a write meanwhile left a time that cannot be computed

    refresh_state(*task, kGoingOn);  // an admin may have paused or deleted it meanwhile
    if (task->state.deleted) {
      note_deleted(*task);
      break;
    }
    if (task->state.paused) next = pass_over(*task, *next.slot);
    else if (auto moved = replanned_if_written(*task, *next.slot, true)) next = std::move(*moved);
    else next = co_await run_slot(task, *next.slot, *next.slot + jitter);
  }
  if (task->unsaved) save_state(*task);  // the last chance before the daemon stops
}

NextSlot Scheduler::plan_first(Task& task) {
  const TaskState& state = task.state;
  // A paused task runs nothing: a slot missed while the daemon was down is
  // passed over like any other, whatever on_missed says.
  ScheduleSpec spec = task.spec;
  if (state.paused) spec.on_missed = ast::MissedPolicy::skip;
  const TimePoint now = clock_.now();
  if (const auto ahead = clock_was_ahead(spec, progress_of(state), now))
    return plan_after_clock_ahead(task, spec, *ahead);
  NextSlot next = plan_start(spec, progress_of(state), now, dynamic_at(task));
  if (next.once_already_past) {
    const auto& once = std::get<OnceSpec>(task.spec.when);
    note(task, "its time (once at " + format_iso(once.at) +
                   ") had already passed when the schedule was first planned; it does not run");
  } else if (next.missed) {
    // A time computed from the instance (a token's expiry) is due, whatever the daemon did.
    const bool dynamic = std::holds_alternative<DynamicSpec>(task.spec.when);
    const std::string missed = dynamic ? "its time " + format_iso(*next.missed) + " has come; "
                                       : "missed its slot " + format_iso(*next.missed) + " while the daemon was down; ";
    if (state.paused) note(task, missed + "paused, so it does not run");
    else if (next.skipped) note(task, missed + "skipping to " + when_text(next.slot));
    else note(task, missed + (dynamic ? "running now" : "running once now"));
  }
  persist_next(task, next);
  return next;
}

NextSlot Scheduler::plan_after_clock_ahead(Task& task, const ScheduleSpec& spec, Duration ahead) {
  // Its stored slot came from that clock too: due now, and counted from here.
  const TaskState& state = task.state;
  const TimePoint now = clock_.now();
  const bool dynamic = std::holds_alternative<DynamicSpec>(spec.when);
  NextSlot next = plan_start(spec, due_now(spec, progress_of(state), now), now,
                             dynamic ? std::optional<TimePoint>(now) : std::nullopt);
  const std::string what = state.paused ? "paused, so it does not run now"
                           : next.slot  ? "it runs now"
                                        : "it has no slot left";
  note(task, "its last run is recorded at " + format_iso(*state.last_run) + ", " + rounded(ahead) +
                 " ahead of the clock now: the clock was ahead then and has been set back; " + what +
                 (state.next_run ? ", not at " + format_iso(*state.next_run) + " (planned by that clock)" : ""));
  persist_next(task, next);
  return next;
}

std::optional<NextSlot> Scheduler::replanned_if_written(Task& task, TimePoint slot, bool due) {
  if (!task.slot_reads_instance()) return std::nullopt;
  const auto planned_from = task.dynamic_revision;
  const auto at = dynamic_at(task);
  if (!task.dynamic_revision || task.dynamic_revision == planned_from) return std::nullopt;  // as planned
  const TimePoint now = clock_.now();
  if (due ? at && *at <= now : at == slot) return std::nullopt;  // due all the same, or the same time
  const std::string what = !at         ? "it does not run now"
                           : *at > now ? "its time is " + format_iso(*at) + " now, and it waits for it"
                                       : "its time " + format_iso(*at) + " has come, and it runs now";
  note(task, "its instance was written since its slot " + format_iso(slot) +
                 " was planned (a run by hand, or another process's): " + what);
  NextSlot next = plan_start(task.spec, progress_of(task.state), now, at);
  persist_next(task, next);
  return next;
}

NextSlot Scheduler::pass_over(Task& task, TimePoint slot) {
  if (!std::holds_alternative<DynamicSpec>(task.spec.when)) {
    ++task.stats.skipped;
    note(task, "paused: slot " + format_iso(slot) + " passed over");
  } else if (const auto what = passed_over_text(task); what != task.passed_over) {
    // Asked again every minute while paused: the same first run or time is one slot passed over.
    ++task.stats.skipped;
    note(task, "paused: " + what + " passed over; it runs once resumed");
    task.passed_over = what;
  }
  TaskProgress progress = progress_of(task.state);
  progress.next_run = slot;
  NextSlot next = plan_after_run(task.spec, progress, clock_.now(), dynamic_at(task));
  persist_next(task, next);
  return next;
}

std::string Scheduler::passed_over_text(const Task& task) const {
  if (runs_first_now(task.spec, progress_of(task.state))) return "its first run (first run now)";
  return "its time " + (task.dynamic_time ? format_iso(*task.dynamic_time) : std::string("-"));
}

asio::awaitable<NextSlot> Scheduler::run_slot(Task* task, TimePoint slot, TimePoint wake) {
  const TimePoint started = clock_.now();
  task->passed_over.clear();
  TaskOutcome outcome = co_await run_once(task);
  if (outcome.stopped) {
    // The daemon stops and the run never started: the slot stays due, for the next start to run.
    NextSlot unchanged;
    unchanged.slot = slot;
    co_return unchanged;
  }
  ++task->stats.runs;
  const bool backoff = retried(task->spec, outcome, 1);
  if (backoff) {
    // Counted and planned before the backoff, with the retry: a daemon stopped
    // or killed during it leaves the next start this state to go on from.
    refresh_state(*task, kGoingOn);
    count_run(*task, started);
    const NextSlot ahead = plan_after_slot(*task, slot, wake, started, Duration(0)).next;
    task->state.next_run = ahead.slot;
    task->state.anchor = ahead.anchor;
    pend_retry(*task, outcome, 1);
    outcome = co_await run_retries(task, outcome);
    if (task->state.retry) co_return ahead;  // kept for the next start: the daemon is stopping
  }
  if (!outcome.ok) ++task->stats.failures;
  refresh_state(*task, kGoingOn);  // keep admin changes made during the run
  // After a step back during the run, the clock reads its start earlier now.
  const Duration back = std::min(take_steps(*task), Duration(0));
  if (!backoff) count_run(*task, started);
  task->state.last_run = started + back;
  task->state.retry.reset();
  const AfterSlot after = plan_after_slot(*task, slot, wake, started, back);  // no structured binding in a coroutine (g++ 12)
  const NextSlot& next = after.next;
  if (after.late) {
    note(*task, "its slot " + format_iso(slot) + " ran " + rounded(started - wake) +
                    " late (the machine was suspended or busy, or the system clock stepped forward): one run for " +
                    std::to_string(next.skipped + 1) + " slot(s)" +
                    (keeps_elapsed_time(task->spec) ? ", and its interval counts from it" : "") + "; next at " +
                    when_text(next.slot));
  } else if (next.skipped) {
    note(*task, "the run overran " + std::to_string(next.skipped) + " slot(s); next at " + when_text(next.slot));
  }
  if (!outcome.ok && !outcome.transient && task->spec.retry_times > 0) {
    // `retry` covers transient failures only: say so, or a reader waits for a retry.
    note(*task, "not retried: the failure is not transient (only a network error, 5xx or 429 is); next run " +
                    (next.slot ? "at " + format_iso(*next.slot) : std::string("when its schedule gives one")));
  }
  note_moved(*task, next);
  persist_next(*task, next);
  co_return next;
}

void Scheduler::note_moved(Task& task, const NextSlot& next) {
  if (!std::holds_alternative<DynamicSpec>(task.spec.when) || !next.anchor || !next.slot) return;
  note(task, "its time " + format_iso(*next.anchor) + " is within a minute of its last run: next at " +
                 format_iso(*next.slot) + " (" + kOneRunAMinute + ")");
}

void Scheduler::count_run(Task& task, TimePoint started) {
  task.state.last_run = started;
  task.state.run_count += 1;
  task.uncounted += 1;
}

Scheduler::AfterSlot Scheduler::plan_after_slot(Task& task, TimePoint slot, TimePoint wake, TimePoint started,
                                                Duration back) {
  TaskProgress progress = progress_of(task.state);
  progress.next_run = slot;
  const bool late = began_late(task.spec, progress, wake, started);
  if (keeps_elapsed_time(task.spec)) progress = moved_by(progress, back);
  auto at = dynamic_at(task);
  if (at) *at += back;  // computed from times it may have read before the step
  NextSlot next = late ? plan_after_late_run(task.spec, progress, *task.state.last_run, clock_.now())
                       : plan_after_run(task.spec, progress, clock_.now(), at);
  return {std::move(next), late};
}

void Scheduler::observe_clock() {
  const Duration step = watch_.observe();
  if (step == Duration(0) || !options_.log) return;
  if (step < Duration(0)) {
    options_.log("the system clock stepped back " + rounded(step) +
                 ": the slots of `every` intervals and `at` times move back with it, keeping their elapsed time; "
                 "wall-clock slots (`every day at`, months, cron, `once at`) keep their time");
  } else {
    options_.log("the system clock stepped forward " + rounded(step) +
                 ": slots keep their time; a task whose slot it passed runs once now");
  }
}

Duration Scheduler::take_steps(Task& task) {
  observe_clock();
  const Duration steps = watch_.total() - task.steps_seen;
  task.steps_seen = watch_.total();
  return steps;
}

asio::awaitable<NextSlot> Scheduler::wait_for_slot(Task* task, NextSlot next, Duration jitter) {
  for (;;) {
    const Duration back = std::min(take_steps(*task), Duration(0));
    if (back < Duration(0) && keeps_elapsed_time(task->spec)) {
      next.slot = *next.slot + back;
      if (next.anchor) next.anchor = *next.anchor + back;
      task->state.next_run = next.slot;
      task->state.anchor = next.anchor;
      save_state(*task);
    }
    const TimePoint wake = *next.slot + jitter;
    if (stopping_ || clock_.now() >= wake) co_return next;
    // A time computed from the instance: a write elsewhere may move it, earlier
    // too. Unless told of writes, only a look at the instance tells.
    const bool polls = task->slot_reads_instance() && !options_.told_of_writes;
    // Also returns when the clock is set, or when told of a write.
    co_await clock_.sleep_until(polls ? std::min(wake, clock_.now() + options_.dynamic_poll) : wake);
    if (stopping_ || clock_.now() >= wake || !task->slot_reads_instance() || !maybe_written(*task)) continue;
    if (auto moved = replanned_if_written(*task, *next.slot, false)) {
      next = std::move(*moved);
      if (!next.slot) co_return next;
    }
  }
}

bool Scheduler::maybe_written(Task& task) const {
  if (!options_.told_of_writes) return true;
  if (writes_told_ == task.written_seen) return false;
  task.written_seen = writes_told_;
  return true;
}

void Scheduler::persist_next(Task& task, const NextSlot& next) {
  task.stats.skipped += next.skipped;
  task.state.next_run = next.slot;
  task.state.anchor = next.anchor;
  save_state(task);
}

void Scheduler::pend_retry(Task& task, const TaskOutcome& failed, int number) {
  ++task.stats.retries;
  const Duration delay = retry_delay(task.spec, number);
  // The message's first line (the rendered error follows with its source line and caret).
  const auto first_line = failed.message.substr(0, failed.message.find('\n'));
  note(task, "transient failure (" + first_line + "); " + retry_name(task.spec, number) + " in " +
                 format_duration(delay));
  task.state.retry = PendingRetry{clock_.now() + delay, number};
  save_state(task);
}

asio::awaitable<TaskOutcome> Scheduler::run_retries(Task* task, TaskOutcome outcome) {
  for (;;) {
    const PendingRetry retry = *task->state.retry;
    if (!co_await retry_comes(task)) co_return outcome;
    outcome = co_await run_once(task);
    if (outcome.stopped) {  // it gave up waiting for its instance: it is still due
      note(*task, kept_text(task->spec, retry));
      co_return outcome;
    }
    if (!retried(task->spec, outcome, retry.number + 1)) {
      task->state.retry.reset();
      co_return outcome;
    }
    pend_retry(*task, outcome, retry.number + 1);
  }
}

asio::awaitable<bool> Scheduler::retry_comes(Task* task) {
  const PendingRetry retry = *task->state.retry;
  // Steady time: a sleep woken early (the clock was set, or told of a write)
  // sleeps on, and a set of the wall clock neither cuts the backoff nor stretches it.
  const Duration delay = retry.at - clock_.now();
  const Duration started = clock_.steady();
  for (Duration slept{0}; slept < delay && !stopping_; slept = clock_.steady() - started)
    co_await clock_.sleep_until(clock_.now() + (delay - slept));
  const std::string which = retry_text(task->spec, retry);
  if (stopping_) {
    note(*task, kept_text(task->spec, retry));
    co_return false;
  }
  refresh_state(*task, kGoingOn);  // an admin may have paused or deleted it, or run it by hand
  std::string dropped;
  if (task->state.deleted) dropped = "deleted: its " + which + ", does not run";
  else if (task->state.paused) dropped = "paused: its " + which + ", is passed over";
  else if (!task->state.retry) dropped = "its " + which + ", is not needed: a run by hand succeeded meanwhile";
  if (dropped.empty()) co_return true;
  note(*task, dropped);
  task->state.retry.reset();
  co_return false;
}

asio::awaitable<bool> Scheduler::resume_retry(Task* task) {
  const PendingRetry retry = *task->state.retry;
  const std::string which = "its " + retry_text(task->spec, retry) + ", kept when the daemon stopped,";
  // A slot due by then runs instead (a missed one as on_missed says: skip keeps the retry).
  const TimePoint now = clock_.now();
  const auto slot = task->state.next_run;
  const bool skips_missed = task->spec.on_missed == ast::MissedPolicy::skip &&
                            !std::holds_alternative<DynamicSpec>(task->spec.when);
  const bool slot_first = slot && *slot <= std::max(retry.at, now) && !(*slot < now && skips_missed);
  if (task->state.paused || slot_first) {
    note(*task, task->state.paused ? "paused: " + which + " is passed over"
                                   : which + " gives way to its slot " + format_iso(*slot) + ", which has come by then");
    task->state.retry.reset();
    save_state(*task);
    co_return false;
  }
  note(*task, which + (retry.at <= now ? " runs now" : " runs then"));
  TaskOutcome outcome;  // named: a temporary in a co_await's arguments is destroyed twice by g++ 12
  outcome = co_await run_retries(task, outcome);
  if (task->state.retry) co_return false;  // kept again: the daemon is stopping
  if (!outcome.ok && outcome.transient) ++task->stats.failures;  // its retries are spent
  save_state(*task);
  co_return true;
}

NextSlot Scheduler::plan_after_retries(Task& task) {
  NextSlot next = plan_after_run(task.spec, progress_of(task.state), clock_.now(), dynamic_at(task));
  note_moved(task, next);
  persist_next(task, next);
  return next;
}

asio::awaitable<TaskOutcome> Scheduler::run_once(Task* task) {
  std::string failure;  // no co_await in a catch handler: the note and the outcome follow it
  try {
    co_return co_await runner_.run_task(*task->decl);
  } catch (const std::exception& e) {
    // An internal failure of one run must not take the daemon down. No runner
    // reported this run: the log says it failed.
    failure = std::string("internal error: ") + e.what();
  }
  note(*task, "run failed: " + failure);
  co_return TaskOutcome{false, failure, false, false};
}

}  // namespace flow
