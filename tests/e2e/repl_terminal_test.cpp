// `flow repl` on a pseudo-terminal, as a user at a keyboard runs it: libedit
// reads the keys, and Ctrl-C is a SIGINT from the terminal.
#include <chrono>
#include <csignal>

#include "e2e/e2e_support.hpp"

using namespace flow;
using flow::testing::TempDir;

namespace {

constexpr const char* kBumper = R"(process Counter {
  field A number = 0;
  on Bump { set A = A + 1; log "bumped to ${A}"; save; }
}
)";

/// kBumper written in `dir`, and the command that runs the REPL on it.
std::vector<std::string> repl_command(TempDir& dir) {
  const auto file = dir.file("counter.flow");
  e2e::write_text(file, kBumper);
  return {e2e::flow_binary(), "repl", file, "--db", dir.file("flow.db")};
}

/// The REPL on kBumper on a terminal, a new Counter previewed.
struct Previewing {
  Previewing() {
    type(":new Counter\r");
    REQUIRE(wait_for("new Counter (unsaved preview)"));
  }
  void type(const std::string& keys) { repl.write_stdin(keys); }
  /// Whether the terminal shows `text` past what earlier calls read, within 30 s.
  bool wait_for(const std::string& text) { return repl.wait_for_stdout(text, kPatience); }
  /// Whether it ended by itself, exit 0 (not killed by a signal), within 30 s.
  bool exits_cleanly() { return repl.wait(kPatience) == 0; }

  static constexpr std::chrono::seconds kPatience{30};
  TempDir dir;
  test::ChildProcess repl = test::ChildProcess::on_terminal(repl_command(dir));
};

}  // namespace

TEST_CASE_METHOD(Previewing, "repl on a terminal: Ctrl-C drops the line being typed and the prompt comes back", "[repl]") {
  type("set A = 7");
  REQUIRE(wait_for("set A = 7"));  // echoed: typed, not entered
  type("\x03");
  INFO(repl.stdout_text());
  REQUIRE(wait_for("^C"));
  type("if A == 0 {\r");  // a rule of several lines, not ended
  REQUIRE(wait_for("....> "));
  type("\x03");
  REQUIRE(wait_for("^C"));
  type("A + 6 * 7\r");  // A is still 0, and the `if` was dropped with its line
  CHECK(wait_for("\n42"));
  type(":quit\r");
  CHECK(exits_cleanly());
}

TEST_CASE_METHOD(Previewing, "repl on a terminal: SIGHUP or SIGTERM at the prompt ends it as the end of input does",
                 "[repl]") {
  const int number = GENERATE(SIGHUP, SIGTERM);
  type(":click Bump\r");  // saved: Counter-1, revision 1
  REQUIRE(wait_for("bumped to 1"));
  REQUIRE(wait_for("flow> "));
  repl.signal(number);
  const bool clean = exits_cleanly();  // not killed by the signal
  INFO(repl.stdout_text());
  CHECK(clean);
  CHECK(open_sqlite_store(dir.file("flow.db"))->load_instance("Counter-1")->fields.at("A") == Value(1.0));
}
