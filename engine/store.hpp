#pragma once
// Persistent state: process instances, run history and scheduled-task state.
// The embedded implementation is SQLite (engine/store/sqlite_store.*); the
// interface is narrow and transactional so a PostgreSQL store can follow for
// several daemons sharing one database.

#include <cstdint>
#include <exception>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/store/call_notes.hpp"
#include "engine/value.hpp"

namespace flow {

using FieldMap = std::map<std::string, Value>;

/// "A, B, C": `names`, for messages.
inline std::string joined_names(const std::vector<std::string>& names) {
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ", ") + name;
  return joined;
}

/// "A, B, C": the names of `fields`, for messages.
inline std::string field_names(const FieldMap& fields) {
  std::vector<std::string> names;
  for (const auto& [name, value] : fields) names.push_back(name);
  return joined_names(names);
}

struct InstanceRecord {
  std::string id;       // the Process ID
  std::string process;  // process name
  FieldMap fields;
  TimePoint created{};
  TimePoint modified{};
  std::int64_t revision = 0;  // bumped by every save
  /// Store::list_instances only: why the stored fields could not be read
  /// (`fields` is then empty); empty when they were.
  std::string damage{};
};

/// One handler run, as shown by `flow tasks history`. Text here is already masked.
struct RunRecord {
  std::int64_t id = 0;
  std::string task;  // schedule name; empty for `flow trigger` / REPL runs
  std::string instance_id;
  std::string process;
  std::string handler;
  TimePoint started{};
  TimePoint finished{};
  bool ok = false;
  std::string message;            // failure message (masked), empty on success
  std::vector<std::string> log;   // the run's log lines (masked)
};

/// A retry of a failed run (`retry N times backoff D`) whose backoff has
/// begun: persisted then, so that a daemon stopped or killed during the
/// backoff leaves it to the next start, which runs it at `at` (at once when
/// that has passed) as the same retry.
struct PendingRetry {
  TimePoint at;    // when it is due
  int number = 1;  // "retry N of M": 1 is the run's second attempt
  bool operator==(const PendingRetry&) const = default;
};

/// Persistent state of a scheduled task.
struct TaskState {
  std::string name;
  std::optional<TimePoint> last_run;
  std::optional<TimePoint> next_run;
  std::int64_t run_count = 0;
  bool paused = false;
  bool deleted = false;
  /// Interval schedules: the first slot of the grid the slots are counted from
  /// (`every 1 month` from Jan 31 keeps day 31). `at` schedules: the time the
  /// expression gave when the one-minute gap after a run moved next_run later
  /// (NextSlot::anchor). Empty otherwise.
  std::optional<TimePoint> anchor{};  // initialized: `{name, last, next, count, paused, deleted}` stays complete
  /// The retry due before next_run, if any; its run is counted already.
  std::optional<PendingRetry> retry{};

  /// When the task runs next: its pending retry, else its slot.
  std::optional<TimePoint> next_time() const { return retry ? std::optional(retry->at) : next_run; }
};

/// A change to one task's stored state, made on the state as stored then, in
/// one transaction (Store::update_task): what another process wrote since this
/// one read it stays. Runs are added to the stored count, never written over
/// it: a daemon whose saves failed for a while must not lose the runs counted
/// by hand meanwhile (`flow tasks run`), nor an admin's pause the runs the
/// daemon counted meanwhile. paused and deleted are left as stored unless set
/// (an admin's change); a task the store lacks is created active.
struct TaskUpdate {
  std::string name;
  std::int64_t new_runs = 0;  // added to run_count
  /// Written when set; with `later_only`, not over a later one (a run by hand:
  /// a daemon's run may have begun after it). The daemon writes its own as it
  /// holds it: after a step back of the clock its last run reads earlier.
  std::optional<TimePoint> last_run{};
  bool later_only = false;
  /// The daemon's plan: next_run, anchor and retry written as they are when
  /// `plan`; else left as stored (a run by hand ran no slot).
  bool plan = false;
  std::optional<TimePoint> next_run{};
  std::optional<TimePoint> anchor{};
  std::optional<PendingRetry> retry{};
  /// A run by hand that succeeded: a pending retry is not needed any more.
  bool retry_done = false;
  /// An admin's (`flow tasks pause|resume|delete`): written when set.
  std::optional<bool> paused{};
  std::optional<bool> deleted{};
  /// When set, asked of the task as stored (nullopt: none) in the update's
  /// transaction, before anything is written: what it throws refuses the
  /// update, which writes nothing. An admin's change of a task the files do
  /// not declare: a delete or first write by another process meanwhile counts.
  std::function<void(const std::optional<TaskState>&)> check{};
};

/// The state `update` makes of `stored` (a store's copy; nullopt: none, created
/// active), as Store::update_task writes it; update.check, if set, asked first.
TaskState apply_task_update(std::optional<TaskState> stored, const TaskUpdate& update);

/// One run's writes since its last commit, committed together in one
/// transaction at the run's next call or `start` and at its end
/// (docs/semantics.md, "When writes reach the store"). Between those points a
/// run only computes, so holding the writes back widens no crash window, and
/// the seed flow's call + save + history cost one transaction, one fsync.
struct RunCommit {
  std::string instance_id;
  std::string process;
  FieldMap checkpoint;                 // values successful calls mapped in; merged into the stored instance
  std::optional<InstanceRecord> save;  // the instance as its last `save` left it; it holds the checkpoint too
  std::optional<RunRecord> history;    // the finished run, with the commit at its end

  // Outcome, filled in by Store::commit_runs.
  std::int64_t revision = 0;           // the instance's revision after it; 0 when not written
  TimePoint created{};                 // and its stamps as stored, when written
  TimePoint modified{};
  std::exception_ptr error;            // a StoreError: this commit wrote nothing

  bool writes_instance() const { return save || !checkpoint.empty(); }
};

/// Values a run's calls mapped in whose commit failed, kept in memory to be
/// written later (CommitQueue) only where the store did not change them since.
struct KeptFields {
  std::string id;
  std::string process;
  FieldMap values;
  std::int64_t revision = 0;  // the stored revision the run loaded or last committed (0: none stored)
  /// What the store held at that revision in each field of `values` (null for
  /// a field or an instance it did not hold): read from the store, or else as
  /// the run knew it (RunState::stored); nullopt when neither could tell.
  std::optional<FieldMap> base;
};

/// What `fields` holds in `name`: null when it holds no such field, or when
/// there are no fields at all (`fields` null: no instance).
const Value& field_or_null(const FieldMap* fields, const std::string& name);

/// The values of a KeptFields, split by split_kept.
struct KeptSplit {
  FieldMap unchanged;                // to write
  std::vector<std::string> changed;  // changed in the store since: the stored value stays
};

/// `kept` against the instance as the store holds it now (`stored`). A field
/// is unchanged when the stored revision is still `kept.revision`, or else
/// when it still holds its base (a field or an instance the store lacks holds
/// null); with no base, none is.
KeptSplit split_kept(const KeptFields& kept, const std::optional<InstanceRecord>& stored);

/// A store failure (disk full, corrupt file, locked database): never a user mistake.
class StoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Store {
 public:
  virtual ~Store() = default;

  virtual std::optional<InstanceRecord> load_instance(const std::string& id) = 0;
  /// Writes the whole instance in one transaction; sets modified (and created on
  /// first save) to `now` and bumps the revision.
  virtual void save_instance(InstanceRecord& instance, TimePoint now) = 0;
  /// Inserts only when no instance has this id; returns whether it inserted.
  virtual bool seed_instance(const InstanceRecord& instance, TimePoint now) = 0;
  /// Durably writes `fields` into the stored instance (creating it if absent) in
  /// one transaction, without touching other fields. Used to keep values a
  /// successful call mapped in (a rotated refresh token) before the run goes on.
  virtual void checkpoint_fields(const std::string& id, const std::string& process,
                                 const FieldMap& fields, TimePoint now) = 0;
  /// checkpoint_fields as compare-and-set, for values kept after their commit
  /// failed: in one transaction, writes those of `kept` whose fields did not
  /// change since (split_kept) and leaves the others as stored. Returns the
  /// names of those it left; writes nothing (no new revision) when it left all.
  virtual std::vector<std::string> write_back_fields(const KeptFields& kept, TimePoint now) = 0;
  /// Every stored instance, by Process ID. One whose fields cannot be read is
  /// listed with its `damage` instead: it must not hide the others.
  virtual std::vector<InstanceRecord> list_instances() = 0;
  /// A fresh Process ID for a new instance of `process`, e.g. "TokenKeeper-1".
  virtual std::string allocate_id(const std::string& process) = 0;

  virtual std::int64_t record_run(const RunRecord& run) = 0;
  /// Commits the runs of `batch` (different instances) together: the save
  /// (which then holds the stored created/modified/revision) or else the
  /// checkpoint, and the history record of each. The SQLite store uses one
  /// transaction, one fsync; a run that fails to write (too large for the
  /// disk) is left out and the others committed. Fills in each commit's
  /// revision (0 when no instance was written), or its error. This default
  /// makes one write per part.
  virtual void commit_runs(const std::vector<RunCommit*>& batch, TimePoint now);
  /// Newest first; `task` empty: all runs.
  virtual std::vector<RunRecord> runs(const std::string& task, int limit) = 0;

  /// Exclusion between the processes that share this store (`flow trigger`
  /// beside `flow run`), held for a whole run on the instance: each run starts
  /// from what the last one committed, and no two processes spend the same
  /// refresh token. The operating system releases it when its holder ends,
  /// however it ends. Never waits: false while another process holds it.
  /// A store only one process can open grants it always.
  virtual bool try_lock_instance(const std::string& id) {
    (void)id;
    return true;
  }
  virtual void unlock_instance(const std::string& id) { (void)id; }
  /// Claims the store for the one daemon that runs its schedules; false while
  /// another process holds the claim. Held until the store is closed.
  virtual bool claim_daemon() { return true; }
  /// Notes a call on a stored instance just before it is sent, for the next
  /// process should this one die before what it answers is stored (CallNotes).
  virtual void note_call(const CallNote& note) { (void)note; }
  /// The call noted on `instance_id` left nothing to store: it failed, or
  /// mapped nothing in. (A commit after it makes its note stale by itself.)
  virtual void call_settled(const std::string& instance_id) { (void)instance_id; }
  /// The notes that processes since ended left, taken: no other process sees them again.
  virtual std::vector<CallNote> take_calls_left() { return {}; }
  /// Of take_calls_left(), the calls whose answers were never stored: their
  /// instances' stored revisions are the ones noted.
  std::vector<CallNote> calls_lost();
  /// Of calls_lost(), each recorded in the run history as a failed run (it
  /// started when its call was sent), and said: one line per call, or the
  /// store's error when one cannot be recorded or read: a diagnosis, it never
  /// throws a StoreError into the run that asks.
  std::vector<std::string> record_calls_lost();
  /// Does a first write's one-time work now (SQLite: creating the write-ahead
  /// log and syncing it and its directory), before any call can spend a
  /// token: the commit that stores a rotated token then costs only its own sync.
  virtual void prepare_for_writes() {}
  /// Throws StoreError when a write would surely fail now (the file deleted
  /// or moved away, its disk all but full). Asked before a call: a call that
  /// rotates a refresh token must not be made when its answer cannot be kept.
  virtual void ensure_writable() {}

  virtual std::optional<TaskState> load_task(const std::string& name) = 0;
  virtual void save_task(const TaskState& state) = 0;
  /// Applies `update` (apply_task_update) to the task's state as stored
  /// (TaskUpdate) and returns the state it wrote; refused by update.check, it
  /// writes nothing and throws what the check threw. This default reads and
  /// saves it: enough for a store one process opens; a shared store makes it
  /// one transaction.
  virtual TaskState update_task(const TaskUpdate& update);
  virtual std::vector<TaskState> list_tasks() = 0;
};

}  // namespace flow
