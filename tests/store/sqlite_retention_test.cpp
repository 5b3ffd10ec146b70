// The SQLite store's run history retention: the newest keep_runs runs of each
// task are kept (docs/semantics.md, "Run history retention").
#include "engine/store/sqlite_store.hpp"

#include <catch2/catch.hpp>

#include <functional>

#include "store/sqlite_support.hpp"
#include "support/temp_dir.hpp"

using namespace std::chrono_literals;
using flow::TimePoint;
using flow::testing::TempDir;

namespace {

using flow::testing::kT0;

/// Records runs first..last; `task_of(id)` names each one's task.
void record_runs(flow::Store& store, std::int64_t first, std::int64_t last,
                 const std::function<std::string(std::int64_t)>& task_of) {
  for (std::int64_t id = first; id <= last; ++id) {
    flow::RunRecord run;
    run.task = task_of(id);
    run.process = "TokenKeeper";
    run.handler = "Refresh";
    run.started = kT0 + std::chrono::minutes(id);
    run.finished = run.started;
    run.ok = true;
    REQUIRE(store.record_run(run) == id);
  }
}

std::vector<std::int64_t> run_ids(flow::Store& store, const std::string& task) {
  std::vector<std::int64_t> ids;
  for (const auto& run : store.runs(task, 1000)) ids.push_back(run.id);
  return ids;
}

std::unique_ptr<flow::Store> store_keeping(const std::string& path, std::int64_t keep_runs) {
  flow::SqliteOptions options;
  options.keep_runs = keep_runs;
  return flow::open_sqlite_store(path, options);
}

}  // namespace

TEST_CASE("sqlite store: run history keeps the newest keep_runs runs of each task", "[store][retention]") {
  static_assert(flow::kPruneEveryRuns == 64);
  TempDir dir;
  auto store = store_keeping(dir.file("flow.db"), 5);
  // A task is pruned at its 1st, 65th and 129th run on this connection.
  record_runs(*store, 1, 130, [](std::int64_t) { return "A"; });
  CHECK(run_ids(*store, "A") == std::vector<std::int64_t>{130, 129, 128, 127, 126, 125});
  flow::RunRecord next;  // ids go on from the newest
  next.task = "A";
  CHECK(store->record_run(next) == 131);
}

TEST_CASE("sqlite store: tasks whose runs alternate are each pruned", "[store][retention]") {
  // Two schedules on one instance take turns: A gets the odd ids, B the even.
  TempDir dir;
  auto store = store_keeping(dir.file("flow.db"), 5);
  record_runs(*store, 1, 260, [](std::int64_t id) { return id % 2 == 1 ? "A" : "B"; });
  CHECK(run_ids(*store, "A") == std::vector<std::int64_t>{259, 257, 255, 253, 251, 249});
  CHECK(run_ids(*store, "B") == std::vector<std::int64_t>{260, 258, 256, 254, 252, 250});
}

TEST_CASE("sqlite store: a connection's first run of a task prunes it (one-shot flow trigger)", "[store][retention]") {
  TempDir dir;
  record_runs(*store_keeping(dir.file("flow.db"), 0), 1, 10, [](std::int64_t) { return ""; });
  record_runs(*store_keeping(dir.file("flow.db"), 5), 11, 11, [](std::int64_t) { return ""; });
  CHECK(run_ids(*store_keeping(dir.file("flow.db"), 5), "") == std::vector<std::int64_t>{11, 10, 9, 8, 7});
}

TEST_CASE("sqlite store: keep_runs 0 keeps every run", "[store][retention]") {
  TempDir dir;
  auto store = store_keeping(dir.file("flow.db"), 0);
  record_runs(*store, 1, 130, [](std::int64_t) { return "A"; });
  CHECK(run_ids(*store, "A").size() == 130);
}
