#pragma once
// The scheduler daemon loop, on Asio: one coroutine per scheduled task.
//
// Each task loop:
//   1. loads its TaskState (creating it on first start) and plans the first
//      slot with plan_start (on_missed applies to a slot that passed while the
//      daemon was down; a paused task passes missed slots over; a last run
//      stored ahead of the clock makes the task due now), persisting next_run
//      and the grid anchor;
//   2. sleeps on the Clock until the slot plus jitter, reading the clock again
//      whenever it wakes (at least every minute): a step of the wall clock is
//      logged, and a step back moves a slot that keeps elapsed time back with
//      it (engine/clock_steps.hpp has the rules). A dynamic task reads its
//      instance every dynamic_poll meanwhile, and at once after each run it
//      is told of (instances_written; with told_of_writes, only then): when
//      it was written since the slot was planned (a refresh by hand in
//      another process), its time is computed again and planned instead,
//      earlier or later;
//   3. re-reads its TaskState (an admin command in another process may have
//      paused or deleted it): deleted ends the loop, paused passes the slot
//      over without running; a dynamic task whose instance was written since
//      its last reading computes its time again, and waits for it when it
//      moved on;
//   4. runs the task through the TaskRunner, retrying transient failures
//      `retry N times backoff D` (D, 2D, 4D, ...);
//   5. persists last_run, run_count and the next slot (plan_after_run: a run
//      that overran later slots skips or queues them per on_overlap; a run
//      that began late, its next slot already past, stands for the slots
//      passed), and repeats until the schedule has no next slot (once done,
//      expired).
// Runs of one task never overlap: the loop is sequential, so "a run still in
// progress when the next is due" is exactly a run that ends after that slot.
//
// Store failures (disk full, a locked or damaged file) never end a loop: the
// loop keeps its TaskState in memory, logs the failure, and goes on with its
// schedule. A save that failed is retried at the next save point (the next
// slot) and once more when the loop exits; until it succeeds, reads take only
// paused/deleted from the store, and its runs are added to the stored count
// when it goes through (Store::update_task): runs counted by hand meanwhile
// stay. A state that cannot be read at start-up is read again every
// store_retry before the first slot is planned: planning without it could run
// a paused task or run a slot twice.
//
// stop() sets a flag and wakes every Clock sleep (Clock::cancel_all); a loop
// that is running a task lets it finish, persists its state and exits. run()
// completes when every loop has exited. Loops are co_spawned with a
// completion handler that records the first exception (an internal error, or
// a failed test assertion thrown by a fake runner) and stops the others;
// run() rethrows it. Nothing is spawned detached.
//
// Threading: everything here runs on the one io_context thread; call stop()
// from that thread (e.g. from an asio::signal_set handler).

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/awaitable.hpp>

#include "engine/clock.hpp"
#include "engine/clock_steps.hpp"
#include "engine/schedule.hpp"
#include "engine/store.hpp"
#include "grammar/ast.hpp"

namespace flow {

/// How one run of a task ended.
struct TaskOutcome {
  bool ok = false;
  std::string message;     // failure message, already masked
  bool transient = false;  // network error, 5xx, 429: worth a retry
  /// Never started: the daemon is stopping and the run gave up waiting for its
  /// instance (another process's run held it). Not a run: not counted, not retried.
  bool stopped = false;
};

/// A dynamic schedule's next time, or why it has none now.
struct DynamicNext {
  std::optional<TimePoint> at;
  /// When `at` is empty: why, in one line, for the log ("ExpiresIn of TK-1 is
  /// null ..."; how to make the first run); the scheduler says it when it first
  /// appears and whenever it changes, not at every poll.
  std::string waiting;
  /// More lines under it (an evaluation error rendered with its source line), or empty.
  std::string detail;
  /// The revision of the instance it was computed from (InstanceRecord::revision,
  /// which every write moves, another process's too); none when it was not read.
  std::optional<std::int64_t> revision{};
};

/// What the scheduler calls to run tasks; the interpreter implements it.
class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  /// Runs the schedule's trigger once and records the run's history. An
  /// exception derived from std::exception counts as a failed, non-transient
  /// run; any other exception ends the scheduler (run() rethrows it).
  virtual boost::asio::awaitable<TaskOutcome> run_task(const ast::ScheduleDecl& schedule) = 0;
  /// For `at EXPR` schedules: EXPR evaluated on the task's instance now, or
  /// why it cannot be (the fields it reads are still null, or it fails).
  /// Throws StoreError when the instance cannot be read.
  virtual DynamicNext dynamic_next(const ast::ScheduleDecl& schedule) = 0;
};

struct SchedulerOptions {
  /// Random bits for jitter; empty: a std::random_device-seeded generator.
  JitterSource jitter;
  /// How often a dynamic task reads its instance again while it waits: a time
  /// that could not be computed is asked for again (the log says why once, not
  /// at every poll), and a planned time is computed again when the instance was
  /// written meanwhile (a refresh by hand in another process moved it).
  Duration dynamic_poll = std::chrono::minutes(1);
  /// Whoever drives the scheduler tells it of every write to instances
  /// (Scheduler::instances_written; `flow test`: after its run steps and the
  /// scheduled runs): a dynamic task then sleeps until its time, or until told,
  /// and reads its instance only after a write. False (the daemon): only the
  /// store knows what another process wrote, so a waiting task reads it every
  /// dynamic_poll.
  bool told_of_writes = false;
  /// Scheduler events for the daemon's log (missed, skipped, retried, store
  /// failures, and runs that failed by throwing). A run the runner finished is
  /// the runner's to report, failed or not (the daemon prints it with its error
  /// once): the log does not repeat it.
  std::function<void(const std::string&)> log;
  /// How long a task whose state cannot be read at start-up waits to read again.
  Duration store_retry = std::chrono::minutes(1);
};

/// Counters since the Scheduler was created, per task.
struct TaskStats {
  std::int64_t runs = 0;      // runs started (retries not counted)
  std::int64_t failures = 0;  // runs that failed after their retries
  std::int64_t retries = 0;
  std::int64_t skipped = 0;   // slots passed over (overlap, missed, paused)
};

class Scheduler {
 public:
  /// Validates every schedule (throws ScheduleError naming the schedule). All
  /// references and the declarations must outlive the Scheduler.
  Scheduler(Clock& clock, Store& store, std::vector<const ast::ScheduleDecl*> schedules, TaskRunner& runner,
            SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  /// Runs every task loop until stop() or until no task has a next slot; then
  /// rethrows the first exception a loop ended with, if any. Call once.
  boost::asio::awaitable<void> run();
  /// Asks every loop to exit; in-flight runs finish first.
  void stop();
  bool stopping() const { return stopping_; }

  /// Instances may have been written (a run ended): every dynamic task waiting
  /// for its time reads its instance again now, not at its next poll, and
  /// plans the time it gives instead when that moved. With
  /// SchedulerOptions::told_of_writes, these are the only readings. Wakes every
  /// Clock sleep to do so (Clock::cancel_all), which each sleeper reads as an
  /// early wake.
  void instances_written();

  TaskStats stats(const std::string& task) const;

 private:
  struct Task;
  boost::asio::awaitable<void> task_loop(Task* task);
  /// Plans the first slot at start-up (on_missed) and persists it.
  NextSlot plan_first(Task& task);
  /// A dynamic task's plan once the retry resume_retry ran has ended, as a
  /// run's end plans it: a time the failed retries left passed is a gap on.
  NextSlot plan_after_retries(Task& task);
  /// plan_first for a task whose last run is stored `ahead` of the clock
  /// (engine/clock_steps.hpp): due now, logged, persisted.
  NextSlot plan_after_clock_ahead(Task& task, const ScheduleSpec& spec, Duration ahead);
  /// A dynamic task's `slot`, read again while it waits for it (`due`
  /// false: every dynamic_poll) and when it comes (`due`), before it runs:
  /// when its instance was written since the slot was planned (a run by hand
  /// in another process), its time computed again. A time that moved (or that
  /// cannot be computed now) is planned and persisted instead, unless the slot
  /// is due and so is the time. None: as planned.
  std::optional<NextSlot> replanned_if_written(Task& task, TimePoint slot, bool due);
  /// Whether the task's instance may have been written since its last poll:
  /// always, unless the scheduler is told of writes (SchedulerOptions::told_of_writes).
  bool maybe_written(Task& task) const;
  /// Passes `slot` of a paused task over and persists the next one.
  NextSlot pass_over(Task& task, TimePoint slot);
  /// What a paused dynamic task passes over: its first run, or its time.
  std::string passed_over_text(const Task& task) const;
  /// Runs the task for `slot` (woken at `wake`), then persists last_run,
  /// run_count and the next slot.
  boost::asio::awaitable<NextSlot> run_slot(Task* task, TimePoint slot, TimePoint wake);
  /// Sleeps until `next`'s slot plus `jitter`, reading the clock again at
  /// every wake: a step back moves a slot that keeps elapsed time back with it
  /// (persisted). Returns the slot as it is then (or at stop()).
  boost::asio::awaitable<NextSlot> wait_for_slot(Task* task, NextSlot next, Duration jitter);
  /// Reads the clocks; a step of the wall clock is logged, once, by whichever
  /// loop sees it first.
  void observe_clock();
  /// The clock's steps since the task last took them (net; back: negative).
  Duration take_steps(Task& task);
  /// Counts the slots `next` passed over and persists it as the task's next_run.
  void persist_next(Task& task, const NextSlot& next);
  /// Notes a dynamic time the one-minute gap after a run moved later
  /// (`next.anchor`): a token living less than that is outlived, not silently.
  void note_moved(Task& task, const NextSlot& next);
  /// Counts the run begun at `started` (retries are part of it, not runs).
  void count_run(Task& task, TimePoint started);
  struct AfterSlot {
    NextSlot next;
    bool late = false;  // the run began after the slot following its own had come (began_late)
  };
  /// The slot after the run of `slot` (woken at `wake`) begun at `started`,
  /// counted already, as the clock reads now, after a step `back` during it.
  AfterSlot plan_after_slot(Task& task, TimePoint slot, TimePoint wake, TimePoint started, Duration back);
  /// Logs retry `number` of a run that ended `failed`, and persists it as the
  /// task's pending retry (TaskState::retry) before its backoff begins.
  void pend_retry(Task& task, const TaskOutcome& failed, int number);
  /// Runs the task's pending retry when it comes, and those after it while the
  /// run fails transiently; returns the last outcome (`outcome` when none ran).
  /// The retry stays pending (task.state.retry) only when the daemon stops.
  boost::asio::awaitable<TaskOutcome> run_retries(Task* task, TaskOutcome outcome);
  /// Waits for the pending retry; false when it does not run: kept for the
  /// next start (the daemon stops) or dropped (deleted, paused, or a run by
  /// hand succeeded meanwhile: task.state.retry reset), logged.
  boost::asio::awaitable<bool> retry_comes(Task* task);
  /// At start-up: the retry a stopped daemon left pending runs at its time
  /// (at once when passed), unless the task is paused or a slot of its own
  /// has come by then (a missed one as on_missed says); then its retries go
  /// on as they would have. True when it ran.
  boost::asio::awaitable<bool> resume_retry(Task* task);
  boost::asio::awaitable<TaskOutcome> run_once(Task* task);
  /// The runner's dynamic time for the task (none for other schedules); why
  /// there is none is logged when it first appears and whenever it changes.
  std::optional<TimePoint> dynamic_at(Task& task);
  /// Takes the task's stored state into task.state (while a save is pending,
  /// only paused/deleted); false when the store cannot be read, logged with
  /// `otherwise`, what the loop does instead.
  bool refresh_state(Task& task, std::string_view otherwise);
  /// Writes task.state's plan and the runs the store has not counted yet
  /// (Store::update_task: added to its count, so runs counted by hand in
  /// another process meanwhile stay); a failure is logged and left for the next save.
  void save_state(Task& task);
  void note(const Task& task, const std::string& message) const;
  /// Logs that the task's loop ends because it is deleted, and what brings it back.
  void note_deleted(const Task& task) const;

  Clock& clock_;
  Store& store_;
  TaskRunner& runner_;
  SchedulerOptions options_;
  std::vector<std::unique_ptr<Task>> tasks_;
  ClockWatch watch_;
  bool stopping_ = false;
  std::uint64_t writes_told_ = 0;  // instances_written() calls so far
  std::exception_ptr first_error_;
};

}  // namespace flow
