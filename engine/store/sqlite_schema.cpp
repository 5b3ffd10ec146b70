#include "engine/store/sqlite_schema.hpp"

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "engine/store/sqlite_db.hpp"

namespace flow {

// Migration N takes the schema from version N to N + 1; each runs in its own
// transaction together with the version bump. Append, never edit: files in the
// field were created by the old steps.
const std::array<std::string_view, kSqliteSchemaVersion> kMigrations = {
    // v0 -> v1
    R"sql(
CREATE TABLE instances (
  id       TEXT PRIMARY KEY,
  process  TEXT NOT NULL,
  fields   TEXT NOT NULL,      -- JSON object: field name -> to_stored(value)
  created  INTEGER NOT NULL,   -- milliseconds since the Unix epoch (UTC)
  modified INTEGER NOT NULL,
  revision INTEGER NOT NULL
);
CREATE TABLE runs (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  task        TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  process     TEXT NOT NULL,
  handler     TEXT NOT NULL,
  started     INTEGER NOT NULL,
  finished    INTEGER NOT NULL,
  ok          INTEGER NOT NULL,
  message     TEXT NOT NULL,   -- masked by the caller
  log         TEXT NOT NULL    -- JSON array of masked lines
);
CREATE INDEX runs_by_task ON runs (task, id);
CREATE TABLE tasks (
  name      TEXT PRIMARY KEY,
  last_run  INTEGER,
  next_run  INTEGER,
  run_count INTEGER NOT NULL,
  paused    INTEGER NOT NULL,
  deleted   INTEGER NOT NULL
);
CREATE TABLE id_counters (
  process TEXT PRIMARY KEY,
  last    INTEGER NOT NULL     -- the last number handed out by allocate_id
);
)sql",
    // v1 -> v2: runs without AUTOINCREMENT, which made every history insert
    // write a page of sqlite_sequence too (one WAL frame in four per commit).
    // Rows keep their ids. Ids still never go backwards: SQLite now hands out
    // max(id) + 1, and the only delete (prune_runs, keep_runs >= 1) removes a
    // task's older runs right after inserting a newer one, so the newest id is
    // never taken away.
    // Dropping the old table drops its index and its sqlite_sequence row.
    R"sql(
CREATE TABLE runs_v2 (
  id          INTEGER PRIMARY KEY,
  task        TEXT NOT NULL,
  instance_id TEXT NOT NULL,
  process     TEXT NOT NULL,
  handler     TEXT NOT NULL,
  started     INTEGER NOT NULL,
  finished    INTEGER NOT NULL,
  ok          INTEGER NOT NULL,
  message     TEXT NOT NULL,   -- masked by the caller
  log         TEXT NOT NULL    -- JSON array of masked lines
);
INSERT INTO runs_v2 (id, task, instance_id, process, handler, started, finished, ok, message, log)
  SELECT id, task, instance_id, process, handler, started, finished, ok, message, log FROM runs;
DROP TABLE runs;
ALTER TABLE runs_v2 RENAME TO runs;
CREATE INDEX runs_by_task ON runs (task, id);
)sql",
    // v2 -> v3: the grid anchor of interval schedules (TaskState::anchor).
    // Tasks saved before it have none: the scheduler takes their next slot.
    R"sql(
ALTER TABLE tasks ADD COLUMN anchor INTEGER;
)sql",
    // v3 -> v4: a retry whose backoff had begun when the daemon stopped
    // (TaskState::retry): its time and number, both null when none is pending.
    R"sql(
ALTER TABLE tasks ADD COLUMN retry_at INTEGER;
ALTER TABLE tasks ADD COLUMN retry_number INTEGER;
)sql",
};

namespace {

using sqlite::Db;
using sqlite::Transaction;

/// journal_mode is the first statement that reads the file, so a file that
/// is not a database fails here with SQLITE_NOTADB.
void enable_wal(Db& db) {
  auto wal = db.prepare("PRAGMA journal_mode = WAL", "cannot open");
  if (!wal.step() || wal.text(0) != "wal") {
    throw StoreError("store " + db.path() + ": cannot open: the file system refused WAL mode");
  }
}

int schema_version(Db& db) {
  auto select = db.prepare("SELECT version FROM schema_version", "cannot read the schema version");
  return select.step() ? static_cast<int>(select.int64(0)) : 0;
}

void check_not_newer(const Db& db, int version) {
  if (version > kSqliteSchemaVersion) {
    throw StoreError("store " + db.path() + ": schema version " + std::to_string(version) +
                     " is newer than this Flow understands (" +
                     std::to_string(kSqliteSchemaVersion) + "); upgrade Flow");
  }
}

}  // namespace

void configure_connection(Db& db, const SqliteOptions& options) {
  // The busy timeout is set first (the constructor): another process (a
  // daemon) may be writing while we open. Switching a fresh file to WAL
  // takes its exclusive lock. When several processes open it at once SQLite
  // answers SQLITE_BUSY at once instead of waiting in the busy handler (where
  // waiting could deadlock), so retry for as long as the busy timeout allows.
  const auto give_up = std::chrono::steady_clock::now() + options.busy_timeout;
  for (;;) {
    try {
      enable_wal(db);
      break;
    } catch (const sqlite::BusyError&) {
      if (std::chrono::steady_clock::now() >= give_up) throw;
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  }
  db.exec(options.durability == Durability::full ? "PRAGMA synchronous = FULL" : "PRAGMA synchronous = NORMAL",
          "cannot open");
  db.exec("PRAGMA foreign_keys = ON", "cannot open");
  if (options.max_pages) {
    db.exec("PRAGMA max_page_count = " + std::to_string(*options.max_pages), "cannot open");
  }
}

/// A read-only connection cannot migrate: a file of an older schema is
/// refused, saying what will migrate it.
void check_current_schema(Db& db) {
  auto table = db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'schema_version'", "cannot open");
  const int version = table.step() && table.int64(0) > 0 ? schema_version(db) : 0;
  check_not_newer(db, version);
  if (version < kSqliteSchemaVersion) {
    throw StoreError("store " + db.path() + ": schema version " + std::to_string(version) +
                     " is older than this Flow's (" + std::to_string(kSqliteSchemaVersion) +
                     ") and a command that only reads does not migrate it; flow store migrate does, and so "
                     "does a command that writes (flow run, flow trigger, flow tasks run|pause|resume|delete)");
  }
}

int migrate(Db& db) {
  db.exec("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)",
          "cannot read the schema version");
  int version = schema_version(db);
  check_not_newer(db, version);
  const int found = version;
  while (version < kSqliteSchemaVersion) {
    const std::string operation = "cannot migrate the schema to version " + std::to_string(version + 1);
    Transaction transaction(db, operation);
    version = schema_version(db);  // again under the write lock: another daemon may have migrated
    check_not_newer(db, version);
    if (version == kSqliteSchemaVersion) break;  // the transaction rolls back, having changed nothing
    db.exec(kMigrations[static_cast<std::size_t>(version)], operation);
    db.exec("DELETE FROM schema_version", operation);
    db.exec("INSERT INTO schema_version (version) VALUES (" + std::to_string(version + 1) + ")",
            operation);
    transaction.commit();
    ++version;
  }
  return found;
}

SchemaMigration migrate_sqlite_store(const std::string& path, const SqliteOptions& options) {
  if (!std::filesystem::exists(path)) throw StoreError("store " + path + ": cannot open: no such file");
  Db db(path, sqlite::OpenMode::read_write);
  sqlite3_busy_timeout(db.handle(), static_cast<int>(options.busy_timeout.count()));
  configure_connection(db, options);
  return SchemaMigration{migrate(db), kSqliteSchemaVersion};
}

}  // namespace flow
