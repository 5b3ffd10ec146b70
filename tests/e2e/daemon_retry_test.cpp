// A schedule's retry across a daemon's stop, against the real provider: the
// retry whose backoff had begun is kept in the store, shown by `flow tasks
// list`, and run by the next daemon as the same retry.
#include <csignal>

#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;

namespace {

/// The seed example with a 3 s backoff, so that the test waits seconds, not minutes.
SeedFile seed_with_short_backoff() {
  auto text = seed_example();
  const std::string backoff = "retry 3 times backoff 30s;";
  const auto at = text.find(backoff);
  if (at == std::string::npos) throw std::runtime_error("the seed example has no `" + backoff + "`");
  text.replace(at, backoff.size(), "retry 3 times backoff 3s;");
  return {"token_refresh.flow", text};
}

}  // namespace

TEST_CASE("flow run stopped during a retry's backoff keeps the retry; the next daemon runs it and succeeds",
          "[e2e]") {
  const SeedScenario seed(seed_with_short_backoff(), {"--fail-next-n-with-500", "1"});
  {
    auto first = start_flow(seed.run(), seed.env);
    INFO(first.stderr_text());
    REQUIRE(first.wait_for_stdout("retry 1 of 3 in 3s\n", std::chrono::seconds(20)));
    first.signal(SIGTERM);
    const auto rest = first.read_all_stdout_until_exit(std::chrono::seconds(20));
    CHECK(first.wait(std::chrono::seconds(5)) == 0);
    CHECK_THAT(rest, Catch::Contains("task \"Refresh access token\": retry 1 of 3, due at "));
    CHECK_THAT(rest, Catch::Contains(", is kept for the next start: the daemon is stopping\n"));
  }
  const auto kept = run_flow({"tasks", "list", "--db", seed.db});
  INFO(kept.err);
  CHECK_THAT(kept.out, Catch::StartsWith("Refresh access token  active  runs 1  last "));
  CHECK_THAT(kept.out, Catch::EndsWith(" (retry 1)\n"));  // the store alone does not know how many there are
  const auto of_file = run_flow({"tasks", "list", seed.file, "--db", seed.db});
  CHECK_THAT(of_file.out, Catch::EndsWith(" (retry 1 of 3)\n"));
  CHECK(provider_stats(seed.provider)["refreshes"] == 0);

  auto second = start_flow(seed.run(), seed.env);
  INFO(second.stderr_text());
  REQUIRE(second.wait_for_stdout("kept when the daemon stopped, runs ", std::chrono::seconds(20)));
  REQUIRE(second.wait_for_stdout("Refresh access token: TokenKeeper TK-1 ok\n", std::chrono::seconds(20)));
  second.signal(SIGTERM);
  const auto rest = second.read_all_stdout_until_exit(std::chrono::seconds(20));
  CHECK(second.wait(std::chrono::seconds(5)) == 0);
  CHECK(count_of(rest, " ok\n") == 0);  // the retry only: the next slot is 55 minutes on

  const auto after = run_flow({"tasks", "list", "--db", seed.db});
  CHECK_THAT(after.out, Catch::StartsWith("Refresh access token  active  runs 1  last "));
  CHECK_THAT(after.out, !Catch::Contains("(retry"));
  const auto stats = provider_stats(seed.provider);
  CHECK(stats["refreshes"] == 1);
  CHECK(stats["invalid_grants"] == 0);
}
