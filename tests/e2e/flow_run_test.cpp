// The flow binary end to end against the real OAuth2 provider on 127.0.0.1.
#include <netinet/in.h>
#include <sys/socket.h>

#include <csignal>
#include <thread>

#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

TEST_CASE("flow run keeps the token fresh: a chain of rotations with no failure", "[e2e]") {
  const SeedScenario seed("every 1 seconds;");

  const auto run = run_flow(seed.run("4500ms"), seed.env);
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  const auto ok_runs = count_of(run.out, "Refresh access token: TokenKeeper TK-1 ok");
  CHECK(ok_runs >= 4);
  CHECK(count_of(run.out, "FAILED") == 0);

  const auto stats = provider_stats(seed.provider);
  CHECK(stats.at("refreshes").get<int>() == static_cast<int>(ok_runs));
  CHECK(stats.at("invalid_grants").get<int>() == 0);

  // A restarted daemon goes on with the last rotated token (strict rotation
  // would answer invalid_grant to any older one).
  const auto again = run_flow(seed.run("1500ms"), seed.env);
  INFO(again.out << again.err);
  CHECK(again.code == 0);
  CHECK(count_of(again.out, "TK-1 ok") >= 1);
  CHECK(count_of(again.out, "FAILED") == 0);
  CHECK(provider_stats(seed.provider).at("invalid_grants").get<int>() == 0);

  // No secret in clear anywhere in the output.
  CHECK(run.out.find(kClientSecret) == std::string::npos);
  CHECK(run.out.find(kInitialRefresh) == std::string::npos);
}

TEST_CASE("flow run names the instance a failed run was for, and says a past once does not run", "[e2e]") {
  TempDir dir;
  const auto file = dir.file("names.flow");
  write_text(file, R"(
process TokenKeeper { field ClientId text; on Refresh { save; } }
instance "TK-1" of TokenKeeper { ClientId = env("FLOW_E2E_NEVER_SET"); }
schedule "Refresh access token" { every 55 minutes; process TokenKeeper; id "TK-1"; trigger Refresh; }
schedule "Migrate" { once at 2020-01-01T00:00; process TokenKeeper; id "TK-1"; trigger Refresh; }
)");
  const auto run = run_flow({"run", file, "--db", dir.file("flow.db"), "--for", "500ms"});
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK_THAT(run.out, Catch::Contains(" Refresh access token: TokenKeeper TK-1 FAILED\n"));
  CHECK_THAT(run.out, Catch::Contains(" task \"Migrate\": its time (once at 2020-01-01T00:00:00Z) had already passed "
                                      "when the schedule was first planned; it does not run\n"));
  CHECK(count_of(run.out, "never") == 0);
  CHECK(count_of(run.out, "running once now") == 0);
}

TEST_CASE("flow trigger presses the button once and prints masked fields", "[e2e]") {
  const SeedScenario seed;

  const auto run = run_flow(seed.trigger_on_default_store(), seed.env);
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  CHECK_THAT(run.out, Catch::Contains("create_item RestService.GetRefreshAuthToken -> 200"));
  CHECK_THAT(run.out, Catch::Contains("saved TK-1 (revision"));
  CHECK_THAT(run.out, Catch::Contains("ExpiresIn    = 3600"));
  CHECK(run.out.find(kClientSecret) == std::string::npos);
  CHECK_THAT(run.out, Catch::Contains("ClientSecret = \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" "6789"));

  // The default store is flow.db beside the file, and instances show reads it.
  const auto show = run_flow({"instances", "show", "TK-1", "--db", seed.db});
  CHECK(show.code == 0);
  CHECK_THAT(show.out, Catch::Contains("TK-1 (TokenKeeper) revision"));
}

TEST_CASE("flow trigger fails with exit 1 on invalid_grant, and the message says so", "[e2e]") {
  const SeedScenario seed("every 55 minutes;", {"--invalid_grant_next_n", "1"});
  const auto run = run_flow(seed.trigger_on_default_store(), seed.env);
  INFO(run.out << run.err);
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains("failed: HTTP 400"));
  CHECK_THAT(run.err, Catch::Contains("invalid_grant"));
}

TEST_CASE("flow trigger against a provider that is down fails clearly", "[e2e]") {
  const SeedFiles seed;
  // Port 9 (discard) on loopback: nothing listens there in the test machine.
  const auto run = run_flow(seed.trigger_on_default_store(),
                            {{"TOKEN_BASE_URL", "http://127.0.0.1:9"},
                             {"CLIENT_ID", kClientId},
                             {"CLIENT_SECRET", kClientSecret},
                             {"REFRESH_TOKEN", kInitialRefresh}});
  CHECK(run.code == 1);
  CHECK_THAT(run.err, Catch::Contains("failed: refused"));
}

namespace {

/// A TCP port on 127.0.0.1 that accepts connections (the kernel's backlog) but
/// never answers: a call to it hangs until its timeout.
class SilentPort {
 public:
  SilentPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
    REQUIRE(::listen(fd_, 16) == 0);
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
  }
  ~SilentPort() { ::close(fd_); }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
};

}  // namespace

TEST_CASE("a rotated refresh token survives kill -9 before save", "[e2e]") {
  // relaxed skips the fsync, so the commit lives in the OS page cache: that
  // survives the kill of the process all the same.
  const std::string durability = GENERATE(as<std::string>{}, "full", "relaxed");
  INFO("--durability " << durability);
  SilentPort silent;
  // A second call after the refresh that never answers, then save: the kill
  // lands after the provider rotated the token and before `save` ran.
  const std::string slow = R"(
datasource Slow rest {
  base_url = "http://127.0.0.1:)" + std::to_string(silent.port()) + R"(";
  timeout = 60s;
  method Hang GET "/hang" { }
}
process Keeper2 {
  field ClientId text = env("CLIENT_ID");
  field ClientSecret secret = env("CLIENT_SECRET");
  field RefreshToken secret = env("REFRESH_TOKEN");
  field AccessToken secret;
  on Refresh {
    create_item RestService.GetRefreshAuthToken map {
      body.grant_type = "refresh_token";
      body.client_id = ClientId;
      body.client_secret = ClientSecret;
      body.refresh_token = RefreshToken;
    } on_success {
      AccessToken = body.access_token;
      RefreshToken = body.refresh_token;
    };
    create_item Slow.Hang map { };
    save;
  }
  on RefreshOnly {
    create_item RestService.GetRefreshAuthToken map {
      body.grant_type = "refresh_token";
      body.client_id = ClientId;
      body.client_secret = ClientSecret;
      body.refresh_token = RefreshToken;
    } on_success {
      AccessToken = body.access_token;
      RefreshToken = body.refresh_token;
    };
    save;
  }
}
instance "K-2" of Keeper2 { }
)";
  const SeedScenario seed(SeedFile{"kill.flow", seed_example() + slow});
  auto child = test::ChildProcess::start({flow_binary(), "trigger", seed.file, "Keeper2.Refresh", "--id", "K-2", "--db",
                                          seed.db, "--durability", durability},
                                         seed.env);
  // Wait (bounded) until the rotated token is in the store: the provider has
  // rotated it, the call returned, and the run now hangs on the second call.
  bool checkpointed = false;
  for (int i = 0; i < 400 && !checkpointed; ++i) {
    if (std::filesystem::exists(seed.db)) {
      const auto store = open_sqlite_store(seed.db);
      const auto instance = store->load_instance("K-2");
      checkpointed = instance && to_text(instance->fields.at("RefreshToken")) != kInitialRefresh;
    }
    if (!checkpointed) std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
  REQUIRE(checkpointed);
  CHECK(provider_stats(seed.provider).at("refreshes").get<int>() == 1);
  child.signal(SIGKILL);
  CHECK(child.wait(std::chrono::seconds(10)) == -SIGKILL);

  // The next run starts from the rotated token and the provider accepts it.
  const auto next = run_flow({"trigger", seed.file, "Keeper2.RefreshOnly", "--id", "K-2", "--db", seed.db}, seed.env);
  INFO(next.out << next.err);
  CHECK(next.code == 0);
  const auto stats = provider_stats(seed.provider);
  CHECK(stats.at("refreshes").get<int>() == 2);
  CHECK(stats.at("invalid_grants").get<int>() == 0);
}

TEST_CASE("--for takes a duration as written in a .flow file; anything else is a usage error", "[e2e]") {
  const SeedFiles seed;
  const auto bad = run_flow(seed.run("5 fortnights"));
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("bad duration '5 fortnights'"));
  const auto typo = run_flow(seed.run("5minites"));
  CHECK(typo.code == 2);
  CHECK_THAT(typo.err, Catch::Contains("bad duration '5minites': unknown unit 'minites'; did you mean 'minutes'?"));
}

TEST_CASE("--keep-runs takes a number of runs per task", "[e2e]") {
  const SeedFiles seed;
  for (const std::string bad : {"-1", "many", "10x", ""}) {
    const auto run = run_flow(seed.trigger_on_default_store({"--keep-runs", bad}));
    INFO(bad << ": " << run.err);
    CHECK(run.code == 2);
    CHECK_THAT(run.err, Catch::Contains("--keep-runs is a number of runs per task"));
  }
  CHECK_FALSE(std::filesystem::exists(seed.db));
}

TEST_CASE("--durability takes full or relaxed; anything else is a usage error", "[e2e]") {
  const SeedFiles seed;
  const auto bad = run_flow(seed.trigger_on_default_store({"--durability", "fast"}));
  CHECK(bad.code == 2);
  CHECK_THAT(bad.err, Catch::Contains("--durability is full or relaxed, not 'fast'"));
  CHECK_FALSE(std::filesystem::exists(seed.db));
}

TEST_CASE("--for split by the shell (--for 90 seconds) says to quote it", "[e2e]") {
  const SeedFiles seed;
  const auto split = run_flow({"run", seed.file, "--db", seed.db, "--for", "90", "seconds"});
  CHECK(split.code == 2);
  CHECK(split.err == "flow: --for takes one argument: quote it, --for \"90 seconds\", or write 90s\n");
  const auto inline_value = run_flow({"run", seed.file, "--db", seed.db, "--for=500", "milliseconds"});
  CHECK(inline_value.code == 2);
  CHECK(inline_value.err == "flow: --for takes one argument: quote it, --for \"500 milliseconds\", or write 500ms\n");
  CHECK_FALSE(std::filesystem::exists(seed.db));
}

TEST_CASE("flow trigger of an unknown process or handler is a usage error naming the handlers", "[e2e]") {
  const SeedFiles seed;
  const auto handler = run_flow({"trigger", seed.file, "TokenKeeper.Nope"});
  CHECK(handler.code == 2);
  CHECK(handler.out.empty());
  CHECK(handler.err == "flow: process TokenKeeper has no handler 'Nope'; handlers: TokenKeeper.Refresh\n");
  const auto process = run_flow({"trigger", seed.file, "Keeper.Refresh", "--id", "TK-1"});
  CHECK(process.code == 2);
  CHECK(process.out.empty());
  CHECK(process.err == "flow: no process 'Keeper' in the files; handlers: TokenKeeper.Refresh\n");
  CHECK_FALSE(std::filesystem::exists(seed.db));
}

TEST_CASE("flow trigger that fails before it has an instance prints no instance", "[e2e]") {
  const SeedFiles seed;
  const auto run = run_flow({"trigger", seed.file, "TokenKeeper.Refresh", "--id", "TK-9"});
  CHECK(run.code == 1);
  CHECK(run.out.empty());
  // The run's error alone: the declared TK-1, which cannot be seeded (its
  // env() unset), is no business of a trigger on another instance.
  CHECK(run.err == "error: no instance of TokenKeeper with Process ID 'TK-9'\n");
  const auto json = run_flow({"trigger", seed.file, "TokenKeeper.Refresh", "--id", "TK-9", "--json"});
  CHECK(json.code == 1);
  CHECK(Json::parse(json.out).at("instance").is_null());
}

TEST_CASE("flow trigger prints the stamps a checkpoint gave a new instance", "[e2e]") {
  // A call maps a value in and nothing saves: the engine checkpoints the new instance.
  const SeedScenario seed(SeedFile{"peek.flow", seed_example() + R"(
process Peek {
  field RefreshToken secret = env("REFRESH_TOKEN");
  field AccessToken secret;
  on Look {
    create_item RestService.GetRefreshAuthToken map {
      body.grant_type = "refresh_token";
      body.client_id = env("CLIENT_ID");
      body.client_secret = env("CLIENT_SECRET");
      body.refresh_token = RefreshToken;
    } on_success {
      AccessToken = body.access_token;
      RefreshToken = body.refresh_token;
    };
  }
}
)"});
  const auto run = run_flow({"trigger", seed.file, "Peek.Look"}, seed.env);
  INFO(run.out << run.err);
  REQUIRE(run.code == 0);
  const auto stored = open_sqlite_store(seed.db)->load_instance("Peek-1");
  REQUIRE(stored);
  CHECK_THAT(run.out, Catch::Contains("Peek-1 (Peek) revision 1, modified " + format_iso(stored->modified) + "\n"));
  CHECK(run.out.find("1970") == std::string::npos);
}

TEST_CASE("flow trigger that fails shows the stored instance, and the run's values apart as not saved", "[e2e]") {
  TempDir dir;
  const auto file = dir.file("wipe.flow");
  write_text(file, R"(process P {
  field Token secret;
  on Wipe { set Token = ""; fail "the provider said invalid_grant"; }
}
instance "P-1" of P { Token = "kept-token-0123456789"; }
)");
  const auto text = run_flow({"trigger", file, "P.Wipe", "--id", "P-1", "--show-secrets"});
  CHECK(text.code == 1);
  CHECK_THAT(text.out, Catch::Matches("P-1 \\(P\\) revision 1, modified [^\n]*\n"
                                      "  Token = kept-token-0123456789\n"
                                      "not saved:\n"
                                      "  Token = \n"));
  const auto json = run_flow({"trigger", file, "P.Wipe", "--id", "P-1", "--json", "--show-secrets"});
  CHECK(json.code == 1);
  const auto doc = Json::parse(json.out);
  CHECK(doc.at("instance").at("revision") == 1);
  CHECK(doc.at("instance").at("fields").at("Token") == "kept-token-0123456789");
  CHECK(doc.at("unsaved") == Json{{"Token", ""}});
}

TEST_CASE("flow trigger --json on invalid_grant: the stored access token is not shown wiped", "[e2e]") {
  const SeedScenario seed("every 55 minutes;", {"--invalid_grant_next_n", "1"});
  const auto run = run_flow(seed.trigger_on_default_store({"--json"}), seed.env);
  INFO(run.out << run.err);
  CHECK(run.code == 1);
  const auto doc = Json::parse(run.out);
  CHECK_FALSE(doc.at("saved").get<bool>());
  CHECK(doc.at("instance").at("fields").at("AccessToken").is_null());  // as stored: never set
  CHECK(doc.at("unsaved").contains("AccessToken"));                  // the rule that wiped it ran, unsaved
  CHECK_THAT(doc.at("error").get<std::string>(), Catch::Contains("invalid_grant"));
}

TEST_CASE("flow trigger without --id runs on a new instance, whose save gives the Process ID it prints", "[e2e]") {
  // Kianda's preview: a new item, the button pressed, the Process ID noted.
  // The seed, its fields given defaults: a new instance has what a refresh needs.
  auto text = seed_example();
  for (const auto& [field, value] : std::vector<std::pair<std::string, std::string>>{
           {"ClientId     text", "env(\"CLIENT_ID\")"},
           {"ClientSecret secret", "env(\"CLIENT_SECRET\")"},
           {"RedirectUrl  text", "\"https://app.example.com/callback\""},
           {"RefreshToken secret", "env(\"REFRESH_TOKEN\")"}}) {
    const auto at = text.find("field " + field + ";");
    REQUIRE(at != std::string::npos);
    text.insert(at + 6 + field.size(), " = " + value);
  }
  const SeedScenario seed(SeedFile{"preview.flow", text});
  const auto created = run_flow({"trigger", seed.file, "TokenKeeper.Refresh", "--db", seed.db}, seed.env);
  INFO(created.out << created.err);
  REQUIRE(created.code == 0);
  CHECK_THAT(created.out, Catch::Contains("\nTokenKeeper-1 (TokenKeeper) revision "));
  // As README.md and docs/language.md describe it: the log lines first, the save among them, then the instance.
  CHECK_THAT(created.out, Catch::StartsWith("log: "));
  CHECK_THAT(created.out, Catch::Contains("log: saved TokenKeeper-1 (revision 1)\nTokenKeeper-1 (TokenKeeper) revision 1,"));
  for (const std::string doc : {"/README.md", "/docs/language.md"}) {
    INFO(doc);
    const auto said = read_text(FLOW_SOURCE_DIR + doc);
    CHECK(said.find("the first line printed") == std::string::npos);
    CHECK(said.find("saved TokenKeeper-1 (revision 1)") != std::string::npos);
  }
  // The noted Process ID is the instance from then on: its rotated token is used.
  const auto again =
      run_flow({"trigger", seed.file, "TokenKeeper.Refresh", "--id", "TokenKeeper-1", "--db", seed.db}, seed.env);
  INFO(again.out << again.err);
  CHECK(again.code == 0);
  CHECK_THAT(again.out, Catch::Contains("\nTokenKeeper-1 (TokenKeeper) revision "));
  CHECK(again.out.find(created.out.substr(created.out.find("\nTokenKeeper-1"), 40)) == std::string::npos);
  CHECK(provider_stats(seed.provider).at("invalid_grants").get<int>() == 0);
  // An ID neither stored nor declared names no instance.
  const auto unknown = run_flow({"trigger", seed.file, "TokenKeeper.Refresh", "--id", "TK-9", "--db", seed.db}, seed.env);
  CHECK(unknown.code == 1);
  CHECK_THAT(unknown.err, Catch::Contains("no instance of TokenKeeper with Process ID 'TK-9'"));
}
