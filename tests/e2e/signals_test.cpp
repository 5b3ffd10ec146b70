// Signals during a refresh: SIGTERM, SIGINT and SIGHUP (the terminal closed)
// let the run in flight finish and store the rotated token, for a command
// and for the daemon; during a wait for another process's run, a prompt stop.
#include <csignal>

#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;

TEST_CASE("SIGTERM during flow trigger lets the refresh finish and store the rotated token", "[e2e]") {
  // SIGHUP: the terminal closed. Its default would kill flow after the
  // provider rotated the token and before the commit.
  const int signal_number = GENERATE(SIGTERM, SIGINT, SIGHUP);
  SeedScenario seed("every 55 minutes;", {"--delay-ms", "3000"});
  auto trigger = start_flow(seed.trigger(), seed.env);
  // The request is out (so the handler is in), the answer is not: a wait on
  // the provider, not on the clock (an ASan build of flow takes about 0.5 s
  // to start on a CI machine; a signal before the handler kills the command).
  wait_for_token_request(seed.provider);
  trigger.signal(signal_number);
  const auto out = trigger.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(out << trigger.stderr_text());
  CHECK(trigger.wait(std::chrono::seconds(5)) == 0);
  CHECK_THAT(trigger.stderr_text(), Catch::Contains("finishing the run in flight first"));
  CHECK_THAT(out, Catch::Contains("saved TK-1 (revision 2)"));
  // The stored token is the rotated one: the next refresh is accepted.
  const auto again = run_flow(seed.trigger(), seed.env);
  CHECK(again.code == 0);
  CHECK(provider_stats(seed.provider)["invalid_grants"] == 0);
}

TEST_CASE("SIGTERM or SIGHUP during the daemon's refresh lets it finish and keep the rotated token", "[e2e]") {
  const int signal_number = GENERATE(SIGTERM, SIGHUP);
  SeedScenario seed("every 55 minutes;", {"--delay-ms", "3000"});
  auto daemon = start_flow(seed.run(), seed.env);  // its first slot is now
  wait_for_token_request(seed.provider);
  daemon.signal(signal_number);
  const auto out = daemon.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(out << daemon.stderr_text());
  CHECK(daemon.wait(std::chrono::seconds(5)) == 0);
  CHECK_THAT(out, Catch::Contains(" signal " + std::to_string(signal_number) + ": stopping after in-flight runs\n"));
  CHECK_THAT(out, Catch::Contains(" Refresh access token: TokenKeeper TK-1 ok"));
  CHECK_THAT(out, Catch::EndsWith(" stopped\n"));
  const auto again = run_flow(seed.trigger(), seed.env);  // with the token the daemon stored
  INFO(again.out << again.err);
  CHECK(again.code == 0);
  CHECK(provider_stats(seed.provider)["invalid_grants"] == 0);
}

TEST_CASE("SIGTERM while the daemon's run waits for another process's run: no run, no overrun, a prompt exit", "[e2e]") {
  // The trigger holds TK-1 for the provider's slow answer; the daemon's first
  // run waits for it past a slot, and the signal comes before it got the lock.
  SeedScenario seed("every 1 seconds;", {"--delay-ms", "5000"});
  auto trigger = start_flow(seed.trigger(), seed.env);
  wait_for_token_request(seed.provider);  // the trigger's run holds TK-1 from now until the answer
  auto daemon = start_flow(seed.run(), seed.env);
  REQUIRE_THAT(daemon.read_line(std::chrono::seconds(10)), Catch::Contains("running 1 schedule(s)"));
  // Its first run (its slot at most 1 s on) finds TK-1 held, and says so.
  if (!daemon.wait_for_stdout(" Refresh access token: TokenKeeper TK-1 waits: another flow process's run holds "
                              "the instance\n", std::chrono::seconds(30))) {
    FAIL("the daemon did not say its run waits, in 30 s; its stdout not read yet:\n"
         << daemon.unread_stdout() << "its stderr:\n" << daemon.stderr_text());
  }
  daemon.signal(SIGTERM);
  // The wait ends at the signal: it is not waited out (120 s), nor until the
  // trigger's run ends (the provider answers 5 s on) and the daemon's own run.
  const auto out = daemon.read_all_stdout_until_exit(std::chrono::seconds(10));
  INFO(out << daemon.stderr_text());
  CHECK(daemon.wait(std::chrono::seconds(5)) == 0);
  CHECK_THAT(out, Catch::Contains(" Refresh access token: TokenKeeper TK-1 not run: the daemon is stopping, and "
                                  "another flow process's run held the instance\n"));
  CHECK(count_of(out, "FAILED") == 0);
  CHECK(count_of(out, "overran") == 0);

  const auto trigger_out = trigger.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(trigger_out << trigger.stderr_text());
  CHECK(trigger.wait(std::chrono::seconds(5)) == 0);
  // Nothing of the daemon's run is recorded: no run counted, the slot still due.
  const auto list = run_flow({"tasks", "list", "--db", seed.db});
  CHECK_THAT(list.out, Catch::StartsWith("Refresh access token  active  runs 0  last -  next 20"));
  CHECK(run_flow({"tasks", "history", "Refresh access token", "--db", seed.db}).out ==
        "no runs of 'Refresh access token'\n");
}
