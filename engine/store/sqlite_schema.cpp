#include "engine/store/sqlite_schema.hpp"

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
};

}  // namespace flow
