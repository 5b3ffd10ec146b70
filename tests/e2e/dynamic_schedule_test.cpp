// A dynamic schedule (`at CreatedAt + seconds(ExpiresIn) - 5 minutes`) on a
// fresh instance, end to end: what the daemon says while its time is not
// known, what `flow tasks list` shows, and how the first run is made.
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
