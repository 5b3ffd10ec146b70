#include "engine/store/sqlite_store.hpp"

#include <filesystem>
#include <string_view>
#include <unordered_map>
#include <utility>

#include <sys/statvfs.h>

#include "engine/store/lock_file.hpp"
#include "engine/store/sqlite_db.hpp"
#include "engine/store/sqlite_schema.hpp"

namespace flow {

namespace {

using sqlite::Db;
using sqlite::Operation;
using sqlite::Transaction;

std::int64_t to_millis(TimePoint t) { return t.time_since_epoch().count(); }
TimePoint from_millis(std::int64_t ms) { return TimePoint(Duration(ms)); }

std::optional<std::int64_t> to_millis(const std::optional<TimePoint>& t) {
  if (!t) return std::nullopt;
  return to_millis(*t);
}

/// What a save or a checkpoint sets besides the fields: stamped on the caller's
/// copy once the transaction commits, so the save needs no copy of the fields
/// for the caller.
struct SaveStamps {
  TimePoint created;
  TimePoint modified;
  std::int64_t revision = 0;

  void apply(InstanceRecord& instance) const {
    instance.created = created;
    instance.modified = modified;
    instance.revision = revision;
  }
};

/// The run's log as the JSON array of strings Json(lines).dump() writes,
/// written directly: every run commit stores it.
std::string log_text(const std::vector<std::string>& lines) {
  std::string out = "[";
  for (const auto& line : lines) {
    if (out.size() > 1) out += ',';
    append_json_string(out, line);
  }
  out += ']';
  return out;
}

/// Recording `run`, as an error names it: by its task, or for a run by hand
/// (flow trigger, the REPL), which has none, by its instance.
Operation record_operation(const RunRecord& run) {
  if (!run.task.empty()) return {"cannot record a run of", run.task};
  if (!run.instance_id.empty()) return {"cannot record a run by hand on instance", run.instance_id};
  return "cannot record a run by hand";
}

class SqliteStore final : public Store {
 public:
  /// `file`: `path` made absolute (empty in memory), for the lock file, the free space and the call notes.
  SqliteStore(const std::string& path, const std::filesystem::path& file, const SqliteOptions& options)
      : locks_(file.string()),
        db_(path, options.read_only ? sqlite::read_only_mode(path) : sqlite::OpenMode::read_write),
        directory_(file.parent_path().string()),
        calls_(file.empty() || options.read_only ? "" : file.string() + "-calls"),
        keep_runs_(options.keep_runs) {
    sqlite3_busy_timeout(db_.handle(), static_cast<int>(options.busy_timeout.count()));
    if (options.read_only) {
      check_current_schema(db_);
      return;
    }
    configure_connection(db_, options);
    migrate(db_);
  }

  std::optional<InstanceRecord> load_instance(const std::string& id) override {
    const Operation operation("cannot load instance", id);
    forget_if_others_wrote(operation);
    if (const auto cached = cache_.find(id); cached != cache_.end()) return cached->second;
    auto loaded = load_instance_as(id, operation);
    if (loaded) cache_[id] = *loaded;
    return loaded;
  }

  void save_instance(InstanceRecord& instance, TimePoint now) override {
    const Operation operation("cannot save instance", instance.id);
    Transaction transaction(db_, operation);
    written_.clear();
    const SaveStamps stamps = save_in_transaction(instance, now, operation);
    transaction.commit();
    cache_written();
    stamps.apply(instance);  // only after the commit: a failure leaves the caller's copy as is
  }

  bool seed_instance(const InstanceRecord& instance, TimePoint now) override {
    const Operation operation("cannot seed instance", instance.id);
    Transaction transaction(db_, operation);
    auto insert = db_.prepare(
        "INSERT INTO instances (id, process, fields, created, modified, revision)"
        " VALUES (?1, ?2, ?3, ?4, ?4, 1) ON CONFLICT (id) DO NOTHING",
        operation);
    const std::string fields = to_stored_text(instance.fields);
    insert.bind(1, instance.id).bind(2, instance.process).bind(3, fields).bind(4, to_millis(now)).run();
    bool inserted = db_.changes() > 0;
    transaction.commit();
    cache_.erase(instance.id);
    return inserted;
  }

  void checkpoint_fields(const std::string& id, const std::string& process, const FieldMap& fields,
                         TimePoint now) override {
    const Operation operation("cannot checkpoint instance", id);
    Transaction transaction(db_, operation);
    written_.clear();
    checkpoint_in_transaction(id, process, fields, now, operation);
    transaction.commit();
    cache_written();
  }

  std::vector<std::string> write_back_fields(const KeptFields& kept, TimePoint now) override {
    const Operation operation("cannot write back to instance", kept.id);
    Transaction transaction(db_, operation);  // IMMEDIATE: no other writer between the read and the write
    written_.clear();
    auto stored = load_instance_as(kept.id, operation);
    auto split = split_kept(kept, stored);
    if (!split.unchanged.empty())
      merge_in_transaction(std::move(stored), kept.id, kept.process, split.unchanged, now, operation);
    transaction.commit();
    cache_written();
    return std::move(split.changed);
  }

  void commit_runs(const std::vector<RunCommit*>& batch, TimePoint now) override {
    // A run that fails to write is dropped and the others written again in a
    // fresh transaction: after some errors (SQLITE_FULL among them) SQLite rolls
    // the whole transaction back itself, so a savepoint could not keep them.
    std::vector<RunCommit*> todo = batch;
    while (const auto failed = try_commit(todo, now)) {
      std::vector<RunCommit*> rest;  // not erase(): g++ 12 -O3 warns falsely on it here (stringop-overread)
      for (std::size_t i = 0; i < todo.size(); ++i) {
        if (i != *failed) rest.push_back(todo[i]);
      }
      todo = std::move(rest);
    }
  }

  std::vector<InstanceRecord> list_instances() override {
    const Operation operation = "cannot list instances";
    auto select = db_.prepare(
        "SELECT id, process, fields, created, modified, revision FROM instances ORDER BY id", operation);
    std::vector<InstanceRecord> result;
    while (select.step()) result.push_back(read_listed_instance(select));
    return result;
  }

  std::string allocate_id(const std::string& process) override {
    const std::string operation = "cannot allocate an id for " + process;
    Transaction transaction(db_, operation);
    std::int64_t number = 0;
    {
      auto last = db_.prepare("SELECT last FROM id_counters WHERE process = ?1", operation);
      last.bind(1, process);
      if (last.step()) number = last.int64(0);
    }
    std::string id;
    do {  // an instance declared in a file may already hold the next name
      id = process + "-" + std::to_string(++number);
    } while (instance_exists(id, operation));
    auto update = db_.prepare(
        "INSERT INTO id_counters (process, last) VALUES (?1, ?2)"
        " ON CONFLICT (process) DO UPDATE SET last = excluded.last",
        operation);
    update.bind(1, process).bind(2, number).run();
    transaction.commit();
    return id;
  }

  std::int64_t record_run(const RunRecord& run) override {
    const Operation operation = record_operation(run);
    Transaction transaction(db_, operation);
    const std::int64_t id = insert_run(run, operation);
    transaction.commit();
    return id;
  }

  std::vector<RunRecord> runs(const std::string& task, int limit) override {
    const Operation operation = "cannot read the run history";
    // Two statements, not `?1 = '' OR task = ?1`: SQLite plans that as a full
    // scan, while `task = ?1` walks runs_by_task backwards from the newest.
    static const std::string kAll = std::string(kSelectRuns) + " ORDER BY id DESC LIMIT ?2";
    static const std::string kOfTask = std::string(kSelectRuns) + " WHERE task = ?1 ORDER BY id DESC LIMIT ?2";
    auto select = db_.prepare(task.empty() ? kAll : kOfTask, operation);
    if (!task.empty()) select.bind(1, task);
    select.bind(2, std::int64_t{limit});
    std::vector<RunRecord> result;
    while (select.step()) result.push_back(read_run(select, operation));
    return result;
  }

  void prepare_for_writes() override {
    const Operation operation("cannot write", db_.path());
    Transaction transaction(db_, operation);
    // A write that leaves the row as it was is skipped by SQLite; one that
    // changes it and changes it back dirties the page, which is the point.
    db_.exec("UPDATE schema_version SET version = -version; UPDATE schema_version SET version = -version", operation);
    transaction.commit();
  }

  void ensure_writable() override {
    int moved = 0;
    if (sqlite3_file_control(db_.handle(), "main", SQLITE_FCNTL_HAS_MOVED, &moved) == SQLITE_OK && moved) {
      throw StoreError("store " + db_.path() + " was deleted or moved while in use: nothing written now would last");
    }
    if (directory_.empty()) return;  // in memory
    struct statvfs disk {};
    if (::statvfs(directory_.c_str(), &disk) != 0) return;  // cannot tell: the write will say
    const auto free_bytes = static_cast<std::uint64_t>(disk.f_bavail) * disk.f_frsize;
    if (free_bytes < kMinFreeBytes) {
      throw StoreError("only " + std::to_string(free_bytes / 1024) + " KiB free on the disk of store " + db_.path() +
                       " (a commit may need " + std::to_string(kMinFreeBytes / 1024) + " KiB)");
    }
  }

  bool try_lock_instance(const std::string& id) override { return locks_.try_lock("instance " + id); }
  void unlock_instance(const std::string& id) override { locks_.unlock("instance " + id); }
  bool claim_daemon() override { return locks_.try_lock("daemon"); }
  void note_call(const CallNote& note) override { calls_.note(note); }
  void call_settled(const std::string& instance_id) override { calls_.clear(instance_id); }
  std::vector<CallNote> take_calls_left() override { return calls_.take_left(); }

  std::optional<TaskState> load_task(const std::string& name) override {
    return read_task_row(name, Operation("cannot load task", name));
  }

  void save_task(const TaskState& state) override {
    const Operation operation("cannot save task", state.name);
    Transaction transaction(db_, operation);
    write_task_row(state, operation);
    transaction.commit();
  }

  TaskState update_task(const TaskUpdate& update) override {
    const Operation operation("cannot save task", update.name);
    // IMMEDIATE: no other process writes between the read and the write, so
    // its runs are added to, its pause kept, and update.check asked of the
    // task as written over (apply_task_update).
    Transaction transaction(db_, operation);
    const TaskState state = apply_task_update(read_task_row(update.name, operation), update);
    write_task_row(state, operation);
    transaction.commit();
    return state;
  }

  std::vector<TaskState> list_tasks() override {
    static const std::string kAll = std::string(kSelectTasks) + " ORDER BY name";
    auto select = db_.prepare(kAll, "cannot list tasks");
    std::vector<TaskState> result;
    while (select.step()) result.push_back(read_task(select));
    return result;
  }

 private:
  /// One transaction for `todo`. Returns the index of the run whose write
  /// failed (it holds its error; nothing was committed), or nullopt when done:
  /// committed, or failed as a whole (BEGIN or COMMIT), every run then holding the error.
  std::optional<std::size_t> try_commit(const std::vector<RunCommit*>& todo, TimePoint now) {
    if (todo.empty()) return std::nullopt;
    const std::string batch = todo.size() == 1 ? "" : "cannot commit " + std::to_string(todo.size()) + " runs";
    const Operation operation = todo.size() == 1 ? commit_operation(*todo.front()) : Operation(batch);
    std::vector<std::optional<SaveStamps>> saved(todo.size());
    std::optional<std::size_t> writing;  // set while the runs are written, between BEGIN and COMMIT
    try {
      Transaction transaction(db_, operation);
      written_.clear();
      for (writing = 0; *writing < todo.size(); ++*writing) saved[*writing] = write_run(*todo[*writing], now);
      writing.reset();
      transaction.commit();
      cache_written();
    } catch (const StoreError&) {
      if (writing) {
        todo[*writing]->error = std::current_exception();
        todo[*writing]->revision = 0;
        return writing;
      }
      for (RunCommit* commit : todo) {
        commit->error = std::current_exception();
        commit->revision = 0;
      }
      return std::nullopt;
    }
    for (std::size_t i = 0; i < todo.size(); ++i) {
      // Only after the commit, as in save_instance: a failure leaves the caller's copy as is.
      if (saved[i]) saved[i]->apply(*todo[i]->save);
    }
    return std::nullopt;
  }

  /// Named after the most important part, as the single writes name theirs.
  static Operation commit_operation(const RunCommit& commit) {
    if (commit.save) return {"cannot save instance", commit.instance_id};
    if (!commit.checkpoint.empty()) return {"cannot checkpoint instance", commit.instance_id};
    return commit.history ? record_operation(*commit.history) : "cannot record a run";
  }

  /// One run's part of a commit; returns what its save stamps when it saved.
  std::optional<SaveStamps> write_run(RunCommit& commit, TimePoint now) {
    const Operation operation = commit_operation(commit);
    std::optional<SaveStamps> saved;
    std::optional<SaveStamps> written;
    if (commit.save) {
      saved = save_in_transaction(*commit.save, now, operation);
      written = saved;
    } else if (!commit.checkpoint.empty()) {
      written = checkpoint_in_transaction(commit.instance_id, commit.process, commit.checkpoint, now, operation);
    }
    if (written) {
      commit.revision = written->revision;
      commit.created = written->created;
      commit.modified = written->modified;
    }
    if (commit.history) insert_run(*commit.history, operation);
    return saved;
  }

  /// Writes `instance` as saved now: created kept from the stored row, revision
  /// bumped. Reads only those two columns: a save overwrites the fields anyway.
  SaveStamps save_in_transaction(const InstanceRecord& instance, TimePoint now, const Operation& operation) {
    SaveStamps stamps{now, now, 1};
    {
      auto select = db_.prepare("SELECT created, revision FROM instances WHERE id = ?1", operation);
      select.bind(1, instance.id);
      if (select.step()) {
        stamps.created = from_millis(select.int64(0));
        stamps.revision = select.int64(1) + 1;
      }
    }
    InstanceRecord saved = instance;  // the cache's copy, once the transaction commits
    stamps.apply(saved);
    write_instance(std::move(saved), operation);
    return stamps;
  }

  /// Merges `fields` into the stored instance (created if absent); returns its new stamps.
  SaveStamps checkpoint_in_transaction(const std::string& id, const std::string& process, const FieldMap& fields,
                                         TimePoint now, const Operation& operation) {
    return merge_in_transaction(load_instance_as(id, operation), id, process, fields, now, operation);
  }

  /// checkpoint_in_transaction on `stored`, the instance as this transaction read it.
  SaveStamps merge_in_transaction(std::optional<InstanceRecord> stored, const std::string& id,
                                  const std::string& process, const FieldMap& fields, TimePoint now,
                                  const Operation& operation) {
    InstanceRecord merged;
    if (stored) {
      merged = std::move(*stored);
    } else {
      merged.id = id;
      merged.process = process;
      merged.created = now;
    }
    for (const auto& [name, value] : fields) merged.fields[name] = value;
    merged.modified = now;
    const SaveStamps stamps{merged.created, now, ++merged.revision};
    write_instance(std::move(merged), operation);
    return stamps;
  }

  std::int64_t insert_run(const RunRecord& run, const Operation& operation) {
    auto insert = db_.prepare(
        "INSERT INTO runs (task, instance_id, process, handler, started, finished, ok, message, log)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        operation);
    insert.bind(1, run.task).bind(2, run.instance_id).bind(3, run.process).bind(4, run.handler);
    insert.bind(5, to_millis(run.started)).bind(6, to_millis(run.finished));
    const std::string log = log_text(run.log);
    insert.bind(7, std::int64_t{run.ok ? 1 : 0}).bind(8, run.message).bind(9, log).run();
    if (keep_runs_ > 0) {
      // The first run of a task this connection records prunes it (so does
      // each one-shot `flow trigger`), and then every kPruneEveryRuns-th.
      auto& since = runs_since_prune_[run.task];
      if (since % kPruneEveryRuns == 0) prune_runs(run.task, operation);
      ++since;
    }
    return db_.last_insert_rowid();
  }

  /// Deletes the runs of `task` older than its newest keep_runs_ (runs_by_task
  /// finds the first one to go). Never the newest run, so ids keep growing.
  void prune_runs(const std::string& task, const Operation& operation) {
    auto prune = db_.prepare(
        "DELETE FROM runs WHERE task = ?1 AND id <="
        " (SELECT id FROM runs WHERE task = ?1 ORDER BY id DESC LIMIT 1 OFFSET ?2)",
        operation);
    prune.bind(1, task).bind(2, keep_runs_).run();
  }

  std::optional<InstanceRecord> load_instance_as(const std::string& id, const Operation& operation) {
    auto select = db_.prepare(
        "SELECT id, process, fields, created, modified, revision FROM instances WHERE id = ?1",
        operation);
    select.bind(1, id);
    if (!select.step()) return std::nullopt;
    return read_instance(select, operation);
  }

  bool instance_exists(const std::string& id, const Operation& operation) {
    auto select = db_.prepare("SELECT 1 FROM instances WHERE id = ?1", operation);
    select.bind(1, id);
    return select.step();
  }

  /// Empties the instance cache when another connection (a `flow trigger`
  /// beside the daemon, an admin command) has committed since the last look.
  void forget_if_others_wrote(const Operation& operation) {
    auto version = db_.prepare("PRAGMA data_version", operation);
    if (!version.step()) return;
    const std::int64_t now = version.int64(0);
    if (now != data_version_) cache_.clear();
    data_version_ = now;
  }

  /// After a commit: what it wrote becomes the cached state of those instances.
  void cache_written() {
    for (auto& record : written_) {
      const std::string id = record.id;
      cache_.insert_or_assign(id, std::move(record));
    }
    written_.clear();
  }

  void write_instance(InstanceRecord instance, const Operation& operation) {
    {
      auto upsert = db_.prepare(
          "INSERT INTO instances (id, process, fields, created, modified, revision)"
          " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (id) DO UPDATE SET"
          " process = excluded.process, fields = excluded.fields, created = excluded.created,"
          " modified = excluded.modified, revision = excluded.revision",
          operation);
      const std::string fields = to_stored_text(instance.fields);
      upsert.bind(1, instance.id).bind(2, instance.process).bind(3, fields);
      upsert.bind(4, to_millis(instance.created)).bind(5, to_millis(instance.modified));
      upsert.bind(6, instance.revision).run();
    }
    written_.push_back(std::move(instance));  // cached once (and if) the transaction commits
  }

  /// Parses stored JSON; a damaged document is a StoreError, never a crash.
  Json parse_json(const std::string& text, const Operation& operation) const {
    try {
      return Json::parse(text);
    } catch (const Json::exception& e) {
      throw StoreError("store " + db_.path() + ": " + operation.str() + ": damaged JSON: " + e.what());
    }
  }

  InstanceRecord read_instance(const sqlite::Statement& row, const Operation& operation) const {
    InstanceRecord record = read_instance_columns(row);
    record.fields = read_fields(row.text(2), operation);
    return record;
  }

  /// read_instance, but a damaged instance is returned with its `damage`
  /// instead of failing: listing the others goes on.
  InstanceRecord read_listed_instance(const sqlite::Statement& row) const {
    InstanceRecord record = read_instance_columns(row);
    try {
      record.fields = read_fields(row.text(2), Operation("cannot read instance", record.id));
    } catch (const StoreError& e) {
      record.damage = e.what();
    }
    return record;
  }

  /// An instance's columns but its fields.
  static InstanceRecord read_instance_columns(const sqlite::Statement& row) {
    InstanceRecord record;
    record.id = row.text(0);
    record.process = row.text(1);
    record.created = from_millis(row.int64(3));
    record.modified = from_millis(row.int64(4));
    record.revision = row.int64(5);
    return record;
  }

  /// The stored fields document; a damaged one is a StoreError naming the field.
  FieldMap read_fields(const std::string& text, const Operation& operation) const {
    FieldMap fields;
    const Json document = parse_json(text, operation);  // not in the loop's head: items() would outlive it
    for (const auto& [name, stored] : document.items()) {
      try {
        fields[name] = from_stored(stored);
      } catch (const std::exception& e) {
        throw StoreError("store " + db_.path() + ": " + operation.str() + ": damaged value of field '" + name +
                         "': " + e.what());
      }
    }
    return fields;
  }

  /// The columns read_run reads, in its order.
  static constexpr std::string_view kSelectRuns =
      "SELECT id, task, instance_id, process, handler, started, finished, ok, message, log FROM runs";

  RunRecord read_run(const sqlite::Statement& row, const Operation& operation) const {
    RunRecord run;
    run.id = row.int64(0);
    run.task = row.text(1);
    run.instance_id = row.text(2);
    run.process = row.text(3);
    run.handler = row.text(4);
    run.started = from_millis(row.int64(5));
    run.finished = from_millis(row.int64(6));
    run.ok = row.int64(7) != 0;
    run.message = row.text(8);
    for (const auto& line : parse_json(row.text(9), operation)) {
      run.log.push_back(line.is_string() ? line.get<std::string>() : dump_json(line));
    }
    return run;
  }

  /// The columns read_task reads, in its order.
  static constexpr std::string_view kSelectTasks =
      "SELECT name, last_run, next_run, run_count, paused, deleted, anchor, retry_at, retry_number FROM tasks";

  /// The task's row as stored; nullopt when there is none.
  std::optional<TaskState> read_task_row(const std::string& name, const Operation& operation) {
    static const std::string kByName = std::string(kSelectTasks) + " WHERE name = ?1";
    auto select = db_.prepare(kByName, operation);
    select.bind(1, name);
    if (!select.step()) return std::nullopt;
    return read_task(select);
  }

  /// The one write of a task's row, in the caller's transaction.
  void write_task_row(const TaskState& state, const Operation& operation) {
    auto upsert = db_.prepare(
        "INSERT INTO tasks (name, last_run, next_run, run_count, paused, deleted, anchor, retry_at, retry_number)"
        " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9) ON CONFLICT (name) DO UPDATE SET"
        " last_run = excluded.last_run, next_run = excluded.next_run,"
        " run_count = excluded.run_count, paused = excluded.paused, deleted = excluded.deleted,"
        " anchor = excluded.anchor, retry_at = excluded.retry_at, retry_number = excluded.retry_number",
        operation);
    upsert.bind(1, state.name).bind(2, to_millis(state.last_run)).bind(3, to_millis(state.next_run));
    upsert.bind(4, state.run_count).bind(5, std::int64_t{state.paused ? 1 : 0});
    upsert.bind(6, std::int64_t{state.deleted ? 1 : 0}).bind(7, to_millis(state.anchor));
    const auto retry_at = state.retry ? std::optional(state.retry->at) : std::nullopt;
    const auto retry_number = state.retry ? std::optional<std::int64_t>(state.retry->number) : std::nullopt;
    upsert.bind(8, to_millis(retry_at)).bind(9, retry_number).run();
  }

  static TaskState read_task(const sqlite::Statement& row) {
    TaskState state;
    state.name = row.text(0);
    if (!row.is_null(1)) state.last_run = from_millis(row.int64(1));
    if (!row.is_null(2)) state.next_run = from_millis(row.int64(2));
    state.run_count = row.int64(3);
    state.paused = row.int64(4) != 0;
    state.deleted = row.int64(5) != 0;
    if (!row.is_null(6)) state.anchor = from_millis(row.int64(6));
    if (!row.is_null(7) && !row.is_null(8))
      state.retry = PendingRetry{from_millis(row.int64(7)), static_cast<int>(row.int64(8))};
    return state;
  }

  // On the database file itself (lock_file.hpp); declared before db_ so that
  // it closes after the connection: its close drops SQLite's POSIX locks.
  LockFile locks_;
  Db db_;
  // Instances as this connection last read or committed them, valid while no
  // other connection commits (PRAGMA data_version unchanged): a run then starts
  // without reading and parsing its instance again.
  std::unordered_map<std::string, InstanceRecord> cache_;
  std::vector<InstanceRecord> written_;  // by the open transaction
  std::int64_t data_version_ = -1;
  std::string directory_;  // of the file, for its free space; empty in memory
  CallNotes calls_;        // beside the file; none in memory or read-only
  std::int64_t keep_runs_;
  std::unordered_map<std::string, std::int64_t> runs_since_prune_;  // per task, by this connection
};

}  // namespace

std::unique_ptr<Store> open_sqlite_store(const std::string& path, const SqliteOptions& options) {
  const auto file = path == ":memory:" ? std::filesystem::path() : std::filesystem::absolute(path);
  return std::make_unique<SqliteStore>(path, file, options);
}

}  // namespace flow
