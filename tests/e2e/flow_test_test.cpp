// `flow test` end to end: the example's tests pass; a failing test, a filter
// and a file that does not check each end with the right exit code and text.
#include "e2e/e2e_support.hpp"

using namespace flow;
using namespace flow::e2e;
using flow::testing::TempDir;

namespace {

/// A test file importing the seed example (copied beside it).
std::string write_tests(const TempDir& dir, const std::string& tests) {
  write_text(dir.file("token_refresh.flow"), read_text(FLOW_SOURCE_DIR "/examples/token_refresh.flow"));
  const auto path = dir.file("seed_test.flow");
  write_text(path, "import \"token_refresh.flow\";\n" + tests);
  return path;
}

}  // namespace

TEST_CASE("flow test runs the example's tests: every one passes", "[e2e]") {
  const auto run = run_flow({"test", FLOW_SOURCE_DIR "/examples/token_refresh_test.flow"});
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(count_of(run.out, "... ok (") == 6);
  CHECK(run.out.ends_with("6 tests: 6 passed, 0 failed\n"));
}

TEST_CASE("flow test: a failing test exits 1 with its report, secrets masked", "[e2e]") {
  TempDir dir;
  const auto file = write_tests(dir, R"(
test "passes" { expect 1 + 1 == 2; }
test "rotates" {
  instance "TK-1" of TokenKeeper { ClientId = "c"; RefreshToken = "refresh-token-0123456789-abcdef"; }
  mock RestService.GetRefreshAuthToken { body { access_token = "access-token-0123456789-abcdef"; } }
  run TokenKeeper.Refresh on "TK-1";
  expect RestService.GetRefreshAuthToken.last.body.refresh_token == "something else";
}
)");
  const auto run = run_flow({"test", file});
  INFO(run.out << run.err);
  CHECK(run.code == 1);
  CHECK(count_of(run.out, "test \"passes\" ... ok (1 expect)\n") == 1);
  CHECK(count_of(run.out, "test \"rotates\" ... FAILED\n") == 1);
  CHECK(count_of(run.out, "seed_test.flow:8:3: expect failed: "
                          "RestService.GetRefreshAuthToken.last.body.refresh_token == \"something else\"") == 1);
  CHECK(count_of(run.out, "left:  ••••cdef\n") == 1);
  CHECK(count_of(run.out, "0123456789-abcdef") == 0);
  CHECK(run.out.ends_with("2 tests: 1 passed, 1 failed\n"));

  const auto revealed = run_flow({"test", file, "--show-secrets"});
  CHECK(count_of(revealed.out, "left:  \"refresh-token-0123456789-abcdef\"") == 1);

  const auto filtered = run_flow({"test", file, "--filter", "pass"});
  CHECK(filtered.code == 0);
  CHECK(filtered.out == "test \"passes\" ... ok (1 expect)\n1 test: 1 passed, 0 failed\n");

  const auto none = run_flow({"test", file, "--filter", "nothing like it"});
  CHECK(none.code == 1);
  CHECK(count_of(none.err, "flow test: no test matches 'nothing like it'") == 1);
}

TEST_CASE("flow test checks first: a misspelled mock runs nothing", "[e2e]") {
  TempDir dir;
  const auto file = write_tests(dir, R"(
test "typo" {
  mock RestService.GetRefreshAuthTokn { body { access_token = "a"; } }
}
)");
  const auto run = run_flow({"test", file});
  CHECK(run.code == 1);
  CHECK(run.out.empty());
  CHECK(count_of(run.err, "unknown method 'GetRefreshAuthTokn' in datasource RestService; "
                          "did you mean 'GetRefreshAuthToken'?") == 1);
}

TEST_CASE("the test in docs/language.md passes as written", "[e2e]") {
  const auto doc = read_text(FLOW_SOURCE_DIR "/docs/language.md");
  const auto section = doc.find("## 6. Tests");
  REQUIRE(section != std::string::npos);
  const auto start = doc.find("```flow\n", section) + 8;
  const auto end = doc.find("```", start);
  TempDir dir;
  write_text(dir.file("token_refresh.flow"), read_text(FLOW_SOURCE_DIR "/examples/token_refresh.flow"));
  write_text(dir.file("doc_test.flow"), doc.substr(start, end - start));
  const auto run = run_flow({"test", dir.file("doc_test.flow")});
  INFO(run.out << run.err);
  CHECK(run.code == 0);
  CHECK(run.out.ends_with("1 test: 1 passed, 0 failed\n"));
}

TEST_CASE("flow test --junit writes the results for a CI server", "[e2e]") {
  TempDir dir;
  const auto file = write_tests(dir, R"(
test "passes <ok>" { expect true; }
test "fails & says why" { expect 1 == 2; }
)");
  const auto report = dir.file("report.xml");
  const auto run = run_flow({"test", file, "--junit", report});
  INFO(run.out << run.err);
  CHECK(run.code == 1);
  const auto xml = read_text(report);
  INFO(xml);
  CHECK(xml.starts_with("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuite name=\"flow test\" tests=\"2\" "
                        "failures=\"1\" errors=\"0\" time=\""));
  CHECK(count_of(xml, "name=\"passes &lt;ok&gt;\" time=\"") == 1);
  CHECK(count_of(xml, "name=\"fails &amp; says why\" time=\"") == 1);
  CHECK(count_of(xml, "<failure message=\"test failed\">  FAIL ") == 1);
  CHECK(count_of(xml, "expect failed: 1 == 2\n    left:  1\n    right: 2\n</failure>") == 1);
  CHECK(xml.ends_with("</testsuite>\n"));

}

TEST_CASE("flow test --junit to a path that cannot be written says why, and runs no test", "[e2e]") {
  TempDir dir;
  const auto file = write_tests(dir, "test \"passes\" { expect true; }\n");
  const auto missing = dir.file("no/such/dir/report.xml");
  const auto unwritable = run_flow({"test", file, "--junit", missing});
  CHECK(unwritable.code == 2);
  CHECK(unwritable.out.empty());
  CHECK(unwritable.err == "flow: cannot write the JUnit report " + missing + ": No such file or directory\n");
  const auto directory = run_flow({"test", file, "--junit", dir.path().string()});
  CHECK(directory.code == 2);
  CHECK(directory.out.empty());
  CHECK(directory.err == "flow: cannot write the JUnit report " + dir.path().string() + ": Is a directory\n");

  // None matched: a report of no test, for the CI server to show.
  const auto report = dir.file("none.xml");
  const auto none = run_flow({"test", file, "--filter", "nothing like it", "--junit", report});
  CHECK(none.code == 1);
  CHECK_THAT(read_text(report), Catch::Contains("<testsuite name=\"flow test\" tests=\"0\" failures=\"0\""));
}
