// `flow repl`: ReplSession driven line by line, and the binary through a pipe
// (on a terminal: repl_terminal_test.cpp).
#include <sstream>

#include "e2e/e2e_support.hpp"
#include "engine/cli/repl.hpp"

using namespace flow;
using namespace flow::cli;
using flow::testing::TempDir;

namespace {

constexpr const char* kCounter = R"(process Counter {
  field A     number = 0;
  field Name  text;
  field Token secret = "s3cr3t-value-9f2a";

  on Bump {
    set A = A + 1;
    log "bumped to ${A}";
    save;
  }
  on Peek {
    set Name = "peeked";
    log "A is ${A}";
  }
  on Refuse {
    fail "refused at ${A}";
  }
  on Bad {
    set A = 100;
    fail "nope";
  }
  on SaveThenFail {
    set A = A + 1;
    save;
    set Name = "lost";
    fail "after the save";
  }
  on Rotate {
    set Token = "rotated-token-0000000002";
    save;
  }
}

schedule "Bump often" {
  every 55 minutes;
  process Counter;
  trigger Bump;
}
)";

struct Fixture {
  TempDir dir;
  std::string file = dir.file("counter.flow");
  std::ostringstream out;
  std::unique_ptr<ReplSession> session;

  explicit Fixture(bool reveal = false) {
    e2e::write_text(file, kCounter);
    session = std::make_unique<ReplSession>(ReplOptions{{file}, dir.file("flow.db"), reveal}, out);
  }
  /// Feeds `line` and returns what it printed.
  std::string say(const std::string& line) {
    out.str("");
    session->feed(line);
    return out.str();
  }
};

}  // namespace

TEST_CASE("repl: rules and expressions on a preview instance", "[repl]") {
  Fixture f;
  CHECK(f.say(":new Counter").find("unsaved") != std::string::npos);
  CHECK(f.say("set A = 2;").empty());
  CHECK(f.say("A * 21") == "42\n");
  CHECK(f.say("1 + 2") == "3\n");
  CHECK(f.say("log \"A is ${A}\";") == "log: A is 2\n");
  const auto shown = f.say(":show");
  CHECK(shown.find("A     = 2") != std::string::npos);
  CHECK(shown.find("s3cr3t") == std::string::npos);
  CHECK(shown.find("9f2a") != std::string::npos);
  CHECK(f.say("Token").find("s3cr3t") == std::string::npos);
}

TEST_CASE("repl: --show-secrets reveals", "[repl]") {
  Fixture f(true);
  f.say(":new Counter");
  CHECK(f.say("Token") == "s3cr3t-value-9f2a\n");  // like :show, a secret is not quoted
}

TEST_CASE("repl: a text field given part of a secret shows the mask alone", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  // Name ends with the token's 13th-16th characters, "-9f2": never shown.
  CHECK(f.say("set Name = substring(Token, 0, 16);").empty());
  CHECK(f.say("Name") == "••••\n");
  CHECK(f.say("Token") == "••••9f2a\n");
  CHECK(f.say("log \"${Name} ${Token}\";") == "log: •••• ••••9f2a\n");
  const auto shown = f.say(":show");
  CHECK(shown.find("Name  = ••••\n") != std::string::npos);
  CHECK(shown.find("Token = ••••9f2a\n") != std::string::npos);
  CHECK(shown.find("-9f2") == std::string::npos);
}

TEST_CASE("repl: errors are diagnostics, the session goes on", "[repl]") {
  Fixture f;
  CHECK(f.say("A").find("error") != std::string::npos);  // unknown name, no instance
  CHECK(f.say(":new Nope").find("no process 'Nope'") != std::string::npos);
  f.say(":new Counter");
  // Input is parsed as typed: lines and columns are the user's own.
  CHECK(f.say("set Nope = 1;").find("<repl>:1:5: error: process Counter has no field 'Nope'\n  set Nope = 1;\n") !=
        std::string::npos);
  CHECK(f.say("set A = ;").find("<repl>:1:9: error: expected an expression") != std::string::npos);
  CHECK(f.say("A +").find("<repl>:1:4: error: expected an operand after the operator") != std::string::npos);
  CHECK(f.say("save; bogus").find("<repl>:1:7: error: expected a rule") != std::string::npos);
  CHECK(f.say(")").find("<repl>:1:1: error: expected an expression") != std::string::npos);
  CHECK(f.say("set A = \"x\";").find("<repl>") != std::string::npos);
  CHECK(f.say(":bogus").find("unknown command") != std::string::npos);
  CHECK(f.say("A + 1") == "1\n");  // the failed inputs changed nothing
}

TEST_CASE("repl: a misspelled process, handler or field is met with the name it resembles", "[repl]") {
  Fixture f;
  CHECK_THAT(f.say(":new Countr"), Catch::Contains("no process 'Countr'; did you mean 'Counter'?"));
  f.say(":new Counter");
  CHECK_THAT(f.say(":click bump"), Catch::Contains("process Counter has no handler 'bump'; did you mean 'Bump'?"));
  CHECK_THAT(f.say("set Nmae = 1;"),
             Catch::Contains("<repl>:1:5: error: process Counter has no field 'Nmae'; did you mean 'Name'?"));
}

TEST_CASE("repl: a secret literal is masked in every excerpt that shows it", "[repl]") {
  Fixture f;
  // The check's warnings, printed as the session starts, quote the source line.
  const auto loaded = f.out.str();
  CHECK(loaded.find("warning: secret field 'Token' is given a literal value") != std::string::npos);
  CHECK(loaded.find("  field Token secret = ••••9f2a;\n") != std::string::npos);
  CHECK(loaded.find("s3cr3t") == std::string::npos);
  f.say(":new Counter");
  // A syntax error echoes the typed line.
  const auto unfinished = f.say("set Token = \"typed-secret-token-5555\" junk");
  CHECK(unfinished.find("<repl>:1:") != std::string::npos);
  CHECK(unfinished.find("  set Token = ••••5555 junk\n") != std::string::npos);
  CHECK(unfinished.find("typed-secret") == std::string::npos);
  // Not closed either.
  const auto open = f.say("set Token = \"typed-secret-token-5555");
  CHECK(open.find("  set Token = ••••5555\n") != std::string::npos);
  CHECK(open.find("typed-secret") == std::string::npos);
  // A run error on a line that holds one.
  const auto failed = f.say("set Token = \"typed-secret-token-5555\"; set A = \"x\";");
  CHECK(failed.find("<repl>:1:") != std::string::npos);
  CHECK(failed.find("  set Token = ••••5555; set A = \"x\";\n") != std::string::npos);
  CHECK(failed.find("typed-secret") == std::string::npos);
  // A field that is not secret shows as typed.
  CHECK(f.say("set Name = \"visible\" junk").find("  set Name = \"visible\" junk\n") != std::string::npos);
}

TEST_CASE("repl: a literal given to a misspelled secret field is masked in the error's excerpt", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  const auto typo = f.say("set Tokn = \"typed-secret-token-6666\";");
  INFO(typo);
  CHECK_THAT(typo, Catch::Contains("has no field 'Tokn'; did you mean 'Token'?"));
  CHECK_THAT(typo, Catch::Contains("  set Tokn = ••••6666;\n"));
  CHECK(typo.find("typed-secret") == std::string::npos);
  // A misspelled field that is not secret shows as typed.
  CHECK_THAT(f.say("set Nmae = \"visible\";"), Catch::Contains("  set Nmae = \"visible\";\n"));
}

TEST_CASE("repl: a literal typed into a call's map for a credential part is masked in the excerpt", "[repl]") {
  TempDir dir;
  const auto file = dir.file("call.flow");
  e2e::write_text(file, R"(datasource D rest {
  base_url = "http://127.0.0.1:1";
  method M POST "/token" { request header Basic "Authorization"; request body form { client_secret; note; } }
}
process P { field N text; on Go { save; } }
)");
  std::ostringstream out;
  ReplSession session(ReplOptions{{file}, dir.file("flow.db"), false}, out);
  session.feed(":new P");
  out.str("");
  session.feed(R"(create_item D.M map { header.Basic = "typed-basic-4444"; body.client_secret = "typed-client-3333"; )"
               R"(body.note = "visible note"; } junk)");
  const auto shown = out.str();
  INFO(shown);
  CHECK(shown.find("<repl>:1:") != std::string::npos);
  CHECK(shown.find("header.Basic = ••••4444; body.client_secret = ••••3333; body.note = \"visible note\";") !=
        std::string::npos);
  CHECK(shown.find("typed-") == std::string::npos);
}

TEST_CASE("repl: multi-line input while a block is open", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  CHECK(f.say("if A == 0 {").empty());
  CHECK(f.session->continuing());
  CHECK(f.say("  set A = 5;").empty());
  CHECK(f.say("}").empty());
  CHECK_FALSE(f.session->continuing());
  CHECK(f.say("A") == "5\n");
  CHECK(block_open("if x { log \"}\";"));
  CHECK_FALSE(block_open("log \"{\"; // {"));
}

TEST_CASE("repl: the last rule needs no ';', as in a block; a quoted task name is the name", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  CHECK(f.say("set A = 2").empty());
  CHECK(f.say("A") == "2\n");
  CHECK(f.say("set A = A + 1; log \"A is ${A}\"") == "log: A is 3\n");
  // An error still points into what was typed.
  CHECK(f.say("set A =").find("<repl>:1:8: error: expected an expression\n  set A =\n") != std::string::npos);
  const auto ran = f.say(":run \"Bump often\"");
  INFO(ran);
  CHECK(ran.find("log: bumped to 1") != std::string::npos);
}

TEST_CASE("repl: click, save, open, tasks, history, run", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  f.say("set A = 10;");
  const auto clicked = f.say(":click Bump");
  INFO(clicked);
  CHECK(clicked.find("log: bumped to 11") != std::string::npos);  // Bump's own save gave it an id
  const auto id = f.session->current()->id;
  REQUIRE_FALSE(id.empty());
  f.say("set A = 100;");
  CHECK(f.say(":save").find("saved " + id) != std::string::npos);
  f.say(":new Counter");
  CHECK(f.say(":open " + id).find("opened") != std::string::npos);
  CHECK(f.say("A") == "100\n");
  CHECK(f.say(":tasks").find("Bump often") != std::string::npos);
  const auto ran = f.say(":run Bump often");
  INFO(ran);
  CHECK(ran.find("log: bumped to 1") != std::string::npos);  // a new instance per run
  CHECK(f.say(":history Bump often").find("Counter.Bump") != std::string::npos);
  CHECK(f.say(":history Nothing").find("no runs") != std::string::npos);
  CHECK(f.say(":help").find(":click") != std::string::npos);
  CHECK(f.session->completions(":cl") == std::vector<std::string>{":click"});
  CHECK(f.session->completions("Bu") == std::vector<std::string>{"Bump", "Bump often"});
  CHECK_FALSE(f.session->feed(":quit"));
}

TEST_CASE("repl: :tasks says why a dynamic task has no next run, as flow tasks list does", "[repl]") {
  TempDir dir;
  const auto file = dir.file("keeper.flow");
  e2e::write_text(file, R"(process Keeper {
  field CreatedAt datetime;
  field ExpiresIn number;
  on Refresh { set CreatedAt = 2026-03-01T09:00:00Z; set ExpiresIn = 3600; save; }
}
instance "K-1" of Keeper { }
schedule "Before expiry" {
  at CreatedAt + seconds(ExpiresIn) - 5 minutes;
  process Keeper; id "K-1"; trigger Refresh;
}
)");
  // A store nothing seeded K-1 into (only `tasks pause|resume` wrote it): tasks list reads, and seeds nothing.
  const auto unseeded = dir.file("unseeded.db");
  REQUIRE(e2e::run_flow({"tasks", "pause", "Before expiry", file, "--db", unseeded}).code == 0);
  REQUIRE(e2e::run_flow({"tasks", "resume", "Before expiry", file, "--db", unseeded}).code == 0);
  CHECK(e2e::run_flow({"tasks", "list", file, "--db", unseeded}).out ==
        "Before expiry  active  runs 0  last -  next - (waiting: instance K-1 is not in the store yet)\n");

  std::ostringstream out;
  ReplSession session(ReplOptions{{file}, dir.file("flow.db"), false}, out);
  const auto say = [&](const std::string& line) {
    out.str("");
    session.feed(line);
    return out.str();
  };
  // The REPL seeded K-1 when it loaded the file, as the daemon does: its fields are null.
  CHECK(say(":tasks") == "Before expiry  Keeper.Refresh  never run (waiting: CreatedAt and ExpiresIn are null)\n");
  say(":open K-1");
  say(":click Refresh");
  CHECK(say(":tasks") == "Before expiry  Keeper.Refresh  never run (its time: 2026-03-01T09:55:00Z)\n");
  // With the task's state in the store (a daemon planned it and found no time), the same.
  const auto paused = e2e::run_flow({"tasks", "pause", "Before expiry", file, "--db", dir.file("flow.db")});
  REQUIRE(paused.code == 0);
  CHECK(say(":tasks") == "Before expiry  Keeper.Refresh  paused  runs 0  last -  next -\n");
  REQUIRE(e2e::run_flow({"tasks", "resume", "Before expiry", file, "--db", dir.file("flow.db")}).code == 0);
  CHECK(say(":tasks") ==
        "Before expiry  Keeper.Refresh  active  runs 0  last -  next - (its time: 2026-03-01T09:55:00Z)\n");
}

TEST_CASE("repl: the binary through a pipe", "[repl]") {
  TempDir dir;
  const auto file = dir.file("counter.flow");
  e2e::write_text(file, kCounter);
  auto child = test::ChildProcess::start({e2e::flow_binary(), "repl", file, "--db", dir.file("flow.db")});
  child.write_stdin(":new Counter\nset A = 2;\nA * 21\n:show\nset Nope = 1;\nif A > 1 {\n  set A = 3;\n}\nA\n:quit\n");
  child.close_stdin();
  const auto out = child.read_all_stdout_until_exit(std::chrono::seconds(30));
  INFO(out << child.stderr_text());
  CHECK(child.wait(std::chrono::seconds(5)) == 0);
  CHECK(out.find("42\n") != std::string::npos);
  const auto session = out.substr(out.find("new Counter"));  // after the checker's warning, which quotes the line
  CHECK(session.find("s3cr3t") == std::string::npos);
  CHECK(out.find("9f2a") != std::string::npos);
  CHECK(out.find("<repl>") != std::string::npos);
  CHECK(out.find("\n3\n") != std::string::npos);
}

TEST_CASE("repl: :click runs on the preview as it is; only the handler's save stores it", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  f.say("set A = 41;");
  const auto peeked = f.say(":click Peek");
  INFO(peeked);
  CHECK(peeked.find("log: A is 41") != std::string::npos);
  REQUIRE(f.session->current());
  CHECK(f.session->current()->id.empty());
  CHECK(f.session->current()->fields.at("Name") == Value("peeked"));
  CHECK(open_sqlite_store(f.dir.file("flow.db"))->list_instances().empty());

  const auto bumped = f.say(":click Bump");
  INFO(bumped);
  CHECK(bumped.find("log: bumped to 42") != std::string::npos);
  const auto id = f.session->current()->id;
  REQUIRE_FALSE(id.empty());
  const auto stored = open_sqlite_store(f.dir.file("flow.db"))->load_instance(id);
  REQUIRE(stored);
  CHECK(stored->fields.at("A") == Value(42.0));
  CHECK(stored->fields.at("Name") == Value("peeked"));  // the preview's edit went in with the save
}

TEST_CASE("repl: typed rules run through the interpreter: trigger works, a failure changes nothing", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  f.say("set A = 4;");
  // trigger (and the calls) used to be refused at the prompt.
  const auto triggered = f.say("trigger Bump;");
  INFO(triggered);
  CHECK(triggered.find("log: bumped to 5") != std::string::npos);
  const auto id = f.session->current()->id;
  REQUIRE_FALSE(id.empty());  // Bump's save gave the preview its Process ID
  CHECK(f.say("A") == "5\n");

  const auto failed = f.say("set A = 99;\nfail \"stop at ${A}\";");
  INFO(failed);
  CHECK(failed.find("<repl>") != std::string::npos);
  CHECK(failed.find("stop at 99") != std::string::npos);
  CHECK(f.say("A") == "5\n");  // the failed input changed nothing

  // A failure inside a triggered handler points into its file, not into <repl>.
  const auto refused = f.say("trigger Refuse;");
  INFO(refused);
  CHECK(refused.find("counter.flow:16:5: error: refused at 5") != std::string::npos);
  CHECK(refused.find("in Counter.Refuse (") != std::string::npos);

  // Typed input belongs to no task or handler: it leaves no run history.
  const auto store = open_sqlite_store(f.dir.file("flow.db"));
  CHECK(store->runs("", 10).empty());
  CHECK(store->load_instance(id)->fields.at("A") == Value(5.0));
}

TEST_CASE("repl: an input that saved and then failed keeps what it committed", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  const auto failed = f.say("set A = 3;\nsave;\nfail \"after the save\";");
  INFO(failed);
  CHECK(failed.find("after the save") != std::string::npos);
  const auto id = f.session->current()->id;
  REQUIRE_FALSE(id.empty());  // the save's Process ID stays with the preview
  CHECK(f.say("A") == "3\n");
  CHECK(f.say(":save").find("saved " + id) != std::string::npos);
  CHECK(open_sqlite_store(f.dir.file("flow.db"))->list_instances().size() == 1);  // not a second instance
}

TEST_CASE("repl: a failed :click keeps only what it committed", "[repl]") {
  Fixture f;
  // An unsaved preview is as it was before the click.
  f.say(":new Counter");
  f.say("set A = 7;");
  const auto failed = f.say(":click Bad");
  INFO(failed);
  CHECK(failed.find("nope") != std::string::npos);
  CHECK(failed.find("run FAILED") != std::string::npos);
  CHECK(failed.find("A     = 7\n") != std::string::npos);  // what the click left, not what it half did
  CHECK(f.say("A") == "7\n");
  CHECK(f.session->current()->id.empty());

  // A stored instance is as the store has it after the run, with the edits not saved yet.
  f.say(":click Bump");
  const auto id = f.session->current()->id;
  REQUIRE_FALSE(id.empty());
  f.say(":open " + id);
  f.say("set Name = \"mine\";");
  f.say(":click Bad");
  CHECK(f.say("A") == "8\n");
  CHECK(f.say("Name") == "\"mine\"\n");
  CHECK(f.say(":save").find("saved " + id) != std::string::npos);
  CHECK(open_sqlite_store(f.dir.file("flow.db"))->load_instance(id)->fields.at("A") == Value(8.0));

  // What a click saved before it failed stays; what it did after the save does not.
  f.say("set Name = \"kept\";");
  const auto saved_then_failed = f.say(":click SaveThenFail");
  INFO(saved_then_failed);
  CHECK(saved_then_failed.find("after the save") != std::string::npos);
  CHECK(f.say("A") == "9\n");
  CHECK(f.say("Name") == "\"kept\"\n");
  const auto stored = open_sqlite_store(f.dir.file("flow.db"))->load_instance(id);
  CHECK(stored->fields.at("A") == Value(9.0));
  CHECK(stored->fields.at("Name") == Value("kept"));
  CHECK(f.session->current()->revision == stored->revision);

  // Typed input alike: what came after its save is undone.
  const auto input = f.say("set A = 20;\nsave;\nset A = 50;\nfail \"after the input's save\";");
  INFO(input);
  CHECK(f.say("A") == "20\n");
}

TEST_CASE("repl: :save from a copy the store has moved past is refused; the newer token stays", "[repl]") {
  Fixture f;
  f.say(":new Counter");
  f.say(":click Bump");
  const auto id = f.session->current()->id;
  REQUIRE_FALSE(id.empty());
  const auto read = f.session->current()->revision;
  f.say("set Name = \"edited here\";");
  // Meanwhile another process (a `flow trigger` beside the REPL) rotates the token.
  const auto other =
      e2e::run_flow({"trigger", f.file, "Counter.Rotate", "--id", id, "--db", f.dir.file("flow.db")});
  INFO(other.out << other.err);
  REQUIRE(other.code == 0);

  const auto refused = f.say(":save");
  INFO(refused);
  CHECK(refused.find("error: instance " + id + " changed in the store (revision " + std::to_string(read + 1) +
                     ") since this copy of it was read (revision " + std::to_string(read) + ")") != std::string::npos);
  CHECK(refused.find("  :open " + id + " reads it again") != std::string::npos);
  auto stored = open_sqlite_store(f.dir.file("flow.db"))->load_instance(id);
  CHECK(to_text(stored->fields.at("Token")) == "rotated-token-0000000002");
  CHECK(stored->fields.at("Name").is_null());
  // A click on the stale copy is refused alike: it could spend a token the store has replaced.
  CHECK(f.say(":click Bump").find("changed in the store") != std::string::npos);
  CHECK(open_sqlite_store(f.dir.file("flow.db"))->load_instance(id)->revision == read + 1);

  // Read again, it saves over the other writer's revision, keeping its token.
  f.say(":open " + id);
  f.say("set Name = \"edited again\";");
  CHECK(f.say(":save").find("saved " + id + " (revision " + std::to_string(read + 2) + ")") != std::string::npos);
  stored = open_sqlite_store(f.dir.file("flow.db"))->load_instance(id);
  CHECK(to_text(stored->fields.at("Token")) == "rotated-token-0000000002");
  CHECK(stored->fields.at("Name") == Value("edited again"));
}

TEST_CASE("repl: :run on the current instance reads it again, and counts as the task's run", "[repl]") {
  TempDir dir;
  const auto file = dir.file("tick.flow");
  e2e::write_text(file, R"(process Tally {
  field N    number = 0;
  field Note text;
  on Tick { set N = N + 1; save; }
}
instance "T-1" of Tally { }
schedule "tick" { every 1 day; process Tally; id "T-1"; trigger Tick; }
)");
  const auto db = dir.file("flow.db");
  std::ostringstream out;
  ReplSession session(ReplOptions{{file}, db, false}, out);
  const auto say = [&](const std::string& line) {
    out.str("");
    session.feed(line);
    return out.str();
  };
  say(":open T-1");
  say("set Note = \"mine\"");  // an edit not saved: it stays, as after a :click
  CHECK_THAT(say(":run tick"), Catch::Contains("log: saved T-1 (revision 2)\n"));
  CHECK(session.current()->revision == 2);
  CHECK_THAT(say(":show"), Catch::StartsWith("T-1 (Tally) revision 2,") && Catch::EndsWith("  N    = 1\n  Note = \"mine\"\n"));
  CHECK(say("set N = N + 10") == "");  // not refused as changed in the store
  CHECK_THAT(say(":save"), Catch::Contains("saved T-1 (revision 3)"));
  const auto stored = open_sqlite_store(db)->load_instance("T-1");
  CHECK(stored->fields.at("N") == Value(11));
  CHECK(stored->fields.at("Note") == Value("mine"));
  const auto last = open_sqlite_store(db)->load_task("tick")->last_run;
  REQUIRE(last);
  CHECK(say(":tasks") == "tick  Tally.Tick  active  runs 1  last " + format_iso(*last) + "  next -\n");

  // A copy the store had moved past before the run (another process wrote) stays stale: :open reads it again.
  REQUIRE(e2e::run_flow({"trigger", file, "Tally.Tick", "--id", "T-1", "--db", db}).code == 0);  // revision 4
  CHECK_THAT(say(":run tick"), Catch::Contains("log: saved T-1 (revision 5)\n"));
  CHECK(session.current()->revision == 3);
  CHECK_THAT(say("set N = 0"), Catch::Contains("changed in the store (revision 5) since this copy of it was read"));
  CHECK_THAT(say(":tasks"), Catch::StartsWith("tick  Tally.Tick  active  runs 2  last "));
}

TEST_CASE("repl: help, quit and exit alone are :help and :quit", "[repl]") {
  Fixture f;
  CHECK_THAT(f.say("help"), Catch::Contains(":click HANDLER"));
  CHECK(f.session->feed("exit") == false);
  Fixture g;
  CHECK(g.session->feed("quit") == false);
}
