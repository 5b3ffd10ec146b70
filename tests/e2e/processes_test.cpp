// Several flow processes on one store: no two spend the same refresh token,
// one daemon per store, a run that waits for another process's says so
// (signals during a refresh: signals_test.cpp).
#include <csignal>
#include <filesystem>

#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;

TEST_CASE("two flow triggers on one instance run one after the other, each with the newest token", "[e2e]") {
  // The provider answers after 300 ms: without a lock across processes both
  // would send the initial refresh token and the second would get invalid_grant.
  const SeedScenario seed("every 55 minutes;", {"--delay-ms", "300"});
  auto first = start_flow(seed.trigger(), seed.env);
  auto second = start_flow(seed.trigger(), seed.env);
  const auto first_out = first.read_all_stdout_until_exit(std::chrono::seconds(30));
  const auto second_out = second.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(first_out << first.stderr_text() << second_out << second.stderr_text());
  CHECK(first.wait(std::chrono::seconds(5)) == 0);
  CHECK(second.wait(std::chrono::seconds(5)) == 0);
  const auto stats = provider_stats(seed.provider);
  CHECK(stats["refreshes"] == 2);
  CHECK(stats["invalid_grants"] == 0);
  // One saved revision 2, the other revision 3: neither wrote over the other.
  CHECK(count_of(first_out + second_out, "saved TK-1 (revision 2)") == 1);
  CHECK(count_of(first_out + second_out, "saved TK-1 (revision 3)") == 1);
}

TEST_CASE("a second flow run on the same store is refused; flow trigger beside it is not", "[e2e]") {
  const SeedScenario seed;
  auto daemon = start_flow(seed.run("20s"), seed.env);
  REQUIRE_THAT(daemon.read_line(std::chrono::seconds(10)), Catch::Contains("running 1 schedule(s)"));

  const auto second = run_flow(seed.run("2s"), seed.env);
  CHECK(second.code == 1);
  CHECK_THAT(second.err, Catch::Contains("another `flow run` is already running the schedules of store"));

  const auto trigger = run_flow(seed.trigger(), seed.env);
  INFO(trigger.out << trigger.err);
  CHECK(trigger.code == 0);
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(std::chrono::seconds(10)) == 0);

  // The daemon has gone: its claim went with it.
  const auto after = run_flow(seed.run("1s"), seed.env);
  CHECK(after.code == 0);
  CHECK(provider_stats(seed.provider)["invalid_grants"] == 0);
}

TEST_CASE("deleting the store's lock file while a daemon runs: a second daemon is still refused", "[e2e]") {
  // A 0-byte flow.db.lock stayed after every stop and looked stale; deleted
  // under a running daemon it let a second one start on the same store, and
  // the two spent each other's rotated refresh tokens (invalid_grant).
  const SeedScenario seed("every 1 seconds;", {"--delay-ms", "200"});
  auto daemon = start_flow(seed.run("20s"), seed.env);
  REQUIRE_THAT(daemon.read_line(std::chrono::seconds(10)), Catch::Contains("running 1 schedule(s)"));
  REQUIRE_THAT(daemon.read_line(std::chrono::seconds(10)), Catch::Contains("TK-1 ok"));  // it has committed
  std::filesystem::remove(seed.db + ".lock");

  const auto second = run_flow(seed.run("3s"), seed.env);
  INFO(second.out << second.err);
  CHECK(second.code == 1);
  CHECK_THAT(second.err, Catch::Contains("another `flow run` is already running the schedules of store"));
  // Nor does a trigger beside it spend the token the daemon is rotating.
  for (int i = 0; i < 3; ++i) {
    const auto trigger = run_flow(seed.trigger(), seed.env);
    INFO(trigger.out << trigger.err);
    CHECK(trigger.code == 0);
  }
  daemon.signal(SIGTERM);
  CHECK(daemon.wait(std::chrono::seconds(10)) == 0);
  CHECK(provider_stats(seed.provider)["invalid_grants"] == 0);
}

namespace {

/// What `flow trigger` and `flow tasks run` say on stderr as their run on the
/// seed's TK-1 begins to wait for another flow process's run.
constexpr const char* kWaitLine =
    "flow: waiting: another flow process's run (the daemon's, or another command's) holds TokenKeeper TK-1; this run "
    "goes on when that one ends (120 s at most)\n";

/// Waits until `command` says kWaitLine, for 30 s at most; a failure shows its stderr.
void wait_for_wait_line(test::ChildProcess& command) {
  if (!command.wait_for_stderr(kWaitLine, std::chrono::seconds(30))) {
    FAIL("the command did not say its run waits, in 30 s; its stderr:\n" << command.stderr_text());
  }
}

/// `flow trigger` of TK-1, or `flow tasks run` of the seed's task (which runs on TK-1).
std::vector<std::string> trigger_or_task(const SeedScenario& seed, bool by_task) {
  if (!by_task) return seed.trigger();
  return {"tasks", "run", seed.file, "Refresh access token", "--db", seed.db};
}

}  // namespace

TEST_CASE("a command whose run waits for another flow process's run says so once, then runs", "[e2e]") {
  const bool by_task = GENERATE(false, true);
  // Under 5 s: the provider delays its /stats answer too, and http_get waits 5 s.
  SeedScenario seed("every 55 minutes;", {"--delay-ms", "4000"});
  auto first = start_flow(seed.trigger(), seed.env);
  wait_for_token_request(seed.provider);  // the first trigger's run holds TK-1 from now until the answer
  auto second = start_flow(trigger_or_task(seed, by_task), seed.env);
  wait_for_wait_line(second);  // said as the wait begins, while the first run still holds TK-1
  const auto first_out = first.read_all_stdout_until_exit(std::chrono::seconds(30));
  const auto second_out = second.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(first_out << first.stderr_text() << second_out << second.stderr_text());
  CHECK(first.wait(std::chrono::seconds(5)) == 0);
  CHECK(second.wait(std::chrono::seconds(5)) == 0);
  CHECK(count_of(second.stderr_text(), kWaitLine) == 1);
  CHECK(count_of(second.stderr_text(), "waiting") == 1);
  CHECK_THAT(second_out, Catch::Contains("saved TK-1 (revision 3)"));  // after the first's revision 2
  // The first run found TK-1 free: it says nothing of a wait.
  CHECK(count_of(first.stderr_text(), "waiting") == 0);
  CHECK(provider_stats(seed.provider)["invalid_grants"] == 0);
}

TEST_CASE("the REPL's :click waits for another flow process's run, then refuses its copy the run moved past", "[e2e]") {
  SeedScenario seed("every 55 minutes;", {"--delay-ms", "4000"});  // under http_get's 5 s, as above
  auto first = start_flow(seed.trigger(), seed.env);
  wait_for_token_request(seed.provider);  // the trigger's run holds TK-1, at revision 1, until the answer
  auto repl = start_flow({"repl", seed.file, "--db", seed.db}, seed.env);
  repl.write_stdin(":open TK-1\n:click Refresh\n");
  wait_for_wait_line(repl);
  // Once the trigger saved revision 2, the REPL's copy (revision 1, a spent
  // refresh token in it) is refused; read again, it refreshes with the new one.
  repl.write_stdin(":open TK-1\n:click Refresh\n:quit\n");
  repl.close_stdin();
  const auto repl_out = repl.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(repl_out << repl.stderr_text());
  CHECK(repl.wait(std::chrono::seconds(5)) == 0);
  CHECK(count_of(repl.stderr_text(), kWaitLine) == 1);
  CHECK(count_of(repl.stderr_text(), "waiting") == 1);
  CHECK_THAT(repl_out, Catch::Contains("instance TK-1 changed in the store (revision 2) since this copy of it was read "
                                       "(revision 1): nothing was run or saved"));
  CHECK_THAT(repl_out, Catch::Contains("saved TK-1 (revision 3)"));
  CHECK(first.wait(std::chrono::seconds(30)) == 0);
  const auto stats = provider_stats(seed.provider);
  CHECK(stats["refreshes"] == 2);  // the trigger's and the REPL's second click: the refused one sent nothing
  CHECK(stats["invalid_grants"] == 0);
}

TEST_CASE("SIGINT while flow trigger waits for another flow process's run ends it, having run nothing", "[e2e]") {
  SeedScenario seed("every 55 minutes;", {"--delay-ms", "4000"});  // under http_get's 5 s, as above
  auto first = start_flow(seed.trigger(), seed.env);
  wait_for_token_request(seed.provider);
  auto second = start_flow(seed.trigger(), seed.env);
  wait_for_wait_line(second);
  second.signal(SIGINT);  // Ctrl-C: the waiting run has called nothing, so it stops
  const auto second_out = second.read_all_stdout_until_exit(std::chrono::seconds(10));
  INFO(second_out << second.stderr_text());
  CHECK(second.wait(std::chrono::seconds(5)) == 1);
  // Nothing was in flight: the signal's line says what it ends.
  CHECK_THAT(second.stderr_text(), Catch::Contains("flow: signal 2: ending the wait for another flow process's run\n"));
  CHECK(count_of(second.stderr_text(), "in flight") == 0);
  CHECK_THAT(second.stderr_text(), Catch::Contains("stopped while waiting for another flow process's run on 'TK-1'"));
  CHECK(count_of(second_out, "saved") == 0);

  const auto first_out = first.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(first_out << first.stderr_text());
  CHECK(first.wait(std::chrono::seconds(5)) == 0);
  const auto stats = provider_stats(seed.provider);
  CHECK(stats["refreshes"] == 1);  // the first's; the second sent nothing
  CHECK(stats["invalid_grants"] == 0);
}

TEST_CASE("the daemon says when a start rule's run waits for another flow process's run", "[e2e]") {
  // Via start's first run, at once, starts TK-1's Refresh. The seed's own
  // task is paused: its run on TK-1 would say the line of a run's own instance.
  const SeedFile file{"starter.flow", seed_example() + R"(
process Starter { on Go { start TokenKeeper id "TK-1" trigger Refresh; } }
instance "S-1" of Starter { }
schedule "Via start" { every 1 minutes; process Starter; id "S-1"; trigger Go; }
)"};
  SeedScenario seed(file, {"--delay-ms", "4000"});
  REQUIRE(run_flow({"tasks", "pause", "Refresh access token", seed.file, "--db", seed.db}).code == 0);
  auto trigger = start_flow(seed.trigger(), seed.env);
  wait_for_token_request(seed.provider);  // the trigger's run holds TK-1 from now until the answer
  const auto out = run_flow(seed.run("8s"), seed.env);
  INFO(out.out << out.err);
  CHECK(out.code == 0);
  CHECK(count_of(out.out, " Via start: Starter S-1 waits to start TokenKeeper TK-1: another flow process's run holds "
                          "it\n") == 1);
  CHECK(count_of(out.out, " Via start: Starter S-1 ok\n") == 1);  // once the trigger's run ended
  const auto trigger_out = trigger.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(trigger_out << trigger.stderr_text());
  CHECK(trigger.wait(std::chrono::seconds(5)) == 0);
}
