// The SQLite store's notes of calls in flight (Store::note_call_sent): what a
// run killed while waiting for an answer leaves for the next run to explain.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "engine/store/sqlite_schema.hpp"
#include "engine/store/sqlite_store.hpp"
#include "store/sqlite_support.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;

namespace {

using flow::testing::exec_sql;
using flow::testing::kT0;
using flow::testing::query_int;
using flow::testing::query_text;
using flow::testing::TempDir;

flow::CallInFlight refresh_call(const std::string& id) {
  return flow::CallInFlight{id, "RestService.GetRefreshAuthToken", "Refresh", "Refresh", 0, kT0};
}

}  // namespace

TEST_CASE("sqlite store: a call noted in flight is read back, by another connection too", "[store][in_flight]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  auto store = flow::open_sqlite_store(path);
  CHECK_FALSE(store->call_in_flight("TK-1"));
  store->note_call_sent(refresh_call("TK-1"));

  const auto noted = flow::open_sqlite_store(path)->call_in_flight("TK-1");  // as the next process reads it
  REQUIRE(noted);
  CHECK(noted->instance_id == "TK-1");
  CHECK(noted->call == "RestService.GetRefreshAuthToken");
  CHECK(noted->task == "Refresh");
  CHECK(noted->handler == "Refresh");
  CHECK(noted->pid == ::getpid());
  CHECK(noted->sent_at == kT0);
  CHECK_FALSE(store->call_in_flight("TK-2"));

  auto later = refresh_call("TK-1");  // a second call of the run replaces the note
  later.call = "RestService.Other";
  later.sent_at = kT0 + 5s;
  store->note_call_sent(later);
  CHECK(query_int(path, "SELECT count(*) FROM calls_in_flight") == 1);
  CHECK(store->call_in_flight("TK-1")->call == "RestService.Other");
  CHECK(store->call_in_flight("TK-1")->sent_at == kT0 + 5s);
}

TEST_CASE("sqlite store: a run's commit clears its instance's note, and records a lost run with it",
          "[store][in_flight]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  auto store = flow::open_sqlite_store(path);
  store->note_call_sent(refresh_call("TK-1"));
  store->note_call_sent(refresh_call("TK-2"));

  flow::RunCommit commit;
  commit.instance_id = "TK-1";
  commit.process = "TokenKeeper";
  commit.checkpoint["RefreshToken"] = flow::Value(std::string("rt-2"));
  commit.clears_call = true;
  flow::RunRecord lost;
  lost.task = "Refresh";
  lost.instance_id = "TK-1";
  lost.process = "TokenKeeper";
  lost.handler = "Refresh";
  lost.started = kT0;
  lost.finished = kT0;
  lost.message = "the previous run on TK-1 ...\n";
  commit.lost_run = lost;
  store->commit_runs({&commit}, kT0 + 1s);
  CHECK_FALSE(commit.error);

  CHECK_FALSE(store->call_in_flight("TK-1"));
  CHECK(store->call_in_flight("TK-2"));  // another instance's note stays
  const auto runs = store->runs("", 10);
  REQUIRE(runs.size() == 1);
  CHECK_FALSE(runs[0].ok);
  CHECK(runs[0].instance_id == "TK-1");
  CHECK(runs[0].started == kT0);
  CHECK(runs[0].message == "the previous run on TK-1 ...\n");

  flow::RunCommit other;  // a commit that noted no call leaves the notes alone
  other.instance_id = "TK-2";
  other.process = "TokenKeeper";
  other.checkpoint["RefreshToken"] = flow::Value(std::string("rt-3"));
  store->commit_runs({&other}, kT0 + 2s);
  CHECK(query_int(path, "SELECT count(*) FROM calls_in_flight WHERE instance_id = 'TK-2'") == 1);
}

TEST_CASE("sqlite store: a version 4 file gains an empty calls_in_flight, keeping what it held",
          "[store][in_flight]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  // Built by the steps that built version 4 files in the field.
  exec_sql(path, "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (4);");
  for (std::size_t step = 0; step < 4; ++step) exec_sql(path, std::string(flow::kMigrations[step]));
  exec_sql(path, "INSERT INTO instances VALUES ('TK-1', 'TokenKeeper', '{}', 1000, 2000, 3);"
                 "INSERT INTO runs VALUES (7, 'Refresh', 'TK-1', 'TokenKeeper', 'Refresh', 1000, 1200, 1, '', '[]');"
                 "INSERT INTO tasks VALUES ('Refresh', 1000, 2000, 3, 0, 0, 500, NULL, NULL)");
  REQUIRE(query_int(path, "SELECT count(*) FROM sqlite_master WHERE name = 'calls_in_flight'") == 0);

  auto store = flow::open_sqlite_store(path);
  CHECK(query_int(path, "SELECT version FROM schema_version") == 5);
  CHECK(query_int(path, "SELECT count(*) FROM calls_in_flight") == 0);
  CHECK(store->load_instance("TK-1")->revision == 3);
  CHECK(store->runs("Refresh", 10).at(0).id == 7);
  CHECK(store->load_task("Refresh")->run_count == 3);
  store->note_call_sent(refresh_call("TK-1"));
  CHECK(query_text(path, "SELECT call FROM calls_in_flight") == "RestService.GetRefreshAuthToken");
}
