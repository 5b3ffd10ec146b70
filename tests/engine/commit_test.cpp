// When a run's writes reach the store (docs/semantics.md): held back while the
// run only computes, committed in one transaction at its next call or start
// and at its end, together with its history record.
#include <sqlite3.h>

#include <functional>
#include <set>

#include <boost/asio/co_spawn.hpp>

#include <catch2/catch.hpp>

#include "engine/store/sqlite_store.hpp"
#include "support/before_exit.hpp"
#include "support/engine_fixture.hpp"
#include "support/fillable_store.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

std::int64_t page_count(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "PRAGMA page_count", -1, &stmt, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(stmt) == SQLITE_ROW);
  const std::int64_t pages = sqlite3_column_int64(stmt, 0);
  sqlite3_finalize(stmt);
  sqlite3_close(db);
  return pages;
}

/// Forwards to a real store and counts each kind of write.
class CountingStore final : public Store {
 public:
  explicit CountingStore(Store& inner) : inner_(inner) {}

  std::optional<InstanceRecord> load_instance(const std::string& id) override { return inner_.load_instance(id); }
  void save_instance(InstanceRecord& instance, TimePoint now) override {
    ++saves;
    inner_.save_instance(instance, now);
  }
  bool seed_instance(const InstanceRecord& instance, TimePoint now) override { return inner_.seed_instance(instance, now); }
  void checkpoint_fields(const std::string& id, const std::string& process, const FieldMap& fields,
                         TimePoint now) override {
    ++checkpoints;
    inner_.checkpoint_fields(id, process, fields, now);
  }
  std::vector<std::string> write_back_fields(const KeptFields& kept, TimePoint now) override {
    return inner_.write_back_fields(kept, now);
  }
  std::vector<InstanceRecord> list_instances() override { return inner_.list_instances(); }
  std::string allocate_id(const std::string& process) override { return inner_.allocate_id(process); }
  std::int64_t record_run(const RunRecord& run) override {
    ++records;
    return inner_.record_run(run);
  }
  void commit_runs(const std::vector<RunCommit*>& batch, TimePoint now) override {
    batch_sizes.push_back(batch.size());
    for (const RunCommit* commit : batch) {
      commits.push_back({commit->save.has_value(), commit->checkpoint.size(), commit->history.has_value()});
    }
    inner_.commit_runs(batch, now);
  }
  std::vector<RunRecord> runs(const std::string& task, int limit) override { return inner_.runs(task, limit); }
  std::optional<TaskState> load_task(const std::string& name) override { return inner_.load_task(name); }
  void save_task(const TaskState& state) override { inner_.save_task(state); }
  std::vector<TaskState> list_tasks() override { return inner_.list_tasks(); }

  struct Commit {
    bool save;
    std::size_t checkpointed;
    bool history;
    bool operator==(const Commit&) const = default;
  };
  std::vector<Commit> commits;
  std::vector<std::size_t> batch_sizes;
  int saves = 0;
  int checkpoints = 0;
  int records = 0;

 private:
  Store& inner_;
};

// One program for every test here: the seed's shape (Refresh), two calls in a
// row (Go), a save and then a failure (SaveThenFail), three instances.
constexpr const char* kProgram = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Refresh POST "/t" { request body form { rt; } response body json { refresh_token; } }
}
process K {
  field RefreshToken secret = "rt-0000000000000001";
  field AccessToken secret;
  field Note text;
  on Refresh {
    set AccessToken = "";
    create_item Api.Refresh map { body.rt = RefreshToken; } on_success { RefreshToken = body.refresh_token; };
    save;
  }
  on Go {
    create_item Api.Refresh map { body.rt = RefreshToken; } on_success { RefreshToken = body.refresh_token; };
    set Note = "between";
    create_item Api.Refresh map { body.rt = RefreshToken; } on_success { RefreshToken = body.refresh_token; };
    save;
  }
  on SaveThenFail {
    set Note = "saved";
    save;
    set Note = "not saved";
    fail "after the save";
  }
}
instance "K-1" of K { }
instance "K-2" of K { }
instance "K-3" of K { }
)";

// One refresh whose answer rotates the token, then a save.
constexpr const char* kOneRefresh = R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method Refresh POST "/t" { request body form { rt; } response body json { refresh_token; } }
}
process K {
  field RefreshToken secret = "rt-0000000000000001";
  on Go {
    create_item Api.Refresh map { body.rt = RefreshToken; } on_success { RefreshToken = body.refresh_token; };
    save;
  }
}
instance "K-1" of K { }
)";

/// "rt-" and `n` in 16 digits, like the tokens the programs here start from.
std::string token(std::size_t n) {
  const std::string digits = std::to_string(n);
  return "rt-" + std::string(16 - digits.size(), '0') + digits;
}

/// Answers the nth refresh with token(n + 1); `before` runs first on each.
void rotate_tokens(FakeTransport& http, std::function<void()> before = [] {}) {
  http.respond([&http, before](const HttpRequest&) -> HttpResult {
    before();
    HttpResponse r;
    r.status = 200;
    r.body = R"({"refresh_token":")" + token(http.requests.size() + 1) + R"("})";
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
  });
}

}  // namespace

TEST_CASE("a call, its mapped values, the save and the history are one commit", "[interpreter][commit]") {
  EngineFixture f(kProgram);
  rotate_tokens(f.http);
  CountingStore counting(*f.store);
  Interpreter interpreter(*f.program, Host{&f.http, &f.clock, &counting, &f.functions});
  REQUIRE(interpreter.seed_instances().empty());

  const auto result = f.run_on(interpreter, "K", "Refresh", "K-1");
  REQUIRE(result.ok);
  CHECK(result.saved);
  CHECK(counting.commits == std::vector<CountingStore::Commit>{{true, 0, true}});
  CHECK(counting.saves + counting.checkpoints + counting.records == 0);

  const auto stored = f.store->load_instance("K-1");
  REQUIRE(stored);
  CHECK(to_text(stored->fields.at("RefreshToken")) == "rt-0000000000000002");
  CHECK(stored->revision == 2);  // seeded as 1, one save
  CHECK(result.instance.revision == 2);
  const auto runs = f.store->runs("", 10);
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].ok);
  CHECK(runs[0].log.back() == "saved K-1 (revision 2)");
  CHECK(result.log.back() == "saved K-1 (revision 2)");
}

TEST_CASE("what a call mapped in is committed before the next request is sent", "[interpreter][commit]") {
  EngineFixture f(kProgram);
  std::vector<std::string> stored_when_sent;
  rotate_tokens(f.http, [&] {
    const auto stored = f.store->load_instance("K-1");
    stored_when_sent.push_back(stored ? to_text(stored->fields.at("RefreshToken")) : "<none>");
  });
  REQUIRE(f.interpreter->seed_instances().empty());

  const auto result = f.run("K", "Go", "K-1");
  REQUIRE(result.ok);
  // The second request could only be sent once the token the first rotated in was stored.
  CHECK(stored_when_sent == std::vector<std::string>{"rt-0000000000000001", "rt-0000000000000002"});
  CHECK(parse_form(f.http.requests.at(1).body).at(0).second == "rt-0000000000000002");
  const auto stored = f.store->load_instance("K-1");
  CHECK(to_text(stored->fields.at("RefreshToken")) == "rt-0000000000000003");
  CHECK(to_text(stored->fields.at("Note")) == "between");
}

TEST_CASE("a save followed by a failing rule keeps the save, not what came after it", "[interpreter][commit]") {
  EngineFixture f(kProgram);
  REQUIRE(f.interpreter->seed_instances().empty());
  const auto result = f.run("K", "SaveThenFail", "K-1");
  CHECK_FALSE(result.ok);
  CHECK(result.saved);
  CHECK_THAT(result.error, Catch::Contains("after the save"));
  const auto stored = f.store->load_instance("K-1");
  CHECK(to_text(stored->fields.at("Note")) == "saved");
  CHECK(stored->revision == 2);
  const auto runs = f.store->runs("", 10);
  REQUIRE(runs.size() == 1);
  CHECK_FALSE(runs[0].ok);
}

TEST_CASE("a save the disk cannot hold fails the run and is not logged as saved", "[interpreter][commit][disk-full]") {
  const std::string blob(64 * 1024, 'x');
  EngineFixture f(R"(
process Big {
  field Blob text;
  on Fill { set Blob = ")" + blob + R"("; save; }
}
instance "B-1" of Big { }
)");
  REQUIRE(f.interpreter->seed_instances().empty());
  // The same file through a connection capped two pages above its size.
  SqliteOptions options;
  options.max_pages = page_count(f.dir.file("flow.db")) + 2;
  const auto capped = open_sqlite_store(f.dir.file("flow.db"), options);
  Interpreter interpreter(*f.program, Host{&f.http, &f.clock, capped.get(), &f.functions});

  const auto result = f.run_on(interpreter, "Big", "Fill", "B-1");
  CHECK_FALSE(result.ok);
  CHECK_FALSE(result.saved);
  CHECK_THAT(result.error, Catch::Contains("cannot save instance \"B-1\": disk full"));
  for (const auto& line : result.log) CHECK(line.rfind("saved", 0) == std::string::npos);
  const auto stored = f.store->load_instance("B-1");
  REQUIRE(stored);
  CHECK(stored->revision == 1);
  CHECK(stored->fields.at("Blob").is_null());
}

TEST_CASE("an instance the disk cannot hold is a seeding error, not an exception", "[interpreter][commit][disk-full]") {
  const std::string blob(64 * 1024, 'x');
  EngineFixture f(R"(
process Big { field Blob text; on Fill { save; } }
instance "B-1" of Big { Blob = ")" + blob + R"("; }
)");
  SqliteOptions options;
  options.max_pages = page_count(f.dir.file("flow.db")) + 2;
  const auto capped = open_sqlite_store(f.dir.file("flow.db"), options);
  Interpreter interpreter(*f.program, Host{&f.http, &f.clock, capped.get(), &f.functions});

  const auto errors = interpreter.seed_instances();
  REQUIRE(errors.size() == 1);
  CHECK_THAT(errors[0], Catch::StartsWith("test.flow:3:1: error: store: "));
  CHECK_THAT(errors[0], Catch::Contains("disk full"));
  CHECK_FALSE(f.store->load_instance("B-1"));
}

TEST_CASE("runs on different instances that finish in the same turn share one commit", "[interpreter][commit]") {
  EngineFixture f(kProgram);
  rotate_tokens(f.http);
  CountingStore counting(*f.store);
  Interpreter interpreter(*f.program, Host{&f.http, &f.clock, &counting, &f.functions});
  REQUIRE(interpreter.seed_instances().empty());
  std::vector<RunResult> results;
  for (const std::string id : {"K-1", "K-2", "K-3"}) {
    boost::asio::co_spawn(f.io, interpreter.run(RunRequest{"K", "Refresh", id, ""}),
                          [&](std::exception_ptr e, RunResult r) {
                            if (e) std::rethrow_exception(e);
                            results.push_back(std::move(r));
                          });
  }
  f.io.restart();
  f.io.run();

  REQUIRE(results.size() == 3);
  for (const auto& result : results) {
    CHECK(result.ok);
    CHECK(result.saved);
  }
  // The fake transport answers at once, so all three reach their end in one turn.
  CHECK(counting.batch_sizes == std::vector<std::size_t>{3});
  CHECK(f.store->runs("", 10).size() == 3);
  std::set<std::string> tokens;
  for (const std::string id : {"K-1", "K-2", "K-3"}) {
    const auto stored = f.store->load_instance(id);
    CHECK(stored->revision == 2);
    tokens.insert(to_text(stored->fields.at("RefreshToken")));
  }
  CHECK(tokens == std::set<std::string>{token(2), token(3), token(4)});
}

namespace {

/// kOneRefresh's K-1, seeded, run by an interpreter over a FillableStore.
struct OnFillableStore {
  OnFillableStore() { REQUIRE(f.interpreter->seed_instances().empty()); }
  EngineFixture f{kOneRefresh};
  FillableStore store{*f.store};
  Interpreter interpreter{*f.program, Host{&f.http, &f.clock, &store, &f.functions}};
};

}  // namespace

TEST_CASE_METHOD(OnFillableStore, "a rotated token the disk could not take is kept and written before the next run calls", "[interpreter][commit][disk-full]") {
  store.full = true;
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000002"})");
  auto result = f.run_on(interpreter, "K", "Go", "K-1");
  CHECK_FALSE(result.ok);
  CHECK(result.transient);
  CHECK_THAT(result.error, Catch::Contains("disk full") && Catch::Contains("is kept in memory"));
  CHECK(to_text(f.store->load_instance("K-1")->fields.at("RefreshToken")) == "rt-0000000000000001");

  // Still full: the next run calls nothing (it would spend rt-2, unstored).
  const auto calls = f.http.requests.size();
  result = f.run_on(interpreter, "K", "Go", "K-1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::Contains("not stored yet") && Catch::Contains("RefreshToken"));
  CHECK(f.http.requests.size() == calls);

  // Space again: rt-2 is written first, then the refresh sends it.
  store.full = false;
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000003"})");
  result = f.run_on(interpreter, "K", "Go", "K-1");
  INFO(result.error);
  CHECK(result.ok);
  CHECK_THAT(f.http.requests.back().body, Catch::Contains("rt=rt-0000000000000002"));
  CHECK(to_text(f.store->load_instance("K-1")->fields.at("RefreshToken")) == "rt-0000000000000003");
}

TEST_CASE("a commit refused once and written at the run's end is reported once, as written", "[interpreter][commit][disk-full]") {
  EngineFixture f(R"(
datasource Api rest { base_url = "http://127.0.0.1:9"; method Ping GET "/p" { } }
process K {
  field N number = 0;
  on Go { set N = 1; save; create_item Api.Ping; }
}
instance "K-1" of K { }
)");
  REQUIRE(f.interpreter->seed_instances().empty());
  FillableStore store(*f.store);
  Interpreter interpreter(*f.program, Host{&f.http, &f.clock, &store, &f.functions});
  store.fail_next_commits = 1;  // the commit before the call fails; the one at the end works
  const auto result = f.run_on(interpreter, "K", "Go", "K-1");
  CHECK_FALSE(result.ok);
  CHECK(f.http.requests.empty());  // nothing was called with the save unwritten
  CHECK(result.error.find("disk full") == result.error.rfind("disk full"));  // said once
  CHECK(result.saved);
  const auto stored = f.store->load_instance("K-1");
  CHECK(stored->fields.at("N") == Value(1));
  CHECK(result.instance.revision == stored->revision);
  CHECK(f.store->runs("", 10).size() == 1);  // one history record for one run
}

TEST_CASE("a start writes what an earlier run on its instance could not, before the child calls", "[interpreter][commit][disk-full]") {
  EngineFixture f(std::string(kOneRefresh) + "process Parent { on Go { start K id \"K-1\" trigger Go; } }\n");
  REQUIRE(f.interpreter->seed_instances().empty());
  FillableStore store(*f.store);
  Interpreter interpreter(*f.program, Host{&f.http, &f.clock, &store, &f.functions});
  store.full = true;
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000002"})");
  CHECK_FALSE(f.run_on(interpreter, "K", "Go", "K-1").ok);

  store.full = false;
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000003"})");
  const auto result = f.run_on(interpreter, "Parent", "Go");
  INFO(result.error);
  CHECK(result.ok);
  CHECK_THAT(f.http.requests.back().body, Catch::Contains("rt=rt-0000000000000002"));
  CHECK(to_text(f.store->load_instance("K-1")->fields.at("RefreshToken")) == "rt-0000000000000003");
}

namespace {

/// A run of K-1's Go whose final commit `store` refuses: rt-2 is then kept in memory only.
void refresh_unwritten(EngineFixture& f, Interpreter& interpreter) {
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000002"})");
  const auto result = f.run_on(interpreter, "K", "Go", "K-1");
  REQUIRE_FALSE(result.ok);
  REQUIRE_THAT(result.error, Catch::Contains("is kept in memory"));
}

}  // namespace

TEST_CASE_METHOD(OnFillableStore, "a commit that throws what no store may is a failed run that keeps the rotated token", "[interpreter][commit]") {
  store.broken = true;
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000002"})");
  auto result = f.run_on(interpreter, "K", "Go", "K-1");
  CHECK_FALSE(result.ok);
  CHECK_THAT(result.error, Catch::StartsWith("error: internal error: commit_runs reached a state it cannot be in\n"));
  CHECK_THAT(result.error, Catch::Contains("is kept in memory"));

  store.broken = false;
  f.http.respond_with(200, R"({"refresh_token":"rt-0000000000000003"})");
  result = f.run_on(interpreter, "K", "Go", "K-1");
  INFO(result.error);
  CHECK(result.ok);
  CHECK_THAT(f.http.requests.back().body, Catch::Contains("rt=rt-0000000000000002"));
  CHECK(to_text(f.store->load_instance("K-1")->fields.at("RefreshToken")) == "rt-0000000000000003");
}

TEST_CASE_METHOD(OnFillableStore, "before exit, what the disk could not take is written once it has room", "[interpreter][commit][disk-full]") {
  using namespace std::chrono_literals;
  store.full = true;
  refresh_unwritten(f, interpreter);

  BeforeExit exit(f, interpreter, {1s, 2s, 4s});
  CHECK_FALSE(exit.lost);  // the first attempt failed: it waits for the next
  CHECK(exit.notes == std::vector<std::string>{"what calls mapped into K-1 (RefreshToken) could not be written: "
                                               "store: cannot write: disk full; trying again in 1s"});
  advance_in_steps(f.io, f.clock, f.clock.now() + 1s);
  CHECK_FALSE(exit.lost);
  store.full = false;
  advance_in_steps(f.io, f.clock, f.clock.now() + 2s);
  REQUIRE(exit.lost);
  CHECK(exit.lost->empty());
  CHECK(exit.notes.back() == "what calls mapped into K-1 (RefreshToken) is written to the store now");
  CHECK_FALSE(exit.says("rt-0000"));
  CHECK(to_text(f.store->load_instance("K-1")->fields.at("RefreshToken")) == "rt-0000000000000002");
}

TEST_CASE_METHOD(OnFillableStore, "before exit, what the store never takes is said to be lost; a stop ends the retries", "[interpreter][commit][disk-full]") {
  using namespace std::chrono_literals;
  store.full = true;
  refresh_unwritten(f, interpreter);
  const std::string lost_line =
      "what calls mapped into K-1 (RefreshToken) could not be written and is lost: store: cannot write: disk full; "
      "the store keeps what it held before (a refresh token the call replaced may no longer work)";

  SECTION("every attempt fails") {
    BeforeExit exit(f, interpreter, {1s, 2s});
    advance_in_steps(f.io, f.clock, f.clock.now() + 3s);
    REQUIRE(exit.lost);
    CHECK(*exit.lost == std::vector<std::string>{lost_line});
    CHECK(exit.notes.size() == 2);  // "trying again in 1s", "... in 2s"
    CHECK_FALSE(exit.says("rt-0000"));
  }
  SECTION("SIGINT or SIGTERM (stop_waiting) while it waits") {
    const auto before = f.clock.now();
    BeforeExit exit(f, interpreter, {1s, 2s});
    interpreter.stop_waiting();
    f.io.poll();
    REQUIRE(exit.lost);
    CHECK(*exit.lost == std::vector<std::string>{lost_line});
    CHECK(f.clock.now() == before);
  }
  CHECK(to_text(f.store->load_instance("K-1")->fields.at("RefreshToken")) == "rt-0000000000000001");
}
