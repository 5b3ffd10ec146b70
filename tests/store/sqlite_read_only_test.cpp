// SqliteOptions::read_only: what the commands that only read (`flow instances`,
// `flow tasks list|history`) open. The file is left byte for byte as it was.
#include <filesystem>
#include <fstream>
#include <iterator>

#include <catch2/catch.hpp>

#include "engine/store/sqlite_store.hpp"
#include "store/sqlite_support.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using flow::testing::exec_sql;
using flow::testing::query_text;
using flow::testing::TempDir;

namespace {

using flow::testing::kT0;

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

std::unique_ptr<flow::Store> open_to_read(const std::string& path) {
  flow::SqliteOptions options;
  options.read_only = true;
  return flow::open_sqlite_store(path, options);
}

using flow::testing::store_error_of;

/// A store at `path` holding instance TK-1, a run and a paused task, closed.
void write_store(const std::string& path) {
  auto store = flow::open_sqlite_store(path);
  flow::InstanceRecord instance;
  instance.id = "TK-1";
  instance.process = "TokenKeeper";
  instance.fields["ClientId"] = flow::Value("client-42");
  store->save_instance(instance, kT0);
  flow::RunRecord run;
  run.task = "Refresh";
  run.instance_id = "TK-1";
  store->record_run(run);
  flow::TaskState task;
  task.name = "Refresh";
  task.paused = true;
  store->save_task(task);
}

void check_no_side_files(const std::string& path) {
  CHECK_FALSE(fs::exists(path + "-wal"));
  CHECK_FALSE(fs::exists(path + "-shm"));
  CHECK_FALSE(fs::exists(path + "-journal"));
}

}  // namespace

TEST_CASE("sqlite store read-only: reads everything and leaves the file as it was", "[store][read_only]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  write_store(path);
  const auto before = bytes_of(path);
  {
    auto store = open_to_read(path);
    CHECK(store->list_instances().size() == 1);
    CHECK(store->load_instance("TK-1")->fields.at("ClientId") == flow::Value("client-42"));
    CHECK(store->runs("Refresh", 10).size() == 1);
    CHECK(store->load_task("Refresh")->paused);
    CHECK(store->list_tasks().size() == 1);
    check_no_side_files(path);
    flow::TaskState task;
    task.name = "Other";
    CHECK_THAT(store_error_of([&] { store->save_task(task); }),
               Catch::Contains("cannot save task \"Other\"") && Catch::Contains("readonly"));
  }
  CHECK(bytes_of(path) == before);
  check_no_side_files(path);
}

TEST_CASE("sqlite store read-only: a file in another journal mode is not switched to WAL", "[store][read_only]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  write_store(path);
  exec_sql(path, "PRAGMA journal_mode = DELETE");
  const auto before = bytes_of(path);
  CHECK(open_to_read(path)->list_instances().size() == 1);
  CHECK(bytes_of(path) == before);
  check_no_side_files(path);
  CHECK(query_text(path, "PRAGMA journal_mode") == "delete");
}

TEST_CASE("sqlite store read-only: an older schema is refused, not migrated", "[store][read_only]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  exec_sql(path, "CREATE TABLE schema_version (version INTEGER NOT NULL); INSERT INTO schema_version VALUES (2);");
  const auto before = bytes_of(path);
  CHECK(store_error_of([&] { open_to_read(path); }) ==
        "store " + path + ": schema version 2 is older than this Flow's (4) and a command that only reads does not "
        "migrate it; flow store migrate does, and so does a command that writes (flow run, flow trigger, flow tasks "
        "run|pause|resume|delete)");
  CHECK(bytes_of(path) == before);

  const auto empty = dir.file("empty.db");
  exec_sql(empty, "CREATE TABLE unrelated (x)");
  CHECK_THAT(store_error_of([&] { open_to_read(empty); }), Catch::Contains("schema version 0 is older"));
}

TEST_CASE("sqlite store read-only: a newer schema is refused as on a write", "[store][read_only]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  write_store(path);
  exec_sql(path, "UPDATE schema_version SET version = 99");
  CHECK_THAT(store_error_of([&] { open_to_read(path); }), Catch::Contains("schema version 99 is newer"));
}

TEST_CASE("sqlite store read-only: commits still in a writer's log are read", "[store][read_only]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  auto writer = flow::open_sqlite_store(path);  // stays open: its commits stay in flow.db-wal
  flow::InstanceRecord instance;
  instance.id = "TK-2";
  instance.process = "TokenKeeper";
  writer->save_instance(instance, kT0);
  REQUIRE(fs::file_size(path + "-wal") > 0);
  CHECK(open_to_read(path)->load_instance("TK-2"));
  writer->save_instance(instance, kT0);  // the reader took no lock that outlives it
  CHECK(open_to_read(path)->load_instance("TK-2")->revision == 2);
}

TEST_CASE("sqlite store read-only: a missing file is an error and is not created", "[store][read_only]") {
  TempDir dir;
  const auto path = dir.file("missing.db");
  CHECK_THAT(store_error_of([&] { open_to_read(path); }), Catch::Contains("cannot open"));
  CHECK_FALSE(fs::exists(path));
}
