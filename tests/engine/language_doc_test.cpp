// docs/language.md says what the engine does: each case pins a statement of the
// reference to the behaviour it describes, so the two cannot drift apart again.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "engine/checker.hpp"
#include "engine/flow_tests.hpp"
#include "engine/secret_scrub.hpp"
#include "support/engine_fixture.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

std::string language_doc() {
  std::ifstream in(FLOW_SOURCE_DIR "/docs/language.md", std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  REQUIRE(!out.str().empty());
  return out.str();
}

/// The lines of the doc's `datasource NAME rest { ... }` syntax block that start with `prefix`.
std::vector<std::string> syntax_lines(const std::string& doc, std::string_view prefix) {
  const auto start = doc.find("datasource NAME rest {");
  REQUIRE(start != std::string::npos);
  const auto end = doc.find("```", start);
  std::istringstream block(doc.substr(start, end - start));
  std::vector<std::string> out;
  for (std::string line; std::getline(block, line);) {
    const auto text = line.find_first_not_of(' ');
    if (text != std::string::npos && line.compare(text, prefix.size(), prefix) == 0) out.push_back(line.substr(text));
  }
  return out;
}

/// What `flow check` says of `source` (rendered), and the outcome of its one test.
struct CheckedTest {
  std::string diagnostics;
  TestOutcome outcome;
};
CheckedTest check_and_run_test(const std::string& source) {
  Diagnostics diagnostics;
  const auto program = load_program_text("example.flow", source, diagnostics);
  FunctionRegistry functions;
  register_stdlib(functions);
  check_program(*program, functions, diagnostics);
  REQUIRE(program->tests().size() == 1);
  TempDir dir;
  const auto make_store = [&] { return open_sqlite_store((dir.path() / "test.db").string()); };
  return {render(program->sources, diagnostics),
          run_test(*program, functions, *program->tests().front(), make_store, TestOptions{})};
}

}  // namespace

TEST_CASE("docs: a request part's quoted text is its name on the wire; only a header has a default", "[docs]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  method List GET "/items" {
    request header Auth "Authorization" = "Bearer ${Token}";
    request query { per_page = "per-page"; page; q; }
    request body form { client_id = "client-id"; scope; }
  }
}
process P {
  field Token text = "t0";
  on Go { find_item Api.List map { query.per_page = 50; query.q = null; body.client_id = "c"; } into Items; }
  field Items list;
}
)");
  f.http.respond_with(200, "[]");
  const auto result = f.run("P", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  const auto& request = f.http.requests.at(0);
  CHECK(request.url == "http://127.0.0.1:9/items?per-page=50");
  CHECK(find_header(request.headers, "Authorization") == "Bearer t0");
  CHECK(request.body == "client-id=c");

  const auto doc = language_doc();
  CHECK(syntax_lines(doc, "request query") ==
        std::vector<std::string>{R"(request query { name [secret] [= "wire-name"]; ... })"});
  CHECK(syntax_lines(doc, "request body") ==
        std::vector<std::string>{R"(request body form { name [secret] [= "wire-name"]; ... })",
                                 R"(request body json { name [secret] [= "json.path"]; ... })"});
  const auto header = syntax_lines(doc, "request header");
  REQUIRE(header.size() == 1);
  CHECK(header[0].starts_with(R"(request header NAME ["Header-Name"] [secret] [= default];)"));
  CHECK(doc.find("`request query { per_page = \"per-page\"; }` with `query.per_page = 50` sends\n`?per-page=50`") !=
        std::string::npos);
}

TEST_CASE("docs: `datetime + text` is a warning of the checker, not a type error", "[docs]") {
  Diagnostics diagnostics;
  auto program = load_program_text("test.flow",
                                   "process P { field At datetime; field Note text; on Go { set Note = At + \" UTC\"; } }",
                                   diagnostics);
  FunctionRegistry functions;
  register_stdlib(functions);
  check_program(*program, functions, diagnostics);
  CHECK_FALSE(diagnostics.has_errors());
  CHECK(render(program->sources, diagnostics).find(": warning: datetime + text joins them as text") !=
        std::string::npos);

  const auto doc = language_doc();
  const auto errors = doc.find("The checker reports type errors");
  REQUIRE(errors != std::string::npos);
  const auto listed = doc.substr(errors, doc.find(')', errors) - errors);
  CHECK(listed.find("datetime + text") == std::string::npos);
  const auto warns = doc.find("warns about what is legal but rarely meant:", errors);
  REQUIRE(warns != std::string::npos);
  CHECK(doc.find("`datetime + text` concatenates", warns) != std::string::npos);
}

TEST_CASE("docs: a datetime field given text reads what parse_date(text) reads", "[docs]") {
  EngineFixture f(R"(
process P {
  field Short datetime;
  field Zoned datetime;
  field Same boolean;
  field Text text = "2027-06-30 09:30+02";
  on Go {
    set Short = Text;
    set Zoned = "2027-06-30t09:30:15,5[Europe/Dublin]";
    set Same = Short == parse_date(Text) and Zoned == parse_date("2027-06-30t09:30:15,5[Europe/Dublin]");
  }
}
)");
  const auto result = f.run("P", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  CHECK(result.instance.fields.at("Same") == Value(true));
  CHECK(to_text(result.instance.fields.at("Zoned")) == "2027-06-30T08:30:15.500Z");

  const auto doc = language_doc();
  CHECK(doc.find("`parse_date(text)` without a pattern and a `datetime`\nfield given text") != std::string::npos);
  CHECK(doc.find("cannot assign text to\ndatetime field 'At': unknown time zone \"Nowhere/City\"") != std::string::npos);
}

TEST_CASE("docs: a part declared secret, a credential header and a tainted value are masked", "[docs]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "http://127.0.0.1:9";
  header "X-Tenant" secret = "tenant-value-0001";
  header "X-Trace" = "trace-value-0001";
  method Go POST "/go" {
    request header Sig "X-Signature" secret = "signature-value-0001";
    request header Bearer "Authorization" = "Bearer ${AccessToken}";
    request query { api_key secret = "api-key"; page; }
    request body form { code secret; scope; }
  }
}
process P {
  field AccessToken secret = "access-token-value-0001";
  on Go { create_item Api.Go map { query.api_key = "query-key-0001"; query.page = "page-0001";
                                   body.code = "code-value-0001"; body.scope = "scope-0001"; }; }
}
)");
  f.http.respond_with(204, "");
  const auto result = f.run("P", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  const auto& request = f.http.requests.at(0);
  CHECK(request.url == "http://127.0.0.1:9/go?api-key=query-key-0001&page=page-0001");
  const auto secrets = secret_texts({}, request.secrets);
  const auto masked = [&](const std::string& text) { return scrub_secrets(text, secrets) != text; };
  for (const auto* text : {"tenant-value-0001", "signature-value-0001", "access-token-value-0001",
                           "Bearer access-token-value-0001", "query-key-0001", "code-value-0001"}) {
    INFO(text);
    CHECK(masked(text));
  }
  for (const auto* text : {"trace-value-0001", "page-0001", "scope-0001"}) {
    INFO(text);
    CHECK_FALSE(masked(text));
  }
  CHECK(language_doc().find("declared `secret` (`header \"X-Tenant\" secret = env(\"TENANT\");`") !=
        std::string::npos);
}

TEST_CASE("docs: TLS, URL, size, protocol and proxy refusals are permanent; network, 5xx and 429 transient", "[docs]") {
  EngineFixture f(R"(
datasource Api rest { base_url = "http://127.0.0.1:9"; method Token POST "/token" { } }
process P { on Go { create_item Api.Token; } }
)");
  for (auto kind : {HttpErrorKind::tls, HttpErrorKind::invalid_url, HttpErrorKind::too_large, HttpErrorKind::malformed,
                    HttpErrorKind::proxy}) {
    f.http.respond([kind](const HttpRequest&) -> HttpResult { return HttpError{kind, "no"}; });
    const auto result = f.run("P", "Go");
    INFO(http_error_kind_name(kind));
    CHECK_FALSE(result.ok);
    CHECK_FALSE(result.transient);  // a schedule's `retry N times` would fail the same way
  }
  for (auto kind : {HttpErrorKind::dns, HttpErrorKind::refused, HttpErrorKind::timeout, HttpErrorKind::network}) {
    f.http.respond([kind](const HttpRequest&) -> HttpResult { return HttpError{kind, "no"}; });
    INFO(http_error_kind_name(kind));
    CHECK(f.run("P", "Go").transient);
  }
  f.http.respond_with(429, "slow down", "text/plain");
  CHECK(f.run("P", "Go").transient);
  f.http.respond_with(404, "no", "text/plain");
  CHECK_FALSE(f.run("P", "Go").transient);

  const auto doc = language_doc();
  CHECK(doc.find("`dns`, `refused`, `timeout` and `network` are transient (retried by `retries` and a schedule's "
                 "`retry`), `tls`, `too_large` and `malformed` permanent") != std::string::npos);
}

TEST_CASE("docs: relative TLS file paths are read beside the .flow file that declares the datasource", "[docs]") {
  EngineFixture f(R"(
datasource Api rest {
  base_url = "https://127.0.0.1:1";
  ca_file = "certs/ca.pem"; client_cert = "/etc/pki/client.pem"; client_key = env("NO_SUCH_VARIABLE", "client.key");
  method Go GET "/go" { }
}
process P { on Go { create_item Api.Go; } }
)", {}, "/etc/flow/tokens.flow");
  f.http.respond_with(200, "{}");
  const auto result = f.run("P", "Go");
  INFO(result.error);
  REQUIRE(result.ok);
  REQUIRE(f.http.requests.size() == 1);
  CHECK(f.http.requests[0].tls.ca_file == "/etc/flow/certs/ca.pem");
  CHECK(f.http.requests[0].tls.client_cert_file == "/etc/pki/client.pem");
  CHECK(f.http.requests[0].tls.client_key_file == "/etc/flow/client.key");

  const auto doc = language_doc();
  CHECK(doc.find("A\nrelative path is read from the directory of the `.flow` file that declares the\ndatasource") !=
        std::string::npos);
}

TEST_CASE("docs: the example of a mocked answer holding an array checks clean and passes", "[docs]") {
  const auto doc = language_doc();
  const auto test_at = doc.find("test \"a mocked answer holding an array\"");
  REQUIRE(test_at != std::string::npos);
  const auto begin = doc.rfind("```flow\n", test_at) + 8;
  const auto checked = check_and_run_test(doc.substr(begin, doc.find("```", test_at) - begin));
  CHECK(checked.diagnostics == "");
  INFO(checked.outcome.report);
  CHECK(checked.outcome.ok);
  CHECK(checked.outcome.expects_passed == 2);
}

TEST_CASE("docs: the opening example checks clean and keeps the refresh token a provider rotates", "[docs]") {
  const auto doc = language_doc();
  const auto begin = doc.find("```flow\n") + 8;
  const auto example = doc.substr(begin, doc.find("```", begin) - begin);
  REQUIRE(example.find("process TokenKeeper") != std::string::npos);
  // The user's own one-line rule, as they wrote it, with its map filled in.
  CHECK(example.find("on Refresh < set AccessToken = \"\"; create_item RestService.GetRefreshAuthToken map <") !=
        std::string::npos);
  const auto source = example + R"(
test "two refreshes" {
  env CLIENT_ID = "c1";
  env CLIENT_SECRET = "cs1";
  env REFRESH_TOKEN = "r0";
  mock RestService.GetRefreshAuthToken { body { access_token = "a1"; refresh_token = "r1"; expires_in = 3600; } }
  mock RestService.GetRefreshAuthToken { body { access_token = "a2"; refresh_token = "r2"; expires_in = 3600; } }
  run TokenKeeper.Refresh on "TK-1";
  run TokenKeeper.Refresh on "TK-1";
  expect RestService.GetRefreshAuthToken.requests[0].body.grant_type == "refresh_token";
  expect RestService.GetRefreshAuthToken.requests[0].body.client_secret == "cs1";
  expect RestService.GetRefreshAuthToken.last.body.refresh_token == "r1";
  expect instance("TK-1").RefreshToken == "r2";
  expect instance("TK-1").AccessToken == "a2";
}
)";
  const auto checked = check_and_run_test(source);
  CHECK(checked.diagnostics == "");
  INFO(checked.outcome.report);
  CHECK(checked.outcome.ok);
  CHECK(checked.outcome.expects_passed == 5);
}
