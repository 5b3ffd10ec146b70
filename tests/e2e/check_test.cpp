// flow check as a user runs it: the checker's own goldens (tests/check) load
// and check in process; here the binary must print the same, whatever the
// load reported first.
#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

namespace {

/// `flow check tests/check/NAME.flow`, which must fail printing exactly the
/// golden's NAME.expected. Its paths are relative to the source tree: run from it.
FlowRun check_golden(const std::string& name) {
  const std::string dir = std::string(FLOW_SOURCE_DIR);
  auto check = run_program({"/bin/sh", "-c", "cd '" + dir + "' && exec '" + flow_binary() + "' check tests/check/" +
                                                 name + ".flow"});
  CHECK(check.code == 1);
  CHECK(check.out.empty());
  CHECK(check.err == read_text(dir + "/tests/check/" + name + ".expected"));
  return check;
}

}  // namespace

TEST_CASE("flow check reports an impossible date and the file's other errors in the same run", "[e2e]") {
  const auto check = check_golden("invalid_date_later_errors");
  // Both kinds are in it: the parser's and the checker's.
  CHECK_THAT(check.err, Catch::Contains("error: invalid date '2026-02-30'") &&
                            Catch::Contains("error: unknown field 'Cuont' in process Billing"));
}

TEST_CASE("flow check reports an import's syntax error and the checker's errors in the files that parsed", "[e2e]") {
  const auto check = check_golden("import_broken");
  // The parser's error in the import and the checker's in the importing file;
  // nothing the broken file might have declared is reported unknown.
  CHECK_THAT(check.err, Catch::Contains("broken/lib.flow.txt:2:34: error: expected ';' after the setting") &&
                            Catch::Contains("import_broken.flow:9:9: error: unknown field 'Cuont' in process P"));
  CHECK_THAT(check.err, !Catch::Contains("Shared"));
}

TEST_CASE("flow check reports every schedule statement written twice and the file's other errors", "[e2e]") {
  const auto check = check_golden("schedule_written_twice");
  // Lowering went on past each one, and the checker ran: nothing in a second
  // statement is judged, the misspelled mapping field is reported.
  CHECK(count_of(check.err, ": error: ") == 5);
  CHECK_THAT(check.err, Catch::Contains("error: 'retry' is already set in this schedule") &&
                            Catch::Contains("error: unknown field 'AccesToken' in process TokenKeeper"));
  CHECK_THAT(check.err, !Catch::Contains("TokenKeepr'"));
}

TEST_CASE("flow check says why a file cannot be opened: usage, exit 2, nothing checked", "[e2e]") {
  TempDir dir;
  const auto missing = dir.file("nosuch.flow");
  const auto run = run_flow({"check", missing});
  CHECK(run.code == 2);
  CHECK(run.out.empty());
  CHECK(run.err == "flow: cannot open '" + missing + "': No such file or directory\n");
  const auto directory = run_flow({"check", dir.path().string()});
  CHECK(directory.code == 2);
  CHECK(directory.err == "flow: cannot open '" + dir.path().string() + "': it is a directory\n");
  // trigger loads its files as check does.
  const auto trigger = run_flow({"trigger", missing, "P.Go", "--db", dir.file("t.db")});
  CHECK(trigger.code == 2);
  CHECK(trigger.err == "flow: cannot open '" + missing + "': No such file or directory\n");
}

TEST_CASE("flow check says why an imported file cannot be opened, at its import", "[e2e]") {
  TempDir dir;
  std::filesystem::create_directory(dir.file("lib.flow"));
  write_text(dir.file("main.flow"), "import \"lib.flow\";\nimport \"gone.flow\";\n");
  const auto run = run_flow({"check", dir.file("main.flow")});
  CHECK(run.code == 1);
  CHECK(run.err == dir.file("main.flow") + ":1:1: error: cannot open '" + dir.file("lib.flow") +
                       "': it is a directory\n"
                       "  import \"lib.flow\";\n"
                       "  ^\n" +
                       dir.file("main.flow") + ":2:1: error: cannot open '" + dir.file("gone.flow") +
                       "': No such file or directory\n"
                       "  import \"gone.flow\";\n"
                       "  ^\n");
}

TEST_CASE("flow check refuses imports nested too deep, at the import, without crashing", "[e2e]") {
  // 12,000 nested imports once overflowed the loader's stack (SIGSEGV); the limit is what stops that.
  TempDir dir;
  constexpr int kFiles = 300;
  for (int i = 0; i < kFiles; ++i)
    write_text(dir.file("f" + std::to_string(i) + ".flow"), "import \"f" + std::to_string(i + 1) + ".flow\";\n");
  write_text(dir.file("f" + std::to_string(kFiles) + ".flow"), "");
  const auto run = run_flow({"check", dir.file("f0.flow")});
  CHECK(run.code == 1);
  CHECK(run.err == dir.file("f200.flow") +
                       ":1:1: error: imports nest more than 200 deep (a file importing a file importing ...): import "
                       "the files side by side from one file instead\n"
                       "  import \"f201.flow\";\n"
                       "  ^\n");
  // 200 deep is fine.
  write_text(dir.file("f200.flow"), "");
  CHECK(run_flow({"check", dir.file("f0.flow")}).code == 0);
}
