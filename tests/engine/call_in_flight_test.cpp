// A run killed while its call was in flight (docs/semantics.md, "What is never
// lost"): the call is noted in the store just before it goes out, the run's
// commit clears the note, and a note left behind is explained by the next run.
#include <unistd.h>

#include <catch2/catch.hpp>

#include "store/sqlite_support.hpp"
#include "support/engine_fixture.hpp"
#include "support/one_refresh.hpp"

namespace {

using flow::CallInFlight;
using flow::HttpRequest;
using flow::HttpResponse;
using flow::HttpResult;
using flow::open_sqlite_store;
using flow::testing::EngineFixture;
using flow::testing::FakeTransport;
using flow::testing::kOneRefresh;
using flow::testing::query_int;
using flow::testing::test_epoch;

/// Answers with a new refresh token; `during` is asked as the call is in flight.
void answer_rotated(FakeTransport& http, std::function<void()> during) {
  http.respond([during](const HttpRequest&) -> HttpResult {
    during();
    HttpResponse r;
    r.status = 200;
    r.body = R"({"refresh_token":"rt-0000000000000002"})";
    r.headers.emplace_back("Content-Type", "application/json");
    return r;
  });
}

std::int64_t notes_in(EngineFixture& f) { return query_int(f.dir.file("flow.db"), "SELECT count(*) FROM calls_in_flight"); }

}  // namespace

TEST_CASE("a call is noted in the store while in flight, and the run's commit clears the note",
          "[interpreter][in_flight]") {
  EngineFixture f(kOneRefresh);
  REQUIRE(f.interpreter->seed_instances().empty());
  std::optional<CallInFlight> during;
  answer_rotated(f.http, [&] { during = open_sqlite_store(f.dir.file("flow.db"))->call_in_flight("K-1"); });

  const auto result = f.run("K", "Go", "K-1");
  REQUIRE(result.ok);
  REQUIRE(during);
  CHECK(during->call == "Api.Refresh");
  CHECK(during->handler == "Go");
  CHECK(during->task.empty());
  CHECK(during->sent_at == test_epoch());
  CHECK(notes_in(f) == 0);
  for (const auto& line : result.log) CHECK_THAT(line, !Catch::Contains("previous run"));
}

TEST_CASE("a failed call's run clears its note too", "[interpreter][in_flight]") {
  EngineFixture f(kOneRefresh);
  REQUIRE(f.interpreter->seed_instances().empty());
  f.http.respond_with(500, R"({"error":"server_error"})");
  const auto result = f.run("K", "Go", "K-1");
  CHECK_FALSE(result.ok);
  CHECK(f.http.requests.size() == 1);
  CHECK(notes_in(f) == 0);
}

TEST_CASE("a note left by a run that never committed is explained by the next run and recorded as its history",
          "[interpreter][in_flight]") {
  EngineFixture f(kOneRefresh);
  REQUIRE(f.interpreter->seed_instances().empty());
  // What a process killed during the call leaves: its note, nothing else.
  f.store->note_call_sent(CallInFlight{"K-1", "Api.Refresh", "Refresh token", "Go", 0, test_epoch() - std::chrono::minutes(5)});
  flow::testing::exec_sql(f.dir.file("flow.db"), "UPDATE calls_in_flight SET pid = 2147483000");  // another process's
  answer_rotated(f.http, [] {});

  const auto result = f.run("K", "Go", "K-1");
  CHECK(result.ok);
  const std::string explained = "the previous run on K-1 sent Api.Refresh at 2024-10-03T23:55:00Z (process "
                                "2147483000) and ended before its answer was stored (the process was killed, or the machine "
                                "stopped): if the provider rotated the refresh token then, the stored one is spent";
  REQUIRE_FALSE(result.log.empty());
  CHECK(result.log.front() == explained);
  CHECK(notes_in(f) == 0);

  const auto runs = f.store->runs("", 10);
  REQUIRE(runs.size() == 2);  // newest first: this run, then the lost one
  CHECK(runs[0].ok);
  CHECK(runs[0].log.front() == explained);
  CHECK_FALSE(runs[1].ok);
  CHECK(runs[1].task == "Refresh token");
  CHECK(runs[1].instance_id == "K-1");
  CHECK(runs[1].process == "K");
  CHECK(runs[1].handler == "Go");
  CHECK(runs[1].started == test_epoch() - std::chrono::minutes(5));
  CHECK(runs[1].message == explained + "\n");

  const auto next = f.run("K", "Go", "K-1");  // said once
  CHECK(next.ok);
  for (const auto& line : next.log) CHECK_THAT(line, !Catch::Contains("previous run"));
  CHECK(f.store->runs("", 10).size() == 3);
}

TEST_CASE("a note this process left (its commit failed, its values kept) is no lost run; writing them back clears it",
          "[interpreter][in_flight]") {
  EngineFixture f(kOneRefresh);
  REQUIRE(f.interpreter->seed_instances().empty());
  f.store->note_call_sent(CallInFlight{"K-1", "Api.Refresh", "", "Go", 0, test_epoch()});  // this process's pid
  answer_rotated(f.http, [] {});
  const auto result = f.run("K", "Go", "K-1");
  CHECK(result.ok);
  for (const auto& line : result.log) CHECK_THAT(line, !Catch::Contains("previous run"));
  CHECK(f.store->runs("", 10).size() == 1);
  CHECK(notes_in(f) == 0);

  flow::KeptFields kept;
  kept.id = "K-1";
  kept.process = "K";
  f.store->note_call_sent(CallInFlight{"K-1", "Api.Refresh", "", "Go", 0, test_epoch()});
  f.store->write_back_fields(kept, test_epoch());
  CHECK(notes_in(f) == 0);
}
