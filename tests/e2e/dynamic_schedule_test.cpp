// A dynamic schedule (`at CreatedAt + seconds(ExpiresIn) - 5 minutes`) on a
// fresh instance, end to end: what the daemon says while its time is not
// known, what `flow tasks list` shows, how the first run is made, and how a
// running daemon follows a refresh by hand in another process.
#include <thread>

#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;

namespace {

constexpr const char* kAtExpiry = "at CreatedAt + seconds(ExpiresIn) - 5 minutes;";

}  // namespace

TEST_CASE("a dynamic schedule of a fresh instance says once why it waits and how to run it by hand", "[e2e]") {
  const SeedScenario seed(kAtExpiry);

  const auto run = run_flow(seed.run("1500ms"), seed.env);
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK(count_of(run.out, "TK-1 ok") == 0);
  CHECK(count_of(run.out, "its time cannot be computed") == 1);
  CHECK_THAT(run.out, Catch::Contains(
                          " task \"Refresh access token\": its time cannot be computed yet: CreatedAt and ExpiresIn of "
                          "TK-1 are null, so it does not run until a run sets them; run it once by hand: flow tasks run " +
                          seed.file + " 'Refresh access token' --db " + seed.db + " (or flow trigger " + seed.file +
                          " TokenKeeper.Refresh --id TK-1 --db " + seed.db + "), or add `first run now;` to the "
                          "schedule; checking again every 1m\n"));

  const auto list = run_flow({"tasks", "list", seed.file, "--db", seed.db});
  CHECK(list.code == 0);
  CHECK(list.out == "Refresh access token  active  runs 0  last -  next - (waiting: CreatedAt and ExpiresIn are null)\n");

  // The first run by hand, as the log says: then the daemon follows the token's expiry.
  const auto by_hand = run_flow({"tasks", "run", seed.file, "Refresh access token", "--db", seed.db}, seed.env);
  INFO(by_hand.out << by_hand.err);
  REQUIRE(by_hand.code == 0);
  const auto again = run_flow(seed.run("500ms"), seed.env);
  INFO(again.out << again.err);
  CHECK(count_of(again.out, "cannot be computed") == 0);
  const auto planned = run_flow({"tasks", "list", seed.file, "--db", seed.db});
  CHECK_THAT(planned.out, Catch::Contains("  next 20"));  // 55 minutes after the refresh
  CHECK_THAT(planned.out, !Catch::Contains("waiting"));
}

TEST_CASE("first run now: the daemon refreshes a fresh instance at once, then follows the token's expiry", "[e2e]") {
  const SeedScenario seed(std::string(kAtExpiry) + "\n  first run now;");

  const auto run = run_flow(seed.run("1500ms"), seed.env);
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK(count_of(run.out, "Refresh access token: TokenKeeper TK-1 ok") == 1);
  CHECK(count_of(run.out, "cannot be computed") == 0);
  CHECK(provider_stats(seed.provider).at("refreshes").get<int>() == 1);
  const auto list = run_flow({"tasks", "list", seed.file, "--db", seed.db});
  CHECK_THAT(list.out, Catch::StartsWith("Refresh access token  active  runs 1  last 20"));
  CHECK_THAT(list.out, !Catch::Contains("waiting"));

  // A restart does not run it again: the token's expiry (55 minutes on) decides.
  const auto again = run_flow(seed.run("500ms"), seed.env);
  CHECK(count_of(again.out, "TK-1 ok") == 0);
  CHECK(provider_stats(seed.provider).at("refreshes").get<int>() == 1);
}

TEST_CASE("a running daemon follows an expiry a refresh by hand moved on, instead of running at the old time",
          "[e2e]") {
  const testing::TempDir dir;
  const auto file = dir.file("expiry.flow");
  const auto db = dir.file("flow.db");
  write_text(file, R"(process Token {
  field ExpiresAt datetime;
  on Soon { set ExpiresAt = now() + 6 seconds; save; }
  on Refresh { set ExpiresAt = now() + 1 hour; save; }
}
instance "T-1" of Token { }
schedule "Before expiry" { at ExpiresAt; process Token; id "T-1"; trigger Refresh; }
)");
  const auto soon = std::chrono::steady_clock::now() + std::chrono::seconds(6);
  REQUIRE(run_flow({"trigger", file, "Token.Soon", "--id", "T-1", "--db", db}).code == 0);
  auto daemon = test::ChildProcess::start({flow_binary(), "run", file, "--db", db, "--for", "8s"});
  REQUIRE_THAT(daemon.read_line(std::chrono::seconds(10)), Catch::Contains("running 1 schedule(s)"));
  for (int i = 0; i < 100 && count_of(run_flow({"tasks", "list", "--db", db}).out, "next 20") == 0; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));  // until it has planned the time 6 s on

  // In another process, before that time: the token refreshed, its expiry an hour on.
  const auto by_hand = run_flow({"trigger", file, "Token.Refresh", "--id", "T-1", "--db", db});
  INFO(by_hand.out << by_hand.err);
  REQUIRE(by_hand.code == 0);
  REQUIRE(std::chrono::steady_clock::now() < soon);  // else this machine is too slow for the test's 6 s
  const auto out = daemon.read_all_stdout_until_exit(std::chrono::seconds(20));
  INFO(out << daemon.stderr_text());
  CHECK(daemon.wait(std::chrono::seconds(5)) == 0);
  CHECK(count_of(out, "T-1 ok") == 0);
  CHECK(count_of(out, " task \"Before expiry\": its instance was written since its slot ") == 1);
  CHECK(count_of(out, " now, and it waits for it\n") == 1);
  const auto list = run_flow({"tasks", "list", "--db", db});
  CHECK_THAT(list.out, Catch::StartsWith("Before expiry  active  runs 0  last -  next 20"));
  CHECK(count_of(run_flow({"tasks", "history", "Before expiry", "--db", db}).out, "ok") == 0);
}
