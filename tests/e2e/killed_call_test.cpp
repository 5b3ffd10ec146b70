// A run killed while its call was in flight (kill -9, an OOM kill): the
// rotated token is lost (docs/semantics.md, "What is never lost"), and the
// next run says why, and `flow tasks history` shows the killed run.
#include <csignal>

#include "e2e/e2e_support.hpp"
#include "store/sqlite_support.hpp"

using namespace flow;
using namespace flow::e2e;

TEST_CASE("kill -9 of flow trigger during its call: the next run explains it, history shows the killed run", "[e2e]") {
  SeedScenario seed("every 55 minutes;", {"--delay-ms", "3000"});
  auto killed = start_flow(seed.trigger(), seed.env);
  wait_for_token_request(seed.provider);  // the request is out, its answer is not
  const auto killed_pid = std::to_string(killed.pid());
  killed.signal(SIGKILL);
  killed.read_all_stdout_until_exit(std::chrono::seconds(30));
  CHECK(killed.wait(std::chrono::seconds(5)) == -SIGKILL);
  CHECK(testing::query_int(seed.db, "SELECT count(*) FROM calls_in_flight") == 1);

  const auto next = run_flow(seed.trigger(), seed.env);  // an invalid_grant, when the provider rotated meanwhile
  const std::string said = next.out + next.err;
  INFO(said);
  const std::string explained = " (process " + killed_pid +
                                ") and ended before its answer was stored (the process was killed, or the machine "
                                "stopped): if the provider rotated the refresh token then, the stored one is spent\n";
  CHECK_THAT(said, Catch::Contains("the previous run on TK-1 sent RestService.GetRefreshAuthToken at "));
  CHECK_THAT(said, Catch::Contains(explained));
  CHECK(testing::query_int(seed.db, "SELECT count(*) FROM calls_in_flight") == 0);

  const auto history = run_flow({"tasks", "history", "--db", seed.db});
  INFO(history.out << history.err);
  CHECK(history.code == 0);
  // The killed run, its message the explanation; then the next run, which logged it.
  CHECK_THAT(history.out, Catch::Contains("  FAILED  (manual)  TokenKeeper.Refresh on TK-1\n"
                                          "    the previous run on TK-1 sent RestService.GetRefreshAuthToken at "));
  CHECK(count_of(history.out, explained) == 2);
  CHECK(testing::query_int(seed.db, "SELECT count(*) FROM runs") == 2);
  CHECK(testing::query_int(seed.db, "SELECT count(*) FROM runs WHERE ok = 0 AND log = '[]' AND task = ''") == 1);
}

TEST_CASE("a flow trigger that finishes leaves no call noted in flight", "[e2e]") {
  SeedScenario seed;
  const auto run = run_flow(seed.trigger(), seed.env);
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(testing::query_int(seed.db, "SELECT count(*) FROM calls_in_flight") == 0);
  CHECK(testing::query_int(seed.db, "SELECT count(*) FROM runs") == 1);
}
