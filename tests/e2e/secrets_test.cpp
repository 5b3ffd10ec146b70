// No secret reaches stdout, stderr, the daemon's log or the store's run history
// in clear: taint follows the value (interpolation, concatenation, functions).
#include <sqlite3.h>

#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

namespace {

/// Every column of every row of the runs table, as text.
std::string history_dump(const std::string& db) {
  sqlite3* handle = nullptr;
  REQUIRE(sqlite3_open_v2(db.c_str(), &handle, SQLITE_OPEN_READONLY, nullptr) == SQLITE_OK);
  sqlite3_stmt* select = nullptr;
  REQUIRE(sqlite3_prepare_v2(handle, "SELECT * FROM runs", -1, &select, nullptr) == SQLITE_OK);
  std::string out;
  while (sqlite3_step(select) == SQLITE_ROW) {
    for (int i = 0; i < sqlite3_column_count(select); ++i) {
      const auto* text = sqlite3_column_text(select, i);
      out += text ? reinterpret_cast<const char*>(text) : "";
      out += "|";
    }
    out += "\n";
  }
  sqlite3_finalize(select);
  sqlite3_close(handle);
  return out;
}

/// A handler that logs secrets every way a user might, then fails with one.
const std::string kLeaky = R"(
process Leaky {
  field ClientSecret secret = env("CLIENT_SECRET");
  field RefreshToken secret = env("REFRESH_TOKEN");
  field Note text;
  on Talk {
    log "secret ${ClientSecret} and token ${RefreshToken}";
    log ClientSecret;
    log "prefix-" + RefreshToken + "-suffix";
    log upper(ClientSecret);
    set Note = "copied";
    save;
  }
  on Explode {
    fail "cannot go on with ${RefreshToken}";
  }
}
instance "L-1" of Leaky { }
)";

}  // namespace

TEST_CASE("no secret reaches stdout, stderr, the log or the run history in clear", "[e2e][secrets]") {
  auto provider = start_seed_provider({"--invalid_grant_next_n", "1"});
  TempDir dir;
  const auto file = dir.file("secrets.flow");
  write_text(file, seed_example("every 1 seconds;") + kLeaky);
  const auto db = dir.file("flow.db");
  const auto env = seed_env(provider);
  const std::vector<std::string> secrets{kClientSecret, kInitialRefresh, "E2E-CLIENT-SECRET-0123456789"};

  std::string everything;
  const auto record = [&](const FlowRun& run) { everything += run.out + "\n" + run.err + "\n"; };
  // A failing refresh (invalid_grant), then successful ones from the daemon.
  record(run_flow({"trigger", file, "TokenKeeper.Refresh", "--id", "TK-1", "--db", db}, env));
  record(run_flow({"run", file, "--db", db, "--for", "2500ms"}, env));
  record(run_flow({"trigger", file, "Leaky.Talk", "--id", "L-1", "--db", db}, env));
  record(run_flow({"trigger", file, "Leaky.Explode", "--id", "L-1", "--db", db}, env));
  record(run_flow({"trigger", file, "Leaky.Talk", "--id", "L-1", "--db", db, "--json"}, env));
  record(run_flow({"instances", "show", "TK-1", "--db", db}));
  record(run_flow({"instances", "show", "L-1", "--db", db}));
  record(run_flow({"tasks", "history", "--db", db, "--limit", "100"}));
  const auto history = history_dump(db);

  // The runs really happened and were recorded.
  CHECK_THAT(everything, Catch::Contains("invalid_grant"));
  CHECK_THAT(everything, Catch::Contains("TK-1 ok"));
  CHECK_THAT(everything, Catch::Contains("log: secret \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2"));
  CHECK_THAT(history, Catch::Contains("cannot go on with"));
  for (const auto& secret : secrets) {
    INFO("secret: " << secret);
    CHECK(everything.find(secret) == std::string::npos);
    CHECK(history.find(secret) == std::string::npos);
  }
  // Rotated tokens the provider issued never show either: read them (with
  // --show-secrets, the one explicit way) and look for them everywhere else.
  const auto shown = run_flow({"instances", "show", "TK-1", "--db", db, "--show-secrets"});
  const auto at = shown.out.find("RefreshToken = ");
  REQUIRE(at != std::string::npos);
  const auto rotated = shown.out.substr(at + 15, shown.out.find('\n', at) - at - 15);
  REQUIRE(rotated.size() >= 16);
  CHECK(everything.find(rotated) == std::string::npos);
  CHECK(history.find(rotated) == std::string::npos);
}
