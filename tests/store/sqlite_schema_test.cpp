// The SQLite store's file: its schema version, what is not a store, and the
// migrations an older file goes through when opened.
#include "engine/store/sqlite_store.hpp"

#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <thread>

#include "store/sqlite_support.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using flow::TimePoint;

namespace {

using flow::testing::TempDir;
using flow::testing::exec_sql;
using flow::testing::query_int;
using flow::testing::query_text;
using flow::testing::store_error_of;

}  // namespace

TEST_CASE("sqlite store: schema version is recorded and newer files are refused", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  flow::open_sqlite_store(path);
  CHECK(query_int(path, "SELECT version FROM schema_version") == flow::kSqliteSchemaVersion);
  CHECK(query_int(path, "SELECT count(*) FROM schema_version") == 1);
  flow::open_sqlite_store(path);  // opening again migrates nothing
  CHECK(query_int(path, "SELECT count(*) FROM schema_version") == 1);

  exec_sql(path, "UPDATE schema_version SET version = 99");
  CHECK(store_error_of([&] { flow::open_sqlite_store(path); }) ==
        "store " + path + ": schema version 99 is newer than this Flow understands (" +
            std::to_string(flow::kSqliteSchemaVersion) + "); upgrade Flow");
}

TEST_CASE("sqlite store: a file that is not a database is a clear StoreError", "[store]") {
  TempDir dir;
  const auto path = dir.file("notes.txt");
  {
    std::ofstream out(path);
    out << "These are my notes, not a database.\n";
    for (int i = 0; i < 100; ++i) out << "padding line " << i << "\n";
  }
  CHECK(store_error_of([&] { flow::open_sqlite_store(path); }) ==
        "store " + path +
            ": cannot open: file is not a database (the file is damaged or is not a Flow database)");
}

TEST_CASE("sqlite store: an unopenable path is a StoreError", "[store]") {
  TempDir dir;
  const auto path = dir.file("missing-dir/flow.db");
  CHECK(store_error_of([&] { flow::open_sqlite_store(path); }) ==
        "store " + path + ": cannot open: unable to open database file: its directory " + dir.file("missing-dir") +
            " does not exist");
}

TEST_CASE("sqlite store: an old schema is migrated on open", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  exec_sql(path, "CREATE TABLE schema_version (version INTEGER NOT NULL)");  // a v0 file
  auto store = flow::open_sqlite_store(path);
  CHECK(query_int(path, "SELECT version FROM schema_version") == flow::kSqliteSchemaVersion);
  CHECK(store->allocate_id("TokenKeeper") == "TokenKeeper-1");
}

namespace {

/// A store file as Flow wrote it at schema version 1 (runs with AUTOINCREMENT),
/// holding three runs whose ids have gaps.
void write_v1_file(const std::string& path) {
  exec_sql(path, R"sql(
CREATE TABLE schema_version (version INTEGER NOT NULL);
INSERT INTO schema_version (version) VALUES (1);
CREATE TABLE instances (id TEXT PRIMARY KEY, process TEXT NOT NULL, fields TEXT NOT NULL,
  created INTEGER NOT NULL, modified INTEGER NOT NULL, revision INTEGER NOT NULL);
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, task TEXT NOT NULL, instance_id TEXT NOT NULL,
  process TEXT NOT NULL, handler TEXT NOT NULL, started INTEGER NOT NULL, finished INTEGER NOT NULL,
  ok INTEGER NOT NULL, message TEXT NOT NULL, log TEXT NOT NULL);
CREATE INDEX runs_by_task ON runs (task, id);
CREATE TABLE tasks (name TEXT PRIMARY KEY, last_run INTEGER, next_run INTEGER, run_count INTEGER NOT NULL,
  paused INTEGER NOT NULL, deleted INTEGER NOT NULL);
CREATE TABLE id_counters (process TEXT PRIMARY KEY, last INTEGER NOT NULL);
INSERT INTO runs VALUES (3, 'Keep', 'TK-1', 'TokenKeeper', 'Refresh', 1000, 1200, 1, '', '["one"]');
INSERT INTO runs VALUES (5, 'Other', 'TK-2', 'TokenKeeper', 'Refresh', 2000, 2300, 0, 'timed out', '[]');
INSERT INTO runs VALUES (9, 'Keep', 'TK-1', 'TokenKeeper', 'Refresh', 3000, 3100, 1, '', '["two","three"]');
)sql");
}

}  // namespace

TEST_CASE("sqlite store: a version 1 file migrates to runs without AUTOINCREMENT, keeping its runs", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  write_v1_file(path);
  REQUIRE(query_int(path, "SELECT seq FROM sqlite_sequence WHERE name = 'runs'") == 9);
  auto store = flow::open_sqlite_store(path);
  CHECK(query_int(path, "SELECT version FROM schema_version") == flow::kSqliteSchemaVersion);
  CHECK(query_text(path, "SELECT sql FROM sqlite_master WHERE name = 'runs'").find("AUTOINCREMENT") ==
        std::string::npos);
  CHECK(query_text(path, "SELECT sql FROM sqlite_master WHERE name = 'runs_by_task'") ==
        "CREATE INDEX runs_by_task ON runs (task, id)");
  CHECK(query_int(path, "SELECT count(*) FROM sqlite_sequence WHERE name = 'runs'") == 0);

  const auto runs = store->runs("", 10);
  REQUIRE(runs.size() == 3);
  CHECK(runs[0].id == 9);
  CHECK(runs[0].log == std::vector<std::string>{"two", "three"});
  CHECK(runs[1].id == 5);
  CHECK(runs[1].task == "Other");
  CHECK_FALSE(runs[1].ok);
  CHECK(runs[1].message == "timed out");
  CHECK(runs[1].started == TimePoint(2000ms));
  CHECK(runs[1].finished == TimePoint(2300ms));
  CHECK(runs[2].id == 3);
  CHECK(runs[2].log == std::vector<std::string>{"one"});
  CHECK(store->runs("Keep", 10).size() == 2);

  flow::RunRecord run;
  run.task = "Keep";
  CHECK(store->record_run(run) == 10);  // after the largest id kept
  CHECK(store->record_run(run) == 11);
  CHECK(store->runs("Keep", 1).front().id == 11);
}

TEST_CASE("sqlite store: an older file's tasks gain an empty anchor, keeping their state", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  write_v1_file(path);
  exec_sql(path, "INSERT INTO tasks VALUES ('Keep', 1000, 2000, 3, 0, 0)");
  auto store = flow::open_sqlite_store(path);
  CHECK(query_int(path, "SELECT version FROM schema_version") == flow::kSqliteSchemaVersion);
  auto task = store->load_task("Keep");
  REQUIRE(task);
  CHECK(task->last_run == TimePoint(1000ms));
  CHECK(task->next_run == TimePoint(2000ms));
  CHECK(task->run_count == 3);
  CHECK_FALSE(task->anchor);
}

TEST_CASE("sqlite store: a version 3 file's tasks gain no pending retry, and keep one once written",
          "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  write_v1_file(path);
  exec_sql(path, "ALTER TABLE tasks ADD COLUMN anchor INTEGER; UPDATE schema_version SET version = 3;"
                 "INSERT INTO tasks VALUES ('Keep', 1000, 2000, 3, 0, 0, 500)");
  {
    auto store = flow::open_sqlite_store(path);
    CHECK(query_int(path, "SELECT version FROM schema_version") == 4);
    auto task = store->load_task("Keep");
    REQUIRE(task);
    CHECK(task->next_run == TimePoint(2000ms));
    CHECK(task->anchor == TimePoint(500ms));
    CHECK_FALSE(task->retry);
    CHECK(task->next_time() == TimePoint(2000ms));

    flow::TaskUpdate pending;  // a daemon's failed run, its first retry's backoff begun
    pending.name = "Keep";
    pending.new_runs = 1;
    pending.last_run = TimePoint(3000ms);
    pending.plan = true;
    pending.next_run = TimePoint(4000ms);
    pending.anchor = task->anchor;
    pending.retry = flow::PendingRetry{TimePoint(3030ms), 1};
    store->update_task(pending);
  }
  auto store = flow::open_sqlite_store(path);  // the next start: a new connection
  auto task = store->load_task("Keep");
  REQUIRE(task);
  CHECK(task->run_count == 4);
  CHECK(task->retry == flow::PendingRetry{TimePoint(3030ms), 1});
  CHECK(task->next_time() == TimePoint(3030ms));
  CHECK(store->list_tasks().at(0).retry == task->retry);

  flow::TaskUpdate by_hand;  // `flow tasks run` succeeded: the retry is not needed
  by_hand.name = "Keep";
  by_hand.new_runs = 1;
  by_hand.retry_done = true;
  store->update_task(by_hand);
  CHECK_FALSE(flow::open_sqlite_store(path)->load_task("Keep")->retry);
  CHECK(query_int(path, "SELECT count(*) FROM tasks WHERE retry_at IS NULL AND retry_number IS NULL") == 1);
}

TEST_CASE("sqlite store: daemons opening a fresh file together migrate it once", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  std::vector<std::string> errors(4);
  std::vector<std::thread> openers;
  for (std::size_t i = 0; i < errors.size(); ++i) {
    openers.emplace_back([&, i] { errors[i] = store_error_of([&] { flow::open_sqlite_store(path); }); });
  }
  for (auto& opener : openers) opener.join();
  for (const auto& error : errors) CHECK(error == "(no StoreError)");
  CHECK(query_int(path, "SELECT count(*) FROM schema_version") == 1);
}
