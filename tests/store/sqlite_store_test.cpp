#include "engine/store/sqlite_store.hpp"

#include <sqlite3.h>

#include <cmath>

#include <catch2/catch.hpp>

#include <filesystem>
#include <functional>
#include <fstream>
#include <random>
#include <thread>

#include "store/sqlite_support.hpp"
#include "support/temp_dir.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;
using flow::FieldMap;
using flow::InstanceRecord;
using flow::TimePoint;
using flow::Value;

namespace {

using flow::testing::TempDir;
using flow::testing::exec_sql;
using flow::testing::query_int;
using flow::testing::query_text;
using flow::testing::store_error_of;

using flow::testing::kT0;

InstanceRecord token_keeper(const std::string& id) {
  InstanceRecord record;
  record.id = id;
  record.process = "TokenKeeper";
  record.fields["ClientId"] = Value("client-42");
  record.fields["RefreshToken"] = Value(std::string("rt-0123456789abcdef"), true);
  return record;
}

/// A new store at `path` that can grow by `pages` pages only: "disk full"
/// without filling a disk.
std::unique_ptr<flow::Store> capped_store(const std::string& path, std::int64_t pages) {
  flow::open_sqlite_store(path);  // create the schema without a cap
  flow::SqliteOptions options;
  options.max_pages = query_int(path, "PRAGMA page_count") + pages;
  return flow::open_sqlite_store(path, options);
}

/// A store with room for two more pages only, holding "TK-1" saved at kT0.
struct NearlyFullStore {
  NearlyFullStore() { store->save_instance(record, kT0); }

  TempDir dir;
  const std::string path = dir.file("flow.db");
  std::unique_ptr<flow::Store> store = capped_store(path, 2);
  InstanceRecord record = token_keeper("TK-1");
};

/// Store::commit_runs for one run, as the engine's lone commit makes it:
/// throws its StoreError, returns its revision.
std::int64_t commit_run(flow::Store& store, flow::RunCommit& commit, flow::TimePoint now) {
  store.commit_runs({&commit}, now);
  if (commit.error) std::rethrow_exception(commit.error);
  return commit.revision;
}

}  // namespace

TEST_CASE("sqlite store: every value kind and the secret bit survive a round trip", "[store]") {
  TempDir dir;
  auto store = flow::open_sqlite_store(dir.file("flow.db"));
  InstanceRecord record;
  record.id = "TK-1";
  record.process = "TokenKeeper";
  record.fields["Null"] = Value();
  record.fields["Bool"] = Value(true);
  record.fields["Number"] = Value(3600.5);
  record.fields["Text"] = Value("hello ${not interpolated}");
  record.fields["Secret"] = Value(std::string("s3cr3t-refresh-token"), true);
  record.fields["When"] = Value(kT0 + 123ms);
  record.fields["Span"] = Value(flow::Duration(55min));
  record.fields["Json"] = Value(flow::Json::parse(R"({"a":[1,2,{"b":null}],"c":"d"})"));
  record.fields["List"] = Value(flow::List{Value("x"), Value(2), Value(std::string("hidden"), true)});
  store->save_instance(record, kT0);

  // Through a second connection: the first one would answer from its cache.
  auto loaded = flow::open_sqlite_store(dir.file("flow.db"))->load_instance("TK-1");
  REQUIRE(loaded);
  CHECK(loaded->process == "TokenKeeper");
  REQUIRE(loaded->fields.size() == record.fields.size());
  for (const auto& [name, value] : record.fields) {
    INFO("field " << name);
    const Value& got = loaded->fields.at(name);
    CHECK(got.kind() == value.kind());
    CHECK(got == value);
    CHECK(got.secret == value.secret);
  }
  CHECK(loaded->fields.at("Secret").secret);
  CHECK_FALSE(loaded->fields.at("Text").secret);
  CHECK(loaded->fields.at("List").as<flow::List>()[2].secret);
  CHECK(loaded->created == kT0);
  CHECK(loaded->modified == kT0);
  CHECK(loaded->revision == 1);
  CHECK_FALSE(store->load_instance("TK-2"));
}

TEST_CASE("sqlite store: save keeps created, bumps revision and modified", "[store]") {
  TempDir dir;
  auto store = flow::open_sqlite_store(dir.file("flow.db"));
  auto record = token_keeper("TK-1");
  store->save_instance(record, kT0);
  CHECK(record.revision == 1);
  CHECK(record.created == kT0);
  record.fields["ClientId"] = Value("client-43");
  record.fields.erase("RefreshToken");  // save writes the whole instance
  store->save_instance(record, kT0 + 5min);
  CHECK(record.revision == 2);
  CHECK(record.created == kT0);
  CHECK(record.modified == kT0 + 5min);
  auto loaded = store->load_instance("TK-1");
  REQUIRE(loaded);
  CHECK(loaded->revision == 2);
  CHECK(loaded->created == kT0);
  CHECK(loaded->modified == kT0 + 5min);
  CHECK(loaded->fields.at("ClientId") == Value("client-43"));
  CHECK(loaded->fields.count("RefreshToken") == 0);
}

TEST_CASE("sqlite store: seed inserts only when the instance is absent", "[store]") {
  TempDir dir;
  auto store = flow::open_sqlite_store(dir.file("flow.db"));
  auto seed = token_keeper("TK-1");
  CHECK(store->seed_instance(seed, kT0));
  auto rotated = *store->load_instance("TK-1");
  rotated.fields["RefreshToken"] = Value(std::string("rt-rotated-9876543210"), true);
  store->save_instance(rotated, kT0 + 1min);

  CHECK_FALSE(store->seed_instance(seed, kT0 + 2min));  // the file's seed values never overwrite
  auto loaded = store->load_instance("TK-1");
  REQUIRE(loaded);
  CHECK(loaded->fields.at("RefreshToken") == Value("rt-rotated-9876543210"));
  CHECK(loaded->revision == 2);
  CHECK(loaded->modified == kT0 + 1min);
}

TEST_CASE("sqlite store: checkpoint_fields merges into the stored instance", "[store]") {
  TempDir dir;
  auto store = flow::open_sqlite_store(dir.file("flow.db"));
  auto record = token_keeper("TK-1");
  store->save_instance(record, kT0);

  FieldMap mapped;
  mapped["AccessToken"] = Value(std::string("at-new-0123456789abcdef"), true);
  mapped["RefreshToken"] = Value(std::string("rt-new-0123456789abcdef"), true);
  store->checkpoint_fields("TK-1", "TokenKeeper", mapped, kT0 + 1min);

  auto loaded = store->load_instance("TK-1");
  REQUIRE(loaded);
  CHECK(loaded->fields.at("ClientId") == Value("client-42"));  // untouched
  CHECK(loaded->fields.at("RefreshToken") == Value("rt-new-0123456789abcdef"));
  CHECK(loaded->fields.at("RefreshToken").secret);
  CHECK(loaded->fields.at("AccessToken").secret);
  CHECK(loaded->revision == 2);
  CHECK(loaded->created == kT0);
  CHECK(loaded->modified == kT0 + 1min);

  SECTION("creates the instance when absent") {
    store->checkpoint_fields("TokenKeeper-7", "TokenKeeper", mapped, kT0 + 2min);
    auto created = store->load_instance("TokenKeeper-7");
    REQUIRE(created);
    CHECK(created->process == "TokenKeeper");
    CHECK(created->fields.size() == 2);
    CHECK(created->revision == 1);
    CHECK(created->created == kT0 + 2min);
  }
}

TEST_CASE("sqlite store: list_instances in id order", "[store]") {
  TempDir dir;
  auto store = flow::open_sqlite_store(dir.file("flow.db"));
  CHECK(store->list_instances().empty());
  store->seed_instance(token_keeper("TK-2"), kT0);
  store->seed_instance(token_keeper("TK-1"), kT0);
  auto all = store->list_instances();
  REQUIRE(all.size() == 2);
  CHECK(all[0].id == "TK-1");
  CHECK(all[1].id == "TK-2");
  CHECK(all[1].fields.at("RefreshToken").secret);
}

TEST_CASE("sqlite store: one damaged instance is listed as damaged, the others as usual", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  {
    auto store = flow::open_sqlite_store(path);
    store->seed_instance(token_keeper("TK-1"), kT0);
    store->seed_instance(token_keeper("TK-2"), kT0);
    store->seed_instance(token_keeper("TK-3"), kT0);
  }
  // What an infinite number was stored as before runs refused it.
  exec_sql(path, R"(UPDATE instances SET fields = '{"A":{"t":"number","v":null}}' WHERE id = 'TK-2')");
  auto store = flow::open_sqlite_store(path);
  const auto all = store->list_instances();
  REQUIRE(all.size() == 3);
  CHECK(all[0].damage.empty());
  CHECK(all[0].fields.at("ClientId") == Value("client-42"));
  CHECK(all[1].id == "TK-2");
  CHECK(all[1].revision == 1);
  CHECK(all[1].fields.empty());
  CHECK_THAT(all[1].damage, Catch::Contains(": cannot read instance \"TK-2\": damaged value of field 'A': "));
  CHECK(all[2].damage.empty());
  // Opening it for a run is still an error: its values cannot be trusted.
  CHECK_THAT(store_error_of([&] { store->load_instance("TK-2"); }), Catch::Contains("damaged value of field 'A'"));
}

TEST_CASE("sqlite store: allocate_id counts per process and skips taken ids", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  {
    auto store = flow::open_sqlite_store(path);
    CHECK(store->allocate_id("TokenKeeper") == "TokenKeeper-1");
    CHECK(store->allocate_id("TokenKeeper") == "TokenKeeper-2");
    CHECK(store->allocate_id("Invoice") == "Invoice-1");
    store->seed_instance(token_keeper("TokenKeeper-3"), kT0);  // declared in a file
    CHECK(store->allocate_id("TokenKeeper") == "TokenKeeper-4");
  }
  auto reopened = flow::open_sqlite_store(path);
  CHECK(reopened->allocate_id("TokenKeeper") == "TokenKeeper-5");
}

TEST_CASE("sqlite store: run history, newest first, filtered by task", "[store]") {
  TempDir dir;
  auto store = flow::open_sqlite_store(dir.file("flow.db"));
  CHECK(store->runs("", 10).empty());
  for (int i = 0; i < 3; ++i) {
    flow::RunRecord run;
    run.task = i == 1 ? "Other" : "Refresh access token";
    run.instance_id = "TK-1";
    run.process = "TokenKeeper";
    run.handler = "Refresh";
    run.started = kT0 + std::chrono::minutes(55 * i);
    run.finished = run.started + 250ms;
    run.ok = i != 2;
    run.message = run.ok ? "" : "HTTP 400 from POST /oauth/token";
    run.log = {"refreshing", "token ••••cdef"};
    CHECK(store->record_run(run) == i + 1);
  }
  auto all = store->runs("", 10);
  REQUIRE(all.size() == 3);
  CHECK(all[0].id == 3);
  CHECK(all[2].id == 1);
  auto mine = store->runs("Refresh access token", 10);
  REQUIRE(mine.size() == 2);
  CHECK(mine[0].id == 3);
  CHECK_FALSE(mine[0].ok);
  CHECK(mine[0].message == "HTTP 400 from POST /oauth/token");
  CHECK(mine[0].started == kT0 + 110min);
  CHECK(mine[0].finished == kT0 + 110min + 250ms);
  CHECK(mine[0].log == std::vector<std::string>{"refreshing", "token ••••cdef"});
  CHECK(mine[1].ok);
  CHECK(store->runs("Refresh access token", 1).size() == 1);
}

TEST_CASE("sqlite store: the stored log is the text the Json route wrote, and reads back the same", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  auto store = flow::open_sqlite_store(path);
  flow::RunRecord run;
  run.log = {"",
             "say \"hi\" \\ back/slash",
             std::string("tab\tline\ncr\rbell\x07nul") + std::string(1, '\0') + "end\x7f",
             "token \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" "cdef caf\xC3\xA9 \xF0\x9F\x94\x91"};
  const auto id = store->record_run(run);
  CHECK(query_text(path, "SELECT log FROM runs WHERE id = " + std::to_string(id)) == flow::Json(run.log).dump());
  CHECK(store->runs("", 1).front().log == run.log);

  run.log.clear();
  const auto empty = store->record_run(run);
  CHECK(query_text(path, "SELECT log FROM runs WHERE id = " + std::to_string(empty)) == "[]");
  CHECK(store->runs("", 1).front().log.empty());
}

TEST_CASE("sqlite store: task state round trip", "[store]") {
  TempDir dir;
  auto store = flow::open_sqlite_store(dir.file("flow.db"));
  CHECK_FALSE(store->load_task("Refresh access token"));
  flow::TaskState state;
  state.name = "Refresh access token";
  store->save_task(state);
  auto empty = store->load_task("Refresh access token");
  REQUIRE(empty);
  CHECK_FALSE(empty->last_run);
  CHECK_FALSE(empty->next_run);
  CHECK(empty->run_count == 0);

  CHECK_FALSE(empty->anchor);

  state.last_run = kT0;
  state.next_run = kT0 + 55min;
  state.run_count = 7;
  state.paused = true;
  state.anchor = kT0 - 24h;
  store->save_task(state);
  flow::TaskState other;
  other.name = "Another";
  other.deleted = true;
  store->save_task(other);

  auto loaded = store->load_task("Refresh access token");
  REQUIRE(loaded);
  CHECK(loaded->last_run == kT0);
  CHECK(loaded->next_run == kT0 + 55min);
  CHECK(loaded->run_count == 7);
  CHECK(loaded->paused);
  CHECK_FALSE(loaded->deleted);
  CHECK(loaded->anchor == kT0 - 24h);
  auto tasks = store->list_tasks();
  REQUIRE(tasks.size() == 2);
  CHECK(tasks[0].name == "Another");
  CHECK(tasks[0].deleted);
  CHECK(tasks[1].anchor == kT0 - 24h);
}

TEST_CASE("sqlite store: data survives closing and reopening; WAL mode on disk", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  {
    auto store = flow::open_sqlite_store(path);
    auto record = token_keeper("TK-1");
    store->save_instance(record, kT0);
    CHECK(fs::exists(path + "-wal"));  // the write went to the write-ahead log
    CHECK(query_text(path, "PRAGMA journal_mode") == "wal");  // persistent in the file
  }
  CHECK_FALSE(fs::exists(path + "-wal"));  // checkpointed and removed on the last close
  auto store = flow::open_sqlite_store(path);
  auto loaded = store->load_instance("TK-1");
  REQUIRE(loaded);
  CHECK(loaded->fields.at("RefreshToken") == Value("rt-0123456789abcdef"));
  CHECK(loaded->fields.at("RefreshToken").secret);
}

TEST_CASE_METHOD(NearlyFullStore, "sqlite store: disk full fails the write and keeps the committed state", "[store]") {
  auto huge = record;
  huge.fields["Blob"] = Value(std::string(64 * 1024, 'x'));
  CHECK(store_error_of([&] { store->save_instance(huge, kT0 + 1min); }) ==
        "store " + path + ": cannot save instance \"TK-1\": disk full (database or disk is full)");
  CHECK(huge.revision == 1);  // the caller's copy was not updated either

  FieldMap mapped;
  mapped["Blob"] = Value(std::string(64 * 1024, 'y'));
  CHECK(store_error_of([&] { store->checkpoint_fields("TK-1", "TokenKeeper", mapped, kT0 + 2min); }) ==
        "store " + path + ": cannot checkpoint instance \"TK-1\": disk full (database or disk is full)");

  // A run by hand (flow trigger) has no task: its instance names it.
  flow::RunRecord by_hand;
  by_hand.instance_id = "TK-1";
  by_hand.process = "TokenKeeper";
  by_hand.handler = "Refresh";
  by_hand.log.assign(1, std::string(64 * 1024, 'z'));
  CHECK(store_error_of([&] { store->record_run(by_hand); }) ==
        "store " + path + ": cannot record a run by hand on instance \"TK-1\": disk full (database or disk is full)");
  auto scheduled = by_hand;
  scheduled.task = "Refresh access token";
  CHECK(store_error_of([&] { store->record_run(scheduled); }) ==
        "store " + path + ": cannot record a run of \"Refresh access token\": disk full (database or disk is full)");

  auto loaded = store->load_instance("TK-1");  // the connection is still usable
  REQUIRE(loaded);
  CHECK(loaded->revision == 1);
  CHECK(loaded->fields.count("Blob") == 0);
  CHECK(loaded->fields.at("RefreshToken") == Value("rt-0123456789abcdef"));
  record.fields["ClientId"] = Value("small change");
  store->save_instance(record, kT0 + 3min);  // and small writes still succeed
  CHECK(store->load_instance("TK-1")->revision == 2);
}

TEST_CASE("sqlite store: a second connection sees committed writes", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  auto daemon = flow::open_sqlite_store(path);
  auto admin = flow::open_sqlite_store(path);
  flow::TaskState state;
  state.name = "Refresh access token";
  daemon->save_task(state);
  state.paused = true;
  admin->save_task(state);
  auto seen = daemon->load_task("Refresh access token");
  REQUIRE(seen);
  CHECK(seen->paused);
}

TEST_CASE("sqlite store: a write blocked by another process's lock fails after busy_timeout", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  flow::SqliteOptions options;
  options.busy_timeout = 50ms;
  auto store = flow::open_sqlite_store(path, options);
  auto record = token_keeper("TK-1");
  store->save_instance(record, kT0);

  sqlite3* other = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &other) == SQLITE_OK);
  REQUIRE(sqlite3_exec(other, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr) == SQLITE_OK);
  record.fields["ClientId"] = Value("while locked");
  CHECK(store_error_of([&] { store->save_instance(record, kT0 + 1min); }) ==
        "store " + path + ": cannot save instance \"TK-1\": database is locked (another process holds the database lock)");
  CHECK(store->load_instance("TK-1")->fields.at("ClientId") == Value("client-42"));  // readers are not blocked in WAL
  sqlite3_exec(other, "ROLLBACK", nullptr, nullptr, nullptr);
  sqlite3_close(other);

  store->save_instance(record, kT0 + 2min);
  CHECK(store->load_instance("TK-1")->revision == 2);
}

TEST_CASE("a new store file is readable by its owner only", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  { const auto store = flow::open_sqlite_store(path); }
  const auto permissions = fs::status(path).permissions();
  CHECK((permissions & (fs::perms::group_all | fs::perms::others_all)) == fs::perms::none);
  CHECK((permissions & fs::perms::owner_read) != fs::perms::none);
}

TEST_CASE_METHOD(NearlyFullStore, "sqlite store: commit_run writes the save and the history in one transaction", "[store]") {
  flow::RunRecord run;
  run.instance_id = "TK-1";
  run.process = "TokenKeeper";
  run.handler = "Refresh";
  run.ok = true;
  flow::RunCommit commit;
  commit.instance_id = "TK-1";
  commit.process = "TokenKeeper";
  commit.save = record;
  commit.save->fields["RefreshToken"] = Value("rt-rotated-0000000002");
  commit.history = run;
  CHECK(commit_run(*store, commit, kT0 + 1min) == 2);
  CHECK(commit.save->revision == 2);
  CHECK(commit.save->created == kT0);
  CHECK(commit.save->modified == kT0 + 1min);
  CHECK(store->load_instance("TK-1")->fields.at("RefreshToken") == Value("rt-rotated-0000000002"));
  CHECK(store->runs("", 10).size() == 1);

  // Too big to fit: neither the instance nor the history record is written.
  flow::RunCommit huge = commit;
  huge.save->fields["Blob"] = Value(std::string(64 * 1024, 'x'));
  CHECK(store_error_of([&] { commit_run(*store, huge, kT0 + 2min); }) ==
        "store " + path + ": cannot save instance \"TK-1\": disk full (database or disk is full)");
  CHECK(huge.save->revision == 2);  // the caller's copy is untouched
  CHECK(store->load_instance("TK-1")->revision == 2);
  CHECK(store->runs("", 10).size() == 1);

  // A checkpoint alone merges into the stored fields and bumps the revision.
  flow::RunCommit checkpoint;
  checkpoint.instance_id = "TK-1";
  checkpoint.process = "TokenKeeper";
  checkpoint.checkpoint["RefreshToken"] = Value("rt-rotated-0000000003");
  CHECK(commit_run(*store, checkpoint, kT0 + 3min) == 3);
  const auto stored = store->load_instance("TK-1");
  CHECK(stored->fields.at("RefreshToken") == Value("rt-rotated-0000000003"));
  CHECK(stored->fields.at("ClientId") == record.fields.at("ClientId"));
}

TEST_CASE("sqlite store: commit_runs commits a batch together; one that does not fit fails alone", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  auto store = capped_store(path, 4);
  std::vector<flow::RunCommit> commits(3);
  for (int i = 0; i < 3; ++i) {
    auto& commit = commits[static_cast<std::size_t>(i)];
    commit.instance_id = "TK-" + std::to_string(i + 1);
    commit.process = "TokenKeeper";
    commit.save = token_keeper(commit.instance_id);
    flow::RunRecord run;
    run.instance_id = commit.instance_id;
    commit.history = run;
  }
  commits[1].save->fields["Blob"] = Value(std::string(64 * 1024, 'x'));  // too big for the cap
  std::vector<flow::RunCommit*> batch{&commits[0], &commits[1], &commits[2]};
  store->commit_runs(batch, kT0);

  CHECK_FALSE(commits[0].error);
  CHECK(commits[0].revision == 1);
  CHECK(commits[0].save->created == kT0);
  REQUIRE(commits[1].error);
  CHECK(store_error_of([&] { std::rethrow_exception(commits[1].error); }) ==
        "store " + path + ": cannot save instance \"TK-2\": disk full (database or disk is full)");
  CHECK(commits[1].revision == 0);
  CHECK_FALSE(commits[2].error);
  CHECK(store->load_instance("TK-1"));
  CHECK_FALSE(store->load_instance("TK-2"));
  CHECK(store->load_instance("TK-3"));
  const auto runs = store->runs("", 10);
  REQUIRE(runs.size() == 2);  // TK-2's history record went with its failed savepoint
  CHECK(runs[0].instance_id == "TK-3");
  CHECK(runs[1].instance_id == "TK-1");
}

TEST_CASE("sqlite store: an instance another connection saved is read fresh, not from the cache", "[store]") {
  TempDir dir;
  const auto path = dir.file("flow.db");
  auto daemon = flow::open_sqlite_store(path);
  auto trigger = flow::open_sqlite_store(path);  // `flow trigger` beside the daemon
  auto record = token_keeper("TK-1");
  daemon->save_instance(record, kT0);
  CHECK(daemon->load_instance("TK-1")->revision == 1);  // cached by the daemon now

  auto other = *trigger->load_instance("TK-1");
  other.fields["RefreshToken"] = Value("rt-from-the-other-connection");
  trigger->save_instance(other, kT0 + 1min);

  const auto seen = daemon->load_instance("TK-1");
  REQUIRE(seen);
  CHECK(seen->revision == 2);
  CHECK(seen->fields.at("RefreshToken") == Value("rt-from-the-other-connection"));
  // And the daemon's own later write is what it reads back.
  auto mine = *seen;
  mine.fields["RefreshToken"] = Value("rt-daemon-0003");
  daemon->save_instance(mine, kT0 + 2min);
  CHECK(daemon->load_instance("TK-1")->fields.at("RefreshToken") == Value("rt-daemon-0003"));
  CHECK(trigger->load_instance("TK-1")->fields.at("RefreshToken") == Value("rt-daemon-0003"));
}

TEST_CASE("sqlite store: the stored text of fields is the document the Json route builds", "[store]") {
  FieldMap fields;
  fields["Null"] = Value();
  fields["Yes"] = Value(true);
  fields["No"] = Value(false);
  fields["Whole"] = Value(3600.0);
  fields["Half"] = Value(3600.5);
  fields["Tiny"] = Value(0.1);
  fields["Huge"] = Value(1e300);
  fields["Negative"] = Value(-42.25);
  fields["NotANumber"] = Value(std::nan(""));
  fields["Quotes"] = Value("say \"hi\" \\ back/slash");
  fields["Controls"] = Value(std::string("tab\tline\ncr\rbell\x07nul") + std::string(1, '\0') + "end");
  fields["Unicode"] = Value("caf\xC3\xA9 \xE2\x80\xA2\xE2\x80\xA2");
  fields["Secret"] = Value(std::string("rt-0123456789abcdef"), true);
  fields["When"] = Value(kT0 + 123ms);
  fields["Span"] = Value(flow::Duration(55min));
  fields["Json"] = Value(flow::Json::parse(R"({"a":[1,2,{"b":null}],"c":"d"})"));
  fields["List"] = Value(flow::List{Value("x"), Value(2), Value(std::string("hidden"), true)});
  fields["with \"odd\" name"] = Value("v");

  flow::Json expected = flow::Json::object();
  for (const auto& [name, value] : fields) expected[name] = flow::to_stored(value);
  expected = flow::Json::parse(expected.dump());  // what the Json route stored (NaN is written as null)
  const std::string text = flow::to_stored_text(fields);
  INFO(text);
  const auto parsed = flow::Json::parse(text);
  CHECK(parsed.size() == expected.size());
  for (const auto& [name, value] : expected.items()) {
    INFO("field " << name << ": " << parsed.at(name).dump() << " vs " << value.dump());
    CHECK(parsed.at(name) == value);
  }
  for (const auto& [name, value] : fields) {
    if (name == "NotANumber") continue;  // NaN != NaN; it is stored as null, as before
    CHECK(flow::from_stored(flow::Json::parse(text).at(name)) == value);
  }
}

TEST_CASE("sqlite store: a store file deleted while in use refuses further calls", "[store]") {
  TempDir dir;
  const auto path = dir.file("gone.db");
  auto store = flow::open_sqlite_store(path);
  store->prepare_for_writes();
  CHECK_NOTHROW(store->ensure_writable());
  std::filesystem::remove(path);  // `rm flow.db*` beside a running daemon
  std::filesystem::remove(path + "-wal");
  std::filesystem::remove(path + "-shm");
  CHECK_THROWS_WITH(store->ensure_writable(), Catch::Contains("was deleted or moved while in use"));
}

TEST_CASE("sqlite store: prepare_for_writes leaves the write-ahead log ready before any call", "[store]") {
  TempDir dir;
  const auto path = dir.file("ready.db");
  {
    auto setup = flow::open_sqlite_store(path);  // created, migrated and closed: no log left behind
  }
  REQUIRE_FALSE(std::filesystem::exists(path + "-wal"));
  auto store = flow::open_sqlite_store(path);
  store->prepare_for_writes();
  REQUIRE(std::filesystem::exists(path + "-wal"));
  CHECK(std::filesystem::file_size(path + "-wal") > 32);  // its header and a first frame are on disk
}
