// `flow tasks ...` and `flow instances ...` end to end: the binary over a store.
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include <date/date.h>

#include "e2e/e2e_support.hpp"
#include "engine/store/sqlite_store.hpp"
#include "store/sqlite_support.hpp"
#include "engine/store/sqlite_db.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

namespace {

constexpr const char* kTask = "Refresh access token";  // the seed example's schedule

namespace fs = std::filesystem;

std::string bytes_of(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

/// A closed store at `db` holding instance TK-1 (ClientId "client-42") and task kTask.
void write_store(const std::string& db) {
  const auto store = open_sqlite_store(db);
  InstanceRecord instance;
  instance.id = "TK-1";
  instance.process = "TokenKeeper";
  instance.fields["ClientId"] = Value("client-42");
  store->save_instance(instance, TimePoint(std::chrono::hours(1)));
  TaskState task;
  task.name = kTask;
  store->save_task(task);
}

/// The commands that only read the store, each with `--db db`.
std::vector<std::vector<std::string>> read_only_commands(const std::string& db) {
  std::vector<std::vector<std::string>> commands = {{"instances", "list"},      {"instances", "show", "TK-1"},
                                                    {"tasks", "list"},          {"tasks", "history"},
                                                    {"tasks", "history", kTask}};
  for (auto& command : commands) command.insert(command.end(), {"--db", db});
  return commands;
}

/// `flow ARGS` as a user that file permissions bind: root, whom chmod does not
/// stop, runs it through setpriv as nobody. Nullopt when setpriv cannot run.
std::optional<FlowRun> run_flow_unprivileged(std::vector<std::string> args) {
  if (::geteuid() != 0) return run_flow(args);
  args.insert(args.begin(), {"setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", flow_binary()});
  try {
    return run_program(args);
  } catch (const std::runtime_error& e) {
    WARN("skipped: running as root and setpriv cannot drop to nobody: " << e.what());
    return std::nullopt;
  }
}

}  // namespace

TEST_CASE("flow tasks pause|resume|delete: an unknown task is an error and writes no row", "[e2e]") {
  TempDir dir;
  const auto file = write_seed(dir);
  const auto db = dir.file("flow.db");

  // With no store yet, nothing is created for a name nothing knows.
  const auto nowhere = run_flow({"tasks", "pause", "nope", "--db", db});
  CHECK(nowhere.code == 1);
  CHECK(nowhere.err == "flow: no task named 'nope'\n");
  CHECK_FALSE(std::filesystem::exists(db));

  // A task the files declare is known before the daemon ever ran it.
  const auto paused = run_flow({"tasks", "pause", kTask, file});
  INFO(paused.err);
  CHECK(paused.code == 0);
  CHECK(paused.out == std::string(kTask) + ": paused\n");

  for (const std::string verb : {"pause", "resume", "delete"}) {
    const auto run = run_flow({"tasks", verb, "nope", "--db", db});
    INFO(verb);
    CHECK(run.code == 1);
    CHECK(run.out.empty());
    CHECK(run.err == "flow: no task named 'nope'\n");
  }
  const auto wrong_case = run_flow({"tasks", "pause", "refresh ACCESS token", "--db", db});
  CHECK(wrong_case.code == 1);
  CHECK(wrong_case.err == "flow: no task named 'refresh ACCESS token'; did you mean 'Refresh access token'?\n");
  const auto unquoted = run_flow({"tasks", "pause", "Refresh", "access", "token", "--db", db});
  CHECK(unquoted.code == 2);
  CHECK_THAT(unquoted.err, Catch::Contains("a name with spaces needs quotes"));
  CHECK(open_sqlite_store(db)->list_tasks().size() == 1);  // no phantom rows

  // A deleted task comes back only with the file that declares it.
  CHECK(run_flow({"tasks", "delete", kTask, "--db", db}).code == 0);
  const auto resumed = run_flow({"tasks", "resume", kTask, "--db", db});
  CHECK(resumed.code == 1);
  CHECK(resumed.err == "flow: task 'Refresh access token' was deleted; resume it with the file that declares it: "
                       "flow tasks resume 'Refresh access token' FILE...\n");
  const auto with_file = run_flow({"tasks", "resume", kTask, file});
  CHECK(with_file.code == 0);
  CHECK(with_file.out == std::string(kTask) + ": active\n");
}

TEST_CASE("flow tasks history: an unknown task is an error; a known one without runs says so", "[e2e]") {
  TempDir dir;
  const auto file = write_seed(dir);
  const auto db = dir.file("flow.db");
  REQUIRE(run_flow({"tasks", "pause", kTask, file}).code == 0);

  const auto unknown = run_flow({"tasks", "history", "nope", "--db", db});
  CHECK(unknown.code == 1);
  CHECK(unknown.out.empty());
  CHECK(unknown.err == "flow: no task named 'nope'\n");
  const auto known = run_flow({"tasks", "history", kTask, "--db", db});
  CHECK(known.code == 0);
  CHECK(known.out == "no runs of 'Refresh access token'\n");
  const auto all = run_flow({"tasks", "history", "--db", db});
  CHECK(all.code == 0);
  CHECK(all.out == "no runs\n");
}

TEST_CASE("flow tasks run: an unknown task is an error, with the schedule it resembles", "[e2e]") {
  TempDir dir;
  const auto file = write_seed(dir);
  const auto db = dir.file("flow.db");
  const auto typo = run_flow({"tasks", "run", file, "Refresh acess token", "--db", db});
  CHECK(typo.code == 1);
  CHECK(typo.out.empty());
  CHECK(typo.err == "flow: no task named 'Refresh acess token'; did you mean 'Refresh access token'?\n");
  const auto unknown = run_flow({"tasks", "run", file, "nope", "--db", db});
  CHECK(unknown.code == 1);
  CHECK(unknown.err == "flow: no task named 'nope'\n");
  CHECK_FALSE(std::filesystem::exists(db));
}

TEST_CASE("flow tasks run is counted: tasks list shows its runs and last run, as for the daemon's", "[e2e]") {
  TempDir dir;
  const auto file = dir.file("tick.flow");
  write_text(file, R"(process K { field N number = 0; on Go { set N = N + 1; save; } }
instance "K-1" of K { }
schedule "Tick" { every 1 day; process K; id "K-1"; trigger Go; }
)");
  const auto db = dir.file("flow.db");
  REQUIRE(run_flow({"tasks", "run", file, "Tick", "--db", db}).code == 0);
  REQUIRE(run_flow({"tasks", "run", file, "Tick", "--db", db}).code == 0);
  const auto store = open_sqlite_store(db);
  const auto state = store->load_task("Tick");
  REQUIRE(state);
  REQUIRE(state->last_run);
  // Its start, read just before the run's own (its history's), as the daemon reads it.
  const auto started = store->runs("Tick", 1).at(0).started;
  CHECK(*state->last_run <= started);
  CHECK(started - *state->last_run < std::chrono::seconds(1));
  const std::string line = "Tick  active  runs 2  last " + format_iso(*state->last_run) + "  next -\n";
  CHECK(run_flow({"tasks", "list", file, "--db", db}).out == line);
  CHECK(run_flow({"tasks", "list", "--db", db}).out == line);  // the store knows the task now
  // A run that fails is a run too, as the daemon counts it.
  write_text(file, R"(process K { on Go { fail "no"; } }
schedule "Tick" { every 1 day; process K; trigger Go; }
)");
  CHECK(run_flow({"tasks", "run", file, "Tick", "--db", db}).code == 1);
  CHECK_THAT(run_flow({"tasks", "list", "--db", db}).out, Catch::StartsWith("Tick  active  runs 3  last "));
}

TEST_CASE("flow tasks list FILE: a dynamic time the one-minute gap moved later says from when, and why", "[e2e]") {
  TempDir dir;
  const auto file = dir.file("dyn.flow");
  write_text(file, R"(process K { field At datetime; on Go { save; } }
instance "K-1" of K { }
schedule "Refresh" { at At; process K; id "K-1"; trigger Go; }
)");
  const auto db = dir.file("flow.db");
  using namespace std::chrono_literals;
  const TimePoint last = TimePoint(date::sys_days(date::year(2026) / 11 / 30)) + 19h + 6min + 6s;
  {
    // As the daemon leaves it after a run whose token lives 20 seconds (scheduler_dynamic_test.cpp).
    TaskState task;
    task.name = "Refresh";
    task.last_run = last;
    task.next_run = last + 1min;
    task.run_count = 1;
    task.anchor = last + 15s;
    open_sqlite_store(db)->save_task(task);
  }
  const std::string head = "Refresh  active  runs 1  last 2026-11-30T19:06:06Z  next 2026-11-30T19:07:06Z";
  CHECK(run_flow({"tasks", "list", file, "--db", db}).out ==
        head + " (moved from 2026-11-30T19:06:21Z: at most one run a minute)\n");
  // Without the file, the store alone does not say the task is dynamic.
  CHECK(run_flow({"tasks", "list", "--db", db}).out == head + "\n");
}

TEST_CASE("flow tasks list FILE: a stored task the file no longer declares is not shown as active", "[e2e]") {
  TempDir dir;
  const auto file = write_seed(dir);
  const auto db = dir.file("flow.db");
  {
    const auto store = open_sqlite_store(db);
    TaskState renamed;
    renamed.name = "Old name";
    renamed.next_run = TimePoint(std::chrono::hours(1));
    store->save_task(renamed);
  }
  const auto with_file = run_flow({"tasks", "list", file, "--db", db});
  REQUIRE(with_file.code == 0);
  CHECK_THAT(with_file.out, Catch::Contains("Old name  not in these files  runs 0  last -  next -\n"));
  CHECK_THAT(with_file.out, Catch::Contains(std::string(kTask) + "  active"));
  // Without the files nothing says what a daemon runs: the stored state as it is.
  const auto alone = run_flow({"tasks", "list", "--db", db});
  CHECK_THAT(alone.out, Catch::Contains("Old name  active"));
}

TEST_CASE("flow tasks pause: a misspelled task is suggested, not only a miscased one", "[e2e]") {
  TempDir dir;
  const auto file = write_seed(dir);
  const auto run = run_flow({"tasks", "pause", "Refresh access tokne", file});
  CHECK(run.code == 1);
  CHECK(run.err == "flow: no task named 'Refresh access tokne'; did you mean 'Refresh access token'?\n");
}

TEST_CASE("flow tasks history --limit takes a number of runs; anything else is a usage error", "[e2e]") {
  TempDir dir;
  const auto db = dir.file("flow.db");
  open_sqlite_store(db);
  for (const std::string bad : {"abc", "0", "-3", "99999999999999", "20x"}) {
    const auto run = run_flow({"tasks", "history", "--limit", bad, "--db", db});
    INFO(bad);
    CHECK(run.code == 2);
    CHECK(run.err == "flow: --limit is a number of runs, 1 or more, not '" + bad + "'\n");
  }
  CHECK(run_flow({"tasks", "history", "--limit", "5", "--db", db}).code == 0);
}

TEST_CASE("flow tasks --help and flow instances --help print their usage", "[e2e]") {
  const auto tasks = run_flow({"tasks", "--help"});
  CHECK(tasks.code == 0);
  CHECK_THAT(tasks.out, Catch::StartsWith("usage: flow tasks list [FILE...]"));
  CHECK_THAT(tasks.out, Catch::Contains("pause|resume|delete TASK"));
  const auto instances = run_flow({"instances", "--help"});
  CHECK(instances.code == 0);
  CHECK_THAT(instances.out, Catch::StartsWith("usage: flow instances list [FILE...]"));
  CHECK_THAT(instances.out, Catch::Contains("show ID"));
  // Without a command, the same text is a usage error.
  const auto bare = run_flow({"tasks"});
  CHECK(bare.code == 2);
  CHECK(bare.err == tasks.out);
}

TEST_CASE("read-only admin commands refuse a store that does not exist, and do not create it", "[e2e]") {
  TempDir dir;
  const auto db = dir.file("missing.db");
  const std::vector<std::vector<std::string>> commands = {
      {"instances", "list"}, {"instances", "show", "TK-1"}, {"tasks", "list"}, {"tasks", "history"}};
  for (auto command : commands) {
    command.insert(command.end(), {"--db", db});
    const auto run = run_flow(command);
    INFO(command[0] << " " << command[1]);
    CHECK(run.code == 1);
    CHECK(run.out.empty());
    CHECK(run.err == "flow: no store at " + db + "\n");
  }
  CHECK_FALSE(std::filesystem::exists(db));
}

TEST_CASE("flow instances show of an unknown Process ID is an error on stderr", "[e2e]") {
  TempDir dir;
  const auto db = dir.file("flow.db");
  open_sqlite_store(db);
  const auto run = run_flow({"instances", "show", "TK-9", "--db", db});
  CHECK(run.code == 1);
  CHECK(run.out.empty());
  CHECK(run.err == "flow: no instance with Process ID 'TK-9'\n");
}

TEST_CASE("read-only admin commands leave the store byte for byte: no WAL switch, no -wal file", "[e2e]") {
  TempDir dir;
  const auto db = dir.file("flow.db");
  write_store(db);
  // A file in rollback-journal mode, as another tool may leave it: a reader
  // must not switch it to WAL.
  testing::exec_sql(db, "PRAGMA journal_mode = DELETE");
  const auto before = bytes_of(db);
  for (const auto& command : read_only_commands(db)) {
    const auto run = run_flow(command);
    INFO(command[0] << " " << command[1] << ": " << run.err);
    CHECK(run.code == 0);
    CHECK(bytes_of(db) == before);
    CHECK_FALSE(fs::exists(db + "-wal"));
    CHECK_FALSE(fs::exists(db + "-shm"));
  }
  CHECK(testing::query_text(db, "PRAGMA journal_mode") == "delete");
}

TEST_CASE("read-only admin commands do not migrate an older store; they say what will", "[e2e]") {
  TempDir dir;
  const auto db = dir.file("flow.db");
  write_store(db);
  testing::exec_sql(db, "UPDATE schema_version SET version = 2");
  const auto before = bytes_of(db);
  for (const auto& command : read_only_commands(db)) {
    const auto run = run_flow(command);
    INFO(command[0] << " " << command[1]);
    CHECK(run.code == 2);
    CHECK(run.err == "flow: store error: store " + db +
                         ": schema version 2 is older than this Flow's (4) and a command that only reads does not "
                         "migrate it; flow store migrate does, and so does a command that writes (flow run, "
                         "flow trigger, flow tasks run|pause|resume|delete)\n");
  }
  CHECK(bytes_of(db) == before);
}

TEST_CASE("flow store migrate migrates an older store, and nothing else, saying from which version", "[e2e]") {
  TempDir dir;
  const auto file = dir.file("seed.flow");
  write_text(file, seed_example());
  const auto db = dir.file("flow.db");  // beside the file: the default store
  write_store(db);
  // As Flow wrote it at schema version 2: tasks without an anchor or a pending retry.
  testing::exec_sql(db, "ALTER TABLE tasks DROP COLUMN anchor; ALTER TABLE tasks DROP COLUMN retry_at;"
                        "ALTER TABLE tasks DROP COLUMN retry_number; UPDATE schema_version SET version = 2");

  const auto migrated = run_flow({"store", "migrate", file});
  INFO(migrated.err);
  CHECK(migrated.code == 0);
  CHECK(migrated.out == "store " + db + ": schema version 2 -> 4 (migrated)\n");
  CHECK(testing::query_int(db, "SELECT version FROM schema_version") == 4);
  CHECK(testing::query_int(db, "SELECT count(*) FROM pragma_table_info('tasks') WHERE name = 'anchor'") == 1);
  CHECK(testing::query_int(db, "SELECT count(*) FROM pragma_table_info('tasks') WHERE name LIKE 'retry_%'") == 2);
  // Nothing else: the instance and the task are as they were, and no run was made.
  const auto list = run_flow({"instances", "list", "--db", db});
  CHECK(list.code == 0);
  CHECK_THAT(list.out, Catch::StartsWith("TK-1  TokenKeeper  revision 1"));
  CHECK(testing::query_int(db, "SELECT count(*) FROM runs") == 0);
  CHECK(testing::query_int(db, "SELECT run_count FROM tasks") == 0);

  const auto again = run_flow({"store", "migrate", "--db", db});
  CHECK(again.code == 0);
  CHECK(again.out == "store " + db + ": schema version 4, this Flow's: nothing to migrate\n");
}

TEST_CASE("flow store migrate refuses a newer schema and a store that does not exist", "[e2e]") {
  TempDir dir;
  const auto db = dir.file("flow.db");
  write_store(db);
  testing::exec_sql(db, "UPDATE schema_version SET version = 99");
  const auto newer = run_flow({"store", "migrate", "--db", db});
  CHECK(newer.code == 2);
  CHECK(newer.out.empty());
  CHECK(newer.err == "flow: store error: store " + db +
                         ": schema version 99 is newer than this Flow understands (4); upgrade Flow\n");
  CHECK(testing::query_int(db, "SELECT version FROM schema_version") == 99);

  const auto missing = dir.file("missing.db");
  const auto none = run_flow({"store", "migrate", "--db", missing});
  CHECK(none.code == 1);
  CHECK(none.err == "flow: no store at " + missing + "\n");
  CHECK_FALSE(std::filesystem::exists(missing));

  const auto help = run_flow({"store", "--help"});
  CHECK(help.code == 0);
  CHECK_THAT(help.out, Catch::StartsWith("usage: flow store migrate [FILE...] [--db PATH]"));
  CHECK(run_flow({"store", "vacuum"}).code == 2);
}

TEST_CASE("read-only admin commands read a store in a read-only directory", "[e2e]") {
  TempDir dir;
  fs::permissions(dir.path(), fs::perms::owner_all | fs::perms::group_exec | fs::perms::others_exec);
  const auto shelf = dir.file("shelf");
  fs::create_directory(shelf);
  const auto db = shelf + "/flow.db";
  write_store(db);
  // Commits still in a write-ahead log: a copy of a live store and its log.
  const auto live = dir.file("live.db");
  auto writer = open_sqlite_store(live);
  InstanceRecord instance;
  instance.id = "TK-2";
  instance.process = "TokenKeeper";
  writer->save_instance(instance, TimePoint(std::chrono::hours(1)));
  const auto logged = shelf + "/logged.db";
  fs::copy_file(live, logged);
  fs::copy_file(live + "-wal", logged + "-wal");
  const auto before = bytes_of(db);
  const auto read_only = fs::perms::owner_read | fs::perms::group_read | fs::perms::others_read;
  for (const auto& file : {db, logged, logged + "-wal"}) fs::permissions(file, read_only);
  fs::permissions(shelf, read_only | fs::perms::owner_exec | fs::perms::group_exec | fs::perms::others_exec);

  const auto show = run_flow_unprivileged({"instances", "show", "TK-1", "--db", db});
  const auto stuck = run_flow_unprivileged({"instances", "list", "--db", logged});
  fs::permissions(shelf, fs::perms::owner_all);  // so that TempDir can remove it
  if (!show || !stuck) return;
  INFO(show->err);
  CHECK(show->code == 0);
  CHECK_THAT(show->out, Catch::Contains("client-42"));
  CHECK(bytes_of(db) == before);
  CHECK_FALSE(fs::exists(db + "-wal"));
  CHECK_FALSE(fs::exists(db + "-shm"));
  CHECK(stuck->code == 2);
  CHECK(stuck->err == "flow: store error: store " + logged + ": cannot read it: its write-ahead log " + logged +
                          "-wal holds commits not yet in the file, and reading them needs " + logged +
                          "-shm, which cannot be created in a read-only directory; a flow command that writes "
                          "(flow run, flow trigger) folds the log into the file when it can write there\n");
}

namespace {

constexpr const char* kOverflow = R"(process P {
  field A number;
  field J json;
  on X { set J = json_parse("{\"a\": 1e308}"); set A = J.a * 10; save; }
  on Ok { set A = 1; save; }
}
)";

}  // namespace

TEST_CASE("flow trigger: a number out of range fails the run; instances list still lists", "[e2e]") {
  TempDir dir;
  const auto file = dir.file("n4.flow");
  write_text(file, kOverflow);
  const auto db = dir.file("x.db");
  REQUIRE(run_flow({"trigger", file, "P.Ok", "--db", db}).code == 0);
  const auto overflow = run_flow({"trigger", file, "P.X", "--db", db});
  CHECK(overflow.code == 1);
  CHECK_THAT(overflow.err, Catch::Contains("n4.flow:4:56: error: the result of '*' is out of range"));
  CHECK(overflow.out.find("log: saved") == std::string::npos);
  CHECK(overflow.out.find("inf") == std::string::npos);
  const auto list = run_flow({"instances", "list", "--db", db});
  CHECK(list.code == 0);
  CHECK_THAT(list.out, Catch::StartsWith("P-1  P  revision 1  modified "));
  CHECK(list.err.empty());
}

TEST_CASE("flow instances list: a damaged instance is listed as damaged, the others as usual", "[e2e]") {
  TempDir dir;
  const auto file = dir.file("n4.flow");
  write_text(file, kOverflow);
  const auto db = dir.file("x.db");
  for (int i = 0; i < 3; ++i) REQUIRE(run_flow({"trigger", file, "P.Ok", "--db", db}).code == 0);
  // As a store written before numbers out of range were refused holds them.
  sqlite::Db(db).exec(R"(UPDATE instances SET fields = '{"A":{"t":"number","v":null}}' WHERE id = 'P-2')", "damage");
  const auto list = run_flow({"instances", "list", "--db", db});
  CHECK(list.code == 1);
  CHECK_THAT(list.out, Catch::Contains("P-1  P  revision 1  modified "));
  CHECK_THAT(list.out, Catch::Matches("(.|\n)*P-2  P  revision 1  modified [^\n]*  DAMAGED\n(.|\n)*"));
  CHECK_THAT(list.out, Catch::Contains("P-3  P  revision 1  modified "));
  CHECK(list.err == "flow: error: store " + db + ": cannot read instance \"P-2\": damaged value of field 'A': "
                    "[json.exception.type_error.302] type must be number, but is null\n");
}

TEST_CASE("flow instances show with the files masks a field declared secret since it was saved", "[e2e]") {
  TempDir dir;
  const auto before = dir.file("before.flow");
  const auto after = dir.file("after.flow");
  const std::string token = "tk-clear-0123456789abcdef";
  const auto declare = [&](const std::string& token_type, const std::string& count_type) {
    return "process P {\n  field Token " + token_type + ";\n  field Count " + count_type +
           ";\n  on Keep { save; }\n}\ninstance \"P-1\" of P { Token = \"" + token + "\"; Count = \"12\"; }\n";
  };
  write_text(before, declare("text", "text"));
  write_text(after, declare("secret", "number"));
  const auto db = dir.file("flow.db");
  REQUIRE(run_flow({"trigger", before, "P.Keep", "--id", "P-1", "--db", db}).code == 0);

  const auto show = run_flow({"instances", "show", "P-1", after, "--db", db});
  INFO(show.out << show.err);
  CHECK(show.code == 0);
  CHECK(show.out.find(token) == std::string::npos);
  CHECK_THAT(show.out, Catch::Contains("Token = \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" "cdef"));
  CHECK_THAT(show.out, Catch::Contains("Count = 12\n"));
  const auto run = run_flow({"trigger", after, "P.Keep", "--id", "P-1", "--db", db});
  CHECK(run.code == 0);
  CHECK(run.out.find(token) == std::string::npos);
  // Saved with the new file, the store knows it is secret: shown masked without the files too.
  const auto plain = run_flow({"instances", "show", "P-1", "--db", db});
  CHECK(plain.out.find(token) == std::string::npos);
  CHECK_THAT(plain.out, Catch::Contains("Count = 12\n"));
}

TEST_CASE("flow instances list|show --json: one document, secrets masked unless --show-secrets", "[e2e]") {
  TempDir dir;
  const auto file = dir.file("p.flow");
  const std::string token = "tk-json-0123456789abcdef";
  write_text(file, "process P {\n  field Token secret;\n  field Count number;\n  on Keep { save; }\n}\n"
                   "instance \"P-1\" of P { Token = \"" + token + "\"; Count = 12; }\n");
  const auto db = dir.file("flow.db");
  REQUIRE(run_flow({"trigger", file, "P.Keep", "--id", "P-1", "--db", db}).code == 0);
  // A second instance, damaged as a store written before numbers out of range were refused holds it.
  REQUIRE(run_flow({"trigger", file, "P.Keep", "--db", db}).code == 0);
  sqlite::Db(db).exec(R"(UPDATE instances SET fields = '{"Count":{"t":"number","v":null}}' WHERE id = 'P-2')",
                      "damage");

  const auto list = run_flow({"instances", "list", "--db", db, "--json"});
  INFO(list.out << list.err);
  CHECK(list.code == 1);  // as without --json: a damaged instance
  const auto rows = Json::parse(list.out);
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].at("id") == "P-1");
  CHECK(rows[0].at("process") == "P");
  CHECK(rows[0].at("revision").get<int>() >= 1);
  CHECK_FALSE(rows[0].contains("damaged"));
  CHECK(rows[1].at("id") == "P-2");
  CHECK_THAT(rows[1].at("damaged").get<std::string>(), Catch::Contains("damaged value of field 'Count'"));

  const auto show = run_flow({"instances", "show", "P-1", "--db", db, "--json"});
  INFO(show.out << show.err);
  CHECK(show.code == 0);
  CHECK(show.out.find(token) == std::string::npos);
  const auto shown = Json::parse(show.out);
  CHECK(shown.at("id") == "P-1");
  CHECK(shown.at("modified").get<std::string>().starts_with("20"));
  CHECK(shown.at("fields").at("Count") == 12);
  CHECK(shown.at("fields").at("Token") == "\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" "cdef");
  const auto revealed = Json::parse(run_flow({"instances", "show", "P-1", "--db", db, "--json", "--show-secrets"}).out);
  CHECK(revealed.at("fields").at("Token") == token);
}

TEST_CASE("a reading command given no FILE and no --db says where stores are made", "[e2e]") {
  // As the README's lines would run in a directory whose store is beside a .flow file.
  TempDir dir;
  for (const std::string command : {"instances list", "tasks list", "store migrate"}) {
    const auto run = run_program({"/bin/sh", "-c", "cd '" + dir.path().string() + "' && exec '" + flow_binary() + "' " + command});
    INFO(command);
    CHECK(run.code == 1);
    CHECK_THAT(run.err, Catch::StartsWith("flow: no store at ./flow.db (given no FILE and no --db, a command reads "
                                          "flow.db in the current directory; a store is made beside the first FILE"));
    CHECK_FALSE(std::filesystem::exists(dir.file("flow.db")));
  }
}
