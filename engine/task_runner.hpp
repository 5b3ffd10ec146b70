#pragma once
// The scheduler's TaskRunner over the interpreter: a scheduled task is a run of
// its trigger handler on its instance, recorded in history under its name.

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "engine/dynamic_time.hpp"
#include "engine/interpreter.hpp"
#include "engine/scheduler.hpp"

namespace flow {

/// How a user runs a task by hand, for the log of a dynamic schedule whose
/// time is not known yet: the daemon names the commands (`flow tasks run FILE
/// "TASK"`), a test its step. Given the schedule and its Process ID.
using ByHandHint = std::function<std::string(const ast::ScheduleDecl& schedule, const std::string& instance_id)>;

/// Counts a run of task `name` made by hand (`flow tasks run`, the REPL's
/// :run), begun at `started`, in the task's stored state as the daemon counts
/// its own runs: last_run and run_count (so `expires after N runs` counts it,
/// and `first run now` has had its first run). The slot a daemon planned
/// (next_run) and paused/deleted are left as they are: no slot ran. A run
/// that succeeded (`ok`) clears a pending retry (TaskState::retry): what it
/// would have done is done. A task the store does not know yet is created.
/// Throws StoreError.
void count_run_by_hand(Store& store, const std::string& name, TimePoint started, bool ok);

/// A scheduled run that begins to wait for a run in another flow process
/// sharing the store (RunRequest::on_wait_for_other_process).
struct TaskWait {
  std::string task;
  std::string process;       // the run's instance
  std::string id;
  std::string held_process;  // the instance the other run holds: the run's own, or one it starts
  std::string held_id;
};
using TaskWaitNotice = std::function<void(const TaskWait& wait)>;

class InterpreterTaskRunner final : public TaskRunner {
 public:
  /// `on_run` sees every finished run (the daemon logs it); may be empty.
  /// `by_hand` may be empty: the log then names the handler to run.
  /// `on_wait`, when given, hears each run that waits for another process's run.
  InterpreterTaskRunner(Interpreter& interpreter, std::function<void(const std::string&, const RunResult&)> on_run,
                        ByHandHint by_hand = {}, TaskWaitNotice on_wait = {});

  boost::asio::awaitable<TaskOutcome> run_task(const ast::ScheduleDecl& schedule) override;
  /// The time, or why there is none: the fields it reads that are null (and
  /// how to make the first run), or the evaluation's error with its location.
  DynamicNext dynamic_next(const ast::ScheduleDecl& schedule) override;

  /// The Process ID a schedule runs on: its `id` expression evaluated, or none.
  std::optional<std::string> instance_id(const ast::ScheduleDecl& schedule) const;

 private:
  /// The commands (or the step, in a test) that run the task by hand.
  std::string by_hand(const ast::ScheduleDecl& schedule, const std::string& id) const;
  /// "run it once by hand (...)" for a task whose time waits for fields.
  std::string first_run_advice(const ast::ScheduleDecl& schedule, const std::string& id) const;
  /// Why a dynamic time waits for `null_fields`, and what to do: a first run
  /// when none ran; after a run, a default in the expression (the answer
  /// lacked the values: `expires_in` is optional in OAuth2).
  std::string waiting_for_fields(const ast::ScheduleDecl& schedule, const std::string& id,
                                 const std::vector<std::string>& null_fields) const;
  /// waiting_for_fields as last computed for the schedule, computed again
  /// only when it may say otherwise: a run ended here since,
  /// the instance was written (by another process's run too), or other
  /// fields are null. It reads the run history, and dynamic_next is asked
  /// every minute while the task waits.
  const std::string& waiting_note(const ast::ScheduleDecl& schedule, const ScheduleTime& computed);

  /// What waiting_note computed, and what it was computed from.
  struct WaitingNote {
    std::string id;
    std::vector<std::string> null_fields;
    std::int64_t revision = 0;
    std::uint64_t runs_ended = 0;
    std::string text;
  };

  Interpreter& interpreter_;
  std::function<void(const std::string&, const RunResult&)> on_run_;
  ByHandHint by_hand_;
  TaskWaitNotice on_wait_;
  std::map<std::string, WaitingNote, std::less<>> waiting_;  // by schedule name
};

}  // namespace flow
