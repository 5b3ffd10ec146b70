// Text from outside (a token endpoint's error answer, a typed Process ID)
// reaches the terminal, the daemon's log and the run history with its control
// characters written visibly: it can neither drive the terminal nor forge a
// line of Flow's output. The server is the scripted one of tests/http, on a
// thread of this test, for an answer the provider never gives.
#include "e2e/e2e_support.hpp"
#include "e2e/server_thread.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

namespace {

/// A 500 whose body clears the screen, turns red, and forges a daemon's "ok" line.
constexpr const char* kHostileBody =
    "\x1b[2J\x1b[31mboom\r\n2026-11-29T10:00:00Z Refresh access token: TokenKeeper TK-1 ok\x07";
/// The same, as Flow must print it.
constexpr const char* kShownBody =
    "\\x1b[2J\\x1b[31mboom\\r\\n2026-11-29T10:00:00Z Refresh access token: TokenKeeper TK-1 ok\\x07";

constexpr const char* kKeeper = R"(
datasource Api rest {
  base_url = env("TOKEN_BASE_URL");
  method Token POST "/oauth/token" { request body form { grant_type; } response body json { access_token; } }
}
process TokenKeeper {
  field LastError text;
  on Refresh {
    create_item Api.Token map { body.grant_type = "refresh_token"; } on_error { LastError = error.message; };
    save;
  }
  on Strict { create_item Api.Token map { body.grant_type = "refresh_token"; }; }
}
instance "TK-1" of TokenKeeper { }
schedule "Refresh access token" { every 1 minutes; process TokenKeeper; id "TK-1"; trigger Strict; }
)";

/// The control characters of `text` other than the line feeds that end lines,
/// as hex: what would reach the terminal raw.
std::string raw_controls(const std::string& text) {
  std::string found;
  for (const char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7f) found += std::to_string(byte) + " ";
  }
  return found;
}

}  // namespace

TEST_CASE("a server's control characters are escaped in output, the daemon's log and the history", "[e2e]") {
  ServerThread server(test::respond(500, kHostileBody));
  TempDir dir;
  const auto file = dir.file("keeper.flow");
  write_text(file, kKeeper);
  const auto db = dir.file("flow.db");
  const std::map<std::string, std::string> env{{"TOKEN_BASE_URL", server.base_url()}};

  const auto trigger = run_flow({"trigger", file, "TokenKeeper.Strict", "--id", "TK-1", "--db", db}, env);
  INFO(trigger.out << trigger.err);
  CHECK(trigger.code == 1);
  CHECK(raw_controls(trigger.out + trigger.err).empty());
  CHECK(count_of(trigger.err, std::string("failed: HTTP 500: ") + kShownBody + "\n") == 1);
  CHECK(count_of(trigger.out, std::string("failed: HTTP 500: ") + kShownBody + " (") == 1);  // its log line

  // The message kept in a field is text: shown quoted, its quotes and controls escaped.
  const auto handled = run_flow({"trigger", file, "TokenKeeper.Refresh", "--id", "TK-1", "--db", db}, env);
  INFO(handled.out << handled.err);
  CHECK(handled.code == 0);
  CHECK(count_of(handled.out, std::string("LastError = \"HTTP 500: ") + kShownBody + "\"\n") == 1);
  const auto show = run_flow({"instances", "show", "TK-1", "--db", db});
  CHECK(count_of(show.out, std::string("LastError = \"HTTP 500: ") + kShownBody + "\"\n") == 1);

  const auto history = run_flow({"tasks", "history", "--db", db});
  INFO(history.out << history.err);
  CHECK(raw_controls(history.out).empty());
  CHECK(count_of(history.out, kShownBody) == 3);  // each run's log line, and the failed run's error

  // A Process ID typed on the command line is echoed as visibly.
  const auto unknown = run_flow({"instances", "show", "\x1b[2Jnope", "--db", db});
  CHECK(unknown.code == 1);
  CHECK(unknown.err == "flow: no instance with Process ID '\\x1b[2Jnope'\n");
}

TEST_CASE("the daemon prints a failed run's error once, with no blank line after it", "[e2e]") {
  ServerThread server(test::respond(500, kHostileBody));
  TempDir dir;
  const auto file = dir.file("keeper.flow");
  write_text(file, kKeeper);
  const auto run = run_flow({"run", file, "--db", dir.file("flow.db"), "--for", "1500ms"},
                            {{"TOKEN_BASE_URL", server.base_url()}});
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(raw_controls(run.out + run.err).empty());
  CHECK(count_of(run.out, " Refresh access token: TokenKeeper TK-1 FAILED\n") == 1);
  CHECK(count_of(run.out, ": error: create_item Api.Token failed: HTTP 500: ") == 1);
  CHECK(count_of(run.out, "\n\n") == 0);
  CHECK(count_of(run.out, "\n2026-11-29T10:00:00Z") == 0);  // no forged line
}
