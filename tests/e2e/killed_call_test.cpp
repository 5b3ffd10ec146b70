// A run killed while its call was in flight (kill -9, an OOM kill): the
// rotated token is lost (docs/semantics.md, "What is never lost"), and the
// next flow process says why, and `flow tasks history` shows the killed run.
#include <csignal>

#include "e2e/e2e_support.hpp"
#include "support/temp_dir.hpp"

using namespace flow;
using namespace flow::e2e;

namespace {

/// The files of calls in flight beside the store (engine/store/call_notes.hpp).
std::size_t call_note_files(const std::string& db) { return testing::files_in(db + "-calls"); }

}  // namespace

TEST_CASE("kill -9 of flow trigger during its call: the next process explains it, history shows the killed run",
          "[e2e]") {
  SeedScenario seed("every 55 minutes;", {"--delay-ms", "2000"});
  const auto first = run_flow(seed.trigger(), seed.env);  // TK-1 stored: its calls are noted from now on
  REQUIRE(first.code == 0);
  const auto said_before = seed.provider.process.stderr_text().size();
  auto killed = start_flow(seed.trigger(), seed.env);
  wait_for_token_request(seed.provider, said_before);  // the request is out, its answer is not
  const auto killed_pid = std::to_string(killed.pid());
  killed.signal(SIGKILL);
  killed.read_all_stdout_until_exit(std::chrono::seconds(30));
  CHECK(killed.wait(std::chrono::seconds(5)) == -SIGKILL);
  CHECK(call_note_files(seed.db) == 1);  // the killed process's, never removed

  const auto next = run_flow(seed.trigger(), seed.env);  // an invalid_grant: the provider rotated meanwhile
  INFO(next.out << next.err);
  const std::string explained = "the run of TokenKeeper.Refresh on TK-1 (process " + killed_pid +
                                ") sent RestService.GetRefreshAuthToken at ";
  const std::string why = " and ended before its answer was stored (the process was killed, or the machine "
                          "stopped): if the provider rotated the refresh token then, the stored one is spent";
  CHECK_THAT(next.err, Catch::Contains("flow: " + explained));
  CHECK_THAT(next.err, Catch::Contains(why + "\n"));
  CHECK(count_of(next.err, explained) == 1);
  CHECK(call_note_files(seed.db) == 0);  // taken once; the next run's own file went with it

  const auto history = run_flow({"tasks", "history", "--db", seed.db});
  INFO(history.out << history.err);
  CHECK(history.code == 0);
  CHECK(count_of(history.out, explained) == 1);  // the killed run, recorded once, failed
  CHECK(count_of(history.out, why) == 1);

  const auto again = run_flow(seed.trigger(), seed.env);  // said once only
  CHECK(count_of(again.err, explained) == 0);
}

TEST_CASE("a flow trigger that finishes, or whose call fails, leaves no call noted", "[e2e]") {
  SeedScenario seed;
  const auto run = run_flow(seed.trigger(), seed.env);
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(call_note_files(seed.db) == 0);
  const auto twice = run_flow(seed.trigger(), seed.env);
  CHECK(twice.code == 0);
  CHECK_THAT(twice.err, !Catch::Contains("ended before its answer was stored"));
}
