// Declared instances (`instance "ID" of P { ... }`) are seeded by every
// command that runs handlers, before its first run, as `flow run` and
// `flow test` seed them: `flow trigger`, `flow tasks run` and the REPL.
#include <sstream>

#include "e2e/e2e_support.hpp"
#include "engine/cli/repl.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

namespace {

// The audit's shape: a declared account, a schedule on it, and a button that
// saves a new account.
constexpr const char* kAccounts = R"(process Acct {
  field Owner text;
  field Balance number = 0;
  on Touch { save; }
  on Add { set Balance = Balance + 10; save; }
}
instance "Acct-1" of Acct { Owner = "alice"; Balance = 100; }
schedule "interest" { every 1 day; process Acct; id "Acct-1"; trigger Add; }
)";

// A declared configuration another process reads with instance("CFG").
constexpr const char* kConfig = R"(process Config { field Rate number; field Region text; }
instance "CFG" of Config { Rate = 1.5; Region = "eu"; }
process Order {
  field Amount number;
  field Total number;
  field Region text;
  on Price { set Total = Amount * instance("CFG").Rate; set Region = instance("CFG").Region; save; }
}
instance "O-1" of Order { Amount = 10; }
schedule "reprice" { every 1 day; process Order; id "O-1"; trigger Price; }
)";

// Key-1 cannot be seeded: FLOW_E2E_NEVER_SET is never set.
constexpr const char* kKeys = R"(process Key { field Value text; on Touch { save; } }
instance "Key-1" of Key { Value = env("FLOW_E2E_NEVER_SET"); }
instance "Key-9" of Key { Value = "nine"; }
)";

/// kAccounts written into a temp dir, and the store beside it.
struct Accounts {
  TempDir dir;
  std::string file = dir.file("accounts.flow");
  std::string db = dir.file("flow.db");
  Accounts() { write_text(file, kAccounts); }
};

/// A ReplSession on `file` and `db`, fed line by line.
struct Repl {
  std::ostringstream out;
  cli::ReplSession session;
  Repl(const std::string& file, const std::string& db) : session(cli::ReplOptions{{file}, db, false}, out) {}
  std::string say(const std::string& line) {
    out.str("");
    session.feed(line);
    return out.str();
  }
};

}  // namespace

TEST_CASE("flow trigger without --id seeds the declared instance first: its ID stays its own", "[e2e]") {
  const Accounts accounts;
  const auto& file = accounts.file;
  const auto& db = accounts.db;
  const auto touched = run_flow({"trigger", file, "Acct.Touch", "--db", db});
  INFO(touched.out << touched.err);
  REQUIRE(touched.code == 0);
  CHECK_THAT(touched.out, Catch::StartsWith("log: saved Acct-2 (revision 1)\n"));
  CHECK(touched.err.empty());
  // The schedule runs on the declared account, with its declared values.
  const auto daemon = run_flow({"run", file, "--db", db, "--for", "1s"});
  INFO(daemon.out << daemon.err);
  CHECK(daemon.code == 0);
  CHECK_THAT(daemon.out, Catch::Contains(" interest: Acct Acct-1 ok\n    saved Acct-1 (revision 2)\n"));
  const auto shown = run_flow({"instances", "show", "Acct-1", "--db", db});
  CHECK(shown.out.substr(shown.out.find('\n')) == "\n  Balance = 110\n  Owner   = \"alice\"\n");
  const auto stranger = run_flow({"instances", "show", "Acct-2", "--db", db});
  CHECK(stranger.out.substr(stranger.out.find('\n')) == "\n  Balance = 0\n  Owner   = null\n");
}

TEST_CASE("the REPL seeds the declared instances when it loads: a saved preview takes the next free ID", "[e2e][repl]") {
  const Accounts accounts;
  const auto& file = accounts.file;
  const auto& db = accounts.db;
  {
    Repl repl(file, db);
    CHECK(repl.out.str().empty());  // nothing to say: seeding went well
    repl.say(":new Acct");
    CHECK_THAT(repl.say(":save"), Catch::Contains("saved Acct-2 (revision 1)"));
    CHECK(repl.session.current()->id == "Acct-2");
  }
  const auto shown = run_flow({"instances", "show", "Acct-1", "--db", db});
  CHECK(shown.out.substr(shown.out.find('\n')) == "\n  Balance = 100\n  Owner   = \"alice\"\n");
}

TEST_CASE("seeding never overwrites a stored instance", "[e2e]") {
  const Accounts accounts;
  const auto& file = accounts.file;
  const auto& db = accounts.db;
  REQUIRE(run_flow({"trigger", file, "Acct.Add", "--id", "Acct-1", "--db", db}).code == 0);  // Balance 110
  REQUIRE(run_flow({"trigger", file, "Acct.Touch", "--db", db}).code == 0);
  REQUIRE(run_flow({"tasks", "run", file, "interest", "--db", db}).code == 0);  // Balance 120
  { Repl repl(file, db); }
  const auto shown = run_flow({"instances", "show", "Acct-1", "--db", db});
  CHECK_THAT(shown.out, Catch::StartsWith("Acct-1 (Acct) revision 3,"));
  CHECK_THAT(shown.out, Catch::Contains("  Balance = 120\n"));
}

TEST_CASE("instance(\"CFG\") of a declared instance not yet stored reads it in trigger, tasks run and the REPL",
          "[e2e]") {
  TempDir dir;
  const auto file = dir.file("orders.flow");
  write_text(file, kConfig);
  const auto priced = "  Amount = 10\n  Region = \"eu\"\n  Total  = 15\n";

  const auto trigger = run_flow({"trigger", file, "Order.Price", "--id", "O-1", "--db", dir.file("trigger.db")});
  INFO(trigger.out << trigger.err);
  CHECK(trigger.code == 0);
  CHECK(trigger.err.empty());
  CHECK_THAT(trigger.out, Catch::EndsWith(priced));

  const auto task = run_flow({"tasks", "run", file, "reprice", "--db", dir.file("task.db")});
  INFO(task.out << task.err);
  CHECK(task.code == 0);
  CHECK_THAT(task.out, Catch::EndsWith(priced));

  Repl repl(file, dir.file("repl.db"));
  repl.say(":open O-1");
  const auto clicked = repl.say(":click Price");
  CHECK_THAT(clicked, Catch::EndsWith(priced));
  CHECK(repl.say("instance(\"CFG\").Region") == "\"eu\"\n");
}

TEST_CASE("an instance that cannot be seeded is said once: by seeding, or by the run on it; a trigger on another "
          "says nothing of it", "[e2e]") {
  ::unsetenv("FLOW_E2E_NEVER_SET");
  TempDir dir;
  const auto file = dir.file("keys.flow");
  write_text(file, kKeys);
  const auto db = dir.file("flow.db");
  const std::string error = file + ":2:35: error: environment variable FLOW_E2E_NEVER_SET is not set\n"
                                   "  instance \"Key-1\" of Key { Value = env(\"FLOW_E2E_NEVER_SET\"); }\n"
                                   "                                    ^\n";
  // A trigger on another instance, declared or new, goes on and says nothing
  // of Key-1, which is no business of its run; Key-1 stays unseeded, and its ID
  // is not handed out.
  const auto declared = run_flow({"trigger", file, "Key.Touch", "--id", "Key-9", "--db", db});
  CHECK(declared.code == 0);
  CHECK(declared.err.empty());
  CHECK_THAT(declared.out, Catch::StartsWith("log: saved Key-9 (revision 2)\n"));
  const auto other = run_flow({"trigger", file, "Key.Touch", "--db", db});
  CHECK(other.code == 0);
  CHECK(other.err.empty());
  CHECK_THAT(other.out, Catch::StartsWith("log: saved Key-2 (revision 1)\n"));
  CHECK(run_flow({"instances", "show", "Key-1", "--db", db}).code == 1);
  // The trigger on Key-1 seeds it itself, and its error says why it cannot.
  const auto own = run_flow({"trigger", file, "Key.Touch", "--id", "Key-1", "--db", db});
  CHECK(own.code == 1);
  CHECK(count_of(own.err, "FLOW_E2E_NEVER_SET is not set") == 1);
  // The daemon and the REPL, which may run on any instance, say it.
  const auto daemon = run_flow({"run", file, "--db", db, "--for", "1s"});
  CHECK(daemon.code == 0);
  CHECK(daemon.err == error);
  Repl repl(file, db);
  CHECK(repl.out.str() == error);
}

TEST_CASE("flow tasks run says nothing of another instance that cannot be seeded, as flow trigger; its own fails "
          "its run", "[e2e]") {
  ::unsetenv("FLOW_E2E_NEVER_SET");
  TempDir dir;
  const auto file = dir.file("keys.flow");
  write_text(file, std::string(kKeys) + R"(schedule "nine" { every 1 day; process Key; id "Key-9"; trigger Touch; }
schedule "fresh" { every 1 day; process Key; trigger Touch; }
schedule "one" { every 1 day; process Key; id "Key-1"; trigger Touch; }
)");
  const auto db = dir.file("flow.db");
  const auto declared = run_flow({"tasks", "run", file, "nine", "--db", db});
  CHECK(declared.code == 0);
  CHECK(declared.err.empty());
  CHECK_THAT(declared.out, Catch::StartsWith("log: saved Key-9 (revision 2)\n"));
  const auto fresh = run_flow({"tasks", "run", file, "fresh", "--db", db});
  CHECK(fresh.code == 0);
  CHECK(fresh.err.empty());
  CHECK_THAT(fresh.out, Catch::StartsWith("log: saved Key-2 (revision 1)\n"));
  CHECK(run_flow({"instances", "show", "Key-1", "--db", db}).code == 1);
  // The task on Key-1 seeds it itself, and its run's error says why it cannot.
  const auto own = run_flow({"tasks", "run", file, "one", "--db", db});
  CHECK(own.code == 1);
  CHECK(count_of(own.err, "FLOW_E2E_NEVER_SET is not set") == 1);
  CHECK_THAT(run_flow({"tasks", "list", "--db", db}).out, Catch::Contains("one  active  runs 1"));
}
