// `test` blocks run by run_test: mocks, expects, failures and their reports,
// on a real SQLite store in a temp dir (virtual time: flow_tests_time_test.cpp).
#include "engine/flow_tests.hpp"

#include <catch2/catch.hpp>

#include "support/flow_test_run.hpp"

using flow::testing::run_first;

namespace {

/// How many failures a report lists.
std::size_t count_of_fail(const std::string& report) {
  std::size_t count = 0;
  for (auto at = report.find("  FAIL "); at != std::string::npos; at = report.find("  FAIL ", at + 1)) ++count;
  return count;
}

}  // namespace

TEST_CASE("a passing test maps the mocked answer back and counts its expects", "[flow-test]") {
  const auto ran = run_first(R"(
test "refresh" {
  clock 2026-03-01T09:00:00Z;
  instance "K-1" of Keeper { Refresh = "r1"; }
  mock Api.Token { body { access_token = "a2"; refresh_token = "r2"; expires_in = 3600; } }
  run Keeper.Go on "K-1";
  expect instance("K-1").Access == "a2";
  expect instance("K-1").Refresh == "r2";
  expect instance("K-1").At == 2026-03-01T09:00:00Z;
  expect now() == 2026-03-01T09:00:00Z;
  expect Api.Token.calls == 1 and Api.Ping.calls == 0;
  expect Api.Token.last.method == "POST";
  expect Api.Token.last.path == "/base/oauth/token";
  expect Api.Token.last.query.tenant == "acme corp";
  expect Api.Token.last.body.refresh_token == "r1";
  expect Api.Token.last.headers["Content-Type"] == "application/x-www-form-urlencoded";
  expect Api.Token.requests[0].body.grant_type == "refresh_token";
  expect Api.Ping.last == null;
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 12);
}

TEST_CASE("env() in a test sees the test's variables and no others", "[flow-test]") {
  REQUIRE(std::getenv("PATH") != nullptr);
  const auto ran = run_first(R"(
instance "K-1" of Keeper { Refresh = env("FLOW_TEST_TOKEN"); Note = env("PATH", "unset"); }
test "hermetic" {
  env FLOW_TEST_TOKEN = "from-the-test";
  expect instance("K-1").Refresh == "from-the-test";
  expect instance("K-1").Note == "unset";
  expect env("PATH", "unset") == "unset";
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 3);
}

TEST_CASE("a failed expect shows both sides, and the test goes on", "[flow-test]") {
  const auto ran = run_first(R"(
test "wrong" {
  instance "K-1" of Keeper { Refresh = "r1"; Note = "n"; }
  expect instance("K-1").Note == "m";
  expect json_parse("1");
  expect instance("K-1").Note == "n";
}
)");
  CHECK_FALSE(ran.ok);
  CHECK(ran.expects == 1);
  CHECK_THAT(ran.report, Catch::Contains("test.flow:39:3: expect failed: instance(\"K-1\").Note == \"m\"\n"
                                         "    left:  \"n\"\n"
                                         "    right: \"m\"\n"));
  CHECK_THAT(ran.report, Catch::Contains("expect failed: json_parse(\"1\")\n"
                                         "    the condition is json 1, not a boolean"));
}

TEST_CASE("secrets stay masked in a failure report unless revealed", "[flow-test]") {
  const std::string test = R"(
test "secret" {
  instance "K-1" of Keeper { Refresh = "refresh-token-value-0123456789"; }
  mock Api.Token { body { access_token = "a"; } }
  run Keeper.Go on "K-1";
  expect Api.Token.last.body.refresh_token == "other";
}
)";
  const auto masked = run_first(test);
  CHECK_FALSE(masked.ok);
  CHECK_THAT(masked.report, Catch::Contains("left:  ••••6789\n"));  // masked: no quotes
  CHECK_THAT(masked.report, !Catch::Contains("refresh-token-value-0123456789"));
  CHECK_THAT(masked.report, Catch::Contains("right: \"other\"\n    (secrets are masked: flow test --show-secrets shows them)"));
  const auto revealed = run_first(test, /*reveal=*/true);
  CHECK_THAT(revealed.report, Catch::Contains("left:  \"refresh-token-value-0123456789\""));
  CHECK_THAT(revealed.report, !Catch::Contains("secrets are masked"));
}

TEST_CASE("a call the test did not mock fails the test, even when on_error handles it", "[flow-test]") {
  const auto ran = run_first(R"(
test "unmocked" {
  instance "K-1" of Keeper { Refresh = "r1"; }
  run Keeper.Safe on "K-1";
  expect instance("K-1").Note != null;
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, Catch::Contains("Api.Token was called, but the test mocks no answer for it"));
  CHECK(ran.expects == 1);  // on_error mapped the failure in; the run itself succeeded
}

TEST_CASE("an unmocked call is one failure per step, at the step, with its attempts counted", "[flow-test]") {
  const std::string retrying = R"(
datasource Flaky rest {
  base_url = "https://flaky.example.com";
  retries = 2;
  method Get GET "/x" { }
}
process Poller {
  on Poll { create_item Flaky.Get map { }; }
}
instance "P-1" of Poller { }
)";
  const auto run = run_first(retrying + R"(
test "run" {
  run Poller.Poll on "P-1";
}
)");
  CHECK_FALSE(run.ok);
  CHECK(run.report ==
        "  2026-01-01T00:00:00Z run Poller.Poll on P-1\n"
        "    call Flaky.Get (GET https://flaky.example.com/x)\n"
        "    call Flaky.Get (GET https://flaky.example.com/x)\n"
        "    call Flaky.Get (GET https://flaky.example.com/x)\n"
        "      create_item Flaky.Get failed: network: no mocked answer for Flaky.Get in this test (after 3 attempts) "
        "(0 ms)\n"
        "  FAIL test.flow:48:3: Flaky.Get was called, but the test mocks no answer for it (after 3 attempts; add "
        "`mock Flaky.Get { ... }` before this step)\n"
        "    run Poller.Poll failed:\n"
        "      test.flow:43:13: error: create_item Flaky.Get failed: network: no mocked answer for Flaky.Get in this "
        "test (after 3 attempts)\n"
        "          on Poll { create_item Flaky.Get map { }; }\n"
        "                    ^\n"
        "        in Poller.Poll (test.flow:43:3)\n");

  // A schedule and its retry during one advance: still one failure, at the advance.
  const auto advance = run_first(retrying + R"(
schedule "poll" { every 1 hour; process Poller; id "P-1"; trigger Poll; retry 1 times backoff 30s; }
test "advance" {
  advance 10 minutes;
  expect Flaky.Get.calls == 6;
}
)");
  CHECK_FALSE(advance.ok);
  CHECK(advance.expects == 1);
  CHECK_THAT(advance.report, Catch::Contains("  FAIL test.flow:49:3: Flaky.Get was called, but the test mocks no answer "
                                             "for it (after 6 attempts; add `mock Flaky.Get { ... }` before this "
                                             "step)\n"));
  CHECK(count_of_fail(advance.report) == 1);
}

TEST_CASE("mocked answers queue in order; the last repeats; a mock after use replaces it", "[flow-test]") {
  const auto ran = run_first(R"(
test "queue" {
  instance "K-1" of Keeper { Refresh = "r1"; }
  mock Api.Token { status 503; text "busy"; }
  mock Api.Token { body { access_token = "a1"; } }
  run Keeper.Go on "K-1" fails "503";
  run Keeper.Go on "K-1";
  run Keeper.Go on "K-1";
  expect instance("K-1").Access == "a1";
  mock Api.Token fails timeout;
  run Keeper.Go on "K-1" fails "timeout";
  mock Api.Token {
    status 200;
    header "X-Seen" = request.body.refresh_token;
    body { access_token = "a-" + request.query.tenant; expires_in = 1; }
  }
  run Keeper.Go on "K-1";
  expect instance("K-1").Access == "a-acme corp";
  expect Api.Token.calls == 5;
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 3);
}

TEST_CASE("run ... fails: a success, or an error without the text, fails the test", "[flow-test]") {
  const auto succeeded = run_first(R"(
test "expects a failure" {
  instance "K-1" of Keeper { Refresh = "r1"; }
  mock Api.Token { body { access_token = "a"; } }
  run Keeper.Go on "K-1" fails;
  expect true;
}
)");
  CHECK_FALSE(succeeded.ok);
  CHECK_THAT(succeeded.report, Catch::Contains("run Keeper.Go succeeded, but the test expects it to fail"));
  CHECK(succeeded.expects == 0);  // the test stopped at the run

  const auto other = run_first(R"(
test "another error" {
  instance "K-1" of Keeper { Refresh = "r1"; }
  mock Api.Token { status 400; body { error = "invalid_grant"; } }
  run Keeper.Go on "K-1" fails "timeout";
}
)");
  CHECK_FALSE(other.ok);
  CHECK_THAT(other.report, Catch::Contains("run Keeper.Go failed, but its error does not contain \"timeout\""));
  CHECK_THAT(other.report, Catch::Contains("invalid_grant"));
}

TEST_CASE("an unexpected run failure stops the test with the run's error", "[flow-test]") {
  const auto ran = run_first(R"(
test "missing instance" {
  run Keeper.Go on "K-9";
  expect true;
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, Catch::Contains("run Keeper.Go failed:"));
  CHECK(ran.expects == 0);
}

TEST_CASE("a run failure is reported once, without another instance's seeding error", "[flow-test]") {
  // K-1 cannot be seeded here; a test running on `id` fails, and its report
  // holds `error` exactly once.
  const auto report_of_run_on = [](const std::string& id) {
    const auto ran = run_first("instance \"K-1\" of Keeper { Refresh = env(\"FLOW_TEST_NEVER_SET\"); }\n"
                               "test \"run\" { run Keeper.Go on \"" + id + "\"; }\n");
    CHECK_FALSE(ran.ok);
    return ran.report;
  };
  const auto once = [](const std::string& report, const std::string& error) {
    INFO(report);
    return report.find(error) != std::string::npos && report.find(error) == report.rfind(error);
  };
  const auto missing = report_of_run_on("K-9");
  CHECK(once(missing, "no instance of Keeper with Process ID 'K-9'"));
  CHECK_THAT(missing, !Catch::Contains("FLOW_TEST_NEVER_SET"));  // K-1 plays no part here
  // On the instance that could not be seeded, the run says why, and that a
  // test never sees the shell's variables (the shell may well set it).
  CHECK(once(report_of_run_on("K-1"), "environment variable FLOW_TEST_NEVER_SET is not set in this test, which sees "
                                      "only the variables it sets, never the shell's: env FLOW_TEST_NEVER_SET = "
                                      "\"...\";"));
}

TEST_CASE("a test names every unset env() variable its instance needs, and how the test sets them", "[flow-test]") {
  const auto ran = run_first(R"(
test "two unset" {
  instance "K-1" of Keeper { Refresh = env("FLOW_TEST_NEVER_SET_1"); Note = env("FLOW_TEST_NEVER_SET_2"); }
  run Keeper.Go on "K-1";
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, Catch::Contains("environment variables FLOW_TEST_NEVER_SET_1, FLOW_TEST_NEVER_SET_2 are not "
                                         "set in this test, which sees only the variables it sets, never the shell's: "
                                         "env FLOW_TEST_NEVER_SET_1 = \"...\"; env FLOW_TEST_NEVER_SET_2 = \"...\";"));
}

TEST_CASE("a bad mocked status is reported where the mock says it", "[flow-test]") {
  const auto ran = run_first(R"(
test "bad status" {
  instance "K-1" of Keeper { Refresh = "r1"; }
  mock Api.Token { status 1000; }
  run Keeper.Go on "K-1" fails;
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, Catch::Contains("in a mocked answer: status must be an HTTP status code (100-599), not 1000"));
}

TEST_CASE("a datasource's retries take the next mocked answers, at once", "[flow-test]") {
  const auto ran = run_first(R"(
datasource Flaky rest {
  base_url = "http://127.0.0.1:9";
  retries = 2;
  retry_backoff = 10 minutes;
  method Get GET "/x" { response body json { v; } }
}
process Reader {
  field V number;
  on Read { create_item Flaky.Get on_success { V = body.v; }; save; }
}
test "retries" {
  clock 2026-03-01T09:00:00Z;
  mock Flaky.Get { status 503; }
  mock Flaky.Get fails refused;
  mock Flaky.Get { body { v = 3; } }
  run Reader.Read;
  expect Flaky.Get.calls == 3;
  expect now() == 2026-03-01T09:00:00Z;
  mock Flaky.Get { status 400; }
  run Reader.Read fails "400";
  expect Flaky.Get.calls == 4;
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 3);
}

TEST_CASE("a start cycle fails its run at once, and the test goes on", "[flow-test]") {
  // A.Go holds A-1 while it starts B.Back on B-1, which starts A.Ping on A-1: a lock cycle.
  const auto ran = run_first(R"(
process A { field N number; on Go { start B id "B-1" trigger Back; } on Ping { set N = 1; save; } }
process B { field N number; on Back { start A id "A-1" trigger Ping; } }
test "cycle" {
  instance "A-1" of A { N = 0; }
  instance "B-1" of B { N = 0; }
  run A.Go on "A-1" fails "start of A-1 would wait for itself";
  expect instance("A-1").N == 0;
  run A.Ping on "A-1";
  expect instance("A-1").N == 1;
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
  CHECK(ran.expects == 2);
}

TEST_CASE("a value that is not UTF-8 shows its bytes escaped, and the test goes on", "[flow-test]") {
  const auto ran = run_first(R"(
test "bytes" {
  expect url_decode("%FF") == "x";
  expect true;
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, Catch::Contains("left:  \"\\xff\""));
  CHECK(ran.expects == 1);
}

TEST_CASE("a token rotated out is masked in the report as well as the current one", "[flow-test]") {
  const auto ran = run_first(R"(
test "rotated" {
  instance "K-1" of Keeper { Refresh = "refresh-original-0123456789"; }
  mock Api.Token { body { access_token = "access-new-0123456789"; refresh_token = "refresh-new-0123456789"; } }
  run Keeper.Go on "K-1";
  run Keeper.Go;
  expect Api.Token.requests[0].body.refresh_token == "nope";
  expect Api.Token.last.query.tenant == "nope";
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, !Catch::Contains("refresh-original-0123456789"));
  CHECK_THAT(ran.report, !Catch::Contains("refresh-new-0123456789"));
  CHECK_THAT(ran.report, !Catch::Contains("access-new-0123456789"));
  CHECK_THAT(ran.report, Catch::Contains("left:  ••••6789\n"));
  CHECK_THAT(ran.report, Catch::Contains("left:  \"acme corp\""));  // not a secret: shown
}

TEST_CASE("retries that all fail say how many attempts there were, as the real transport does", "[flow-test]") {
  const auto ran = run_first(R"flow(
datasource Flaky rest { base_url = "http://127.0.0.1:9"; retries = 2; method Get GET "/x" { } }
process Reader { on Read { create_item Flaky.Get; } }
test "gives up" {
  mock Flaky.Get fails timeout;
  run Reader.Read fails "timeout: mocked failure: timeout (after 3 attempts)";
  expect Flaky.Get.calls == 3;
}
)flow");
  INFO(ran.report);
  CHECK(ran.ok);
}

TEST_CASE("retries answered 5xx throughout say how many attempts there were", "[flow-test]") {
  const auto ran = run_first(R"flow(
datasource Flaky rest { base_url = "http://127.0.0.1:9"; retries = 2; method Get GET "/x" { } }
process Reader { on Read { create_item Flaky.Get; } }
test "answers 503 throughout" {
  mock Flaky.Get { status 503; text "busy"; }
  run Reader.Read fails "HTTP 503 (after 3 attempts): busy";
  expect Flaky.Get.calls == 3;
}
)flow");
  INFO(ran.report);
  CHECK(ran.ok);
}

TEST_CASE("a datasource named request keeps its calls; in a mocked answer request is the request", "[flow-test]") {
  const auto ran = run_first(R"(
datasource request rest { base_url = "http://127.0.0.1:9"; method M GET "/a" { response body json { n; } } }
process R { field N boolean; on Go { create_item request.M on_success { N = body.n; }; save; } }
test "shadow" {
  mock request.M { body { n = request.path == "/a"; } }
  run R.Go;
  run R.Go;
  expect request.M.calls == 2;
}
)");
  INFO(ran.report);
  CHECK(ran.ok);
}

TEST_CASE("a secret that contains another is masked whole", "[flow-test]") {
  const auto ran = run_first(R"(
test "nested secrets" {
  instance "K-1" of Keeper { Refresh = "tok-0001"; }
  mock Api.Token { body { access_token = "a"; refresh_token = request.body.refresh_token + ".rotated-xyz0"; } }
  run Keeper.Go on "K-1";
  expect instance("K-1").Refresh == "other";
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, !Catch::Contains("rotated-xyz0"));
  CHECK_THAT(ran.report, !Catch::Contains("tok-0001"));
}

TEST_CASE("a credential header's value is masked in the report, as the daemon masks it", "[flow-test]") {
  const auto ran = run_first(R"(
datasource Keyed rest { base_url = "https://a.example"; header "X-Api-Key" = env("API_KEY"); method Ping GET "/" { } }
process Pinger { on Go { create_item Keyed.Ping; } }
test "key" {
  env API_KEY = "api-key-from-test-env-0002";
  mock Keyed.Ping { body { } }
  run Pinger.Go;
  expect Keyed.Ping.last.headers["X-Api-Key"] == "nope";
}
)");
  CHECK_FALSE(ran.ok);
  CHECK_THAT(ran.report, !Catch::Contains("api-key-from-test-env-0002"));
  CHECK_THAT(ran.report, Catch::Contains("left:  \xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2\xE2\x80\xA2" "0002\n"));
}
