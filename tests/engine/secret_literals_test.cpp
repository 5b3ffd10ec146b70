// Secret literals are masked in every excerpt of their file: a run error whose
// source line holds one shows its mask, and so does a line of a test block.
#include "engine/secret_literals.hpp"

#include <algorithm>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "grammar/ast_dump.hpp"
#include "support/engine_fixture.hpp"

using namespace flow;
using namespace flow::testing;

namespace {

/// The texts hidden in the program's first file, sorted.
std::vector<std::string> hidden_texts(const Program& program) {
  const auto& file = program.sources.file(0);
  std::vector<std::string> hidden;
  for (const auto& part : file.hidden) hidden.push_back(file.text.substr(part.begin, part.end - part.begin));
  std::sort(hidden.begin(), hidden.end());
  return hidden;
}

}  // namespace

TEST_CASE("a run error on a line with secret literals shows their masks", "[secret-literals]") {
  ::unsetenv("FLOW_TEST_NEVER_SET");
  EngineFixture f(R"(
process P { field A secret; field B secret; field C text; on Go { save; } }
instance "P1" of P { A = "literal-secret-AAAAAAAA"; C = "plain-text"; B = env("FLOW_TEST_NEVER_SET"); }
)");
  const auto result = f.run("P", "Go", "P1");
  REQUIRE_FALSE(result.ok);
  CHECK(result.error ==
        "test.flow:3:75: error: environment variable FLOW_TEST_NEVER_SET is not set\n"
        "  instance \"P1\" of P { A = ••••AAAA; C = \"plain-text\"; B = env(\"FLOW_TEST_NEVER_SET\"); }\n"
        "                                                           ^\n");
}

TEST_CASE("secret literals of fields, rules, mappings, starts and test instances are hidden", "[secret-literals]") {
  Diagnostics diagnostics;
  auto program = load_program_text("test.flow", R"(
process P {
  field S secret = "default-secret-0001";
  field T text = "plain-default";
  on Go {
    if T == "x" { set S = "set-secret-0002"; } else { set T = "plain-set"; }
    create_item D.M on_success { S = "mapped-secret-0003"; T = "plain-mapped"; };
    start Q map { R = "start-secret-0004"; } trigger Go on_success { S = "${T}-0005"; };
  }
}
process Q { field R secret; on Go { save; } }
test "t" { instance "P1" of P { S = "test-secret-0006"; T = "plain-test"; } run P.Go on "P1"; }
)", diagnostics);
  REQUIRE_FALSE(diagnostics.has_errors());
  const auto hidden = hidden_texts(*program);
  CHECK(hidden == std::vector<std::string>{"\"${T}-0005\"", "\"default-secret-0001\"", "\"mapped-secret-0003\"",
                                           "\"set-secret-0002\"", "\"start-secret-0004\"", "\"test-secret-0006\""});
}

namespace {

/// The diagnostics of `text` as `flow check` renders them.
std::string rendered_check(const std::string& text) {
  Diagnostics diagnostics;
  const auto program = load_program_text("bad.flow", text, diagnostics);
  return render(program->sources, diagnostics);
}

/// The texts of `text` that scan_secret_literals() hides, by `is_secret`.
std::vector<std::string> scanned(std::string_view text, const std::function<bool(std::string_view)>& is_secret) {
  std::vector<std::string> out;
  for (const auto& part : scan_secret_literals(text, is_secret))
    out.emplace_back(text.substr(part.begin, part.end - part.begin));
  return out;
}

}  // namespace

TEST_CASE("a file that does not parse hides what reads as a secret literal in its diagnostics", "[secret-literals]") {
  CHECK(rendered_check("process P { field Key secret; field N number; }\n"
                       "instance \"P-1\" of P { Key = \"my-secret-value-123456\" N = 1; }\n") ==
        "bad.flow:2:54: error: expected ';' after the assignment\n"
        "  instance \"P-1\" of P { Key = ••••3456 N = 1; }\n"
        "                                       ^\n");
  const auto set = rendered_check(
      "process P { field Key secret; on Go { set Key = \"my-secret-value-123456\" } on_sucess { } }\n");
  CHECK_THAT(set, Catch::Contains("set Key = ••••3456 }") && !Catch::Contains("my-secret"));
  // A field's default, a header named as a credential: hidden; plain text stays.
  const auto header = rendered_check(
      "datasource D rest { header \"X-Api-Key\" = \"hardcoded-api-key-9999\" }\n"
      "process P { field Note text = \"plain note\"; field S secret = \"default-secret-0001\" }\n");
  CHECK_THAT(header, !Catch::Contains("hardcoded") && !Catch::Contains("default-secret"));
  // A call's map entries for parts named as credentials, on the line of the error.
  const auto map = rendered_check(
      "datasource D rest { method M POST \"/t\" { request header Auth \"Authorization\"; "
      "request body form { client_secret; password; } } }\n"
      "process P { field N number; on Go { set N = = 2; create_item D.M map { body.client_secret = "
      "\"client-secret-literal-9999\"; body.password = \"password-literal-8888\"; header.Auth = \"Bearer "
      "mapped-bearer-7777\"; }; } }\n");
  CHECK_THAT(map, Catch::Contains("body.client_secret = ••••9999; body.password = ••••8888; header.Auth = ••••7777;"));
  CHECK_THAT(map, !Catch::Contains("literal-") && !Catch::Contains("mapped-bearer"));
}

TEST_CASE("scan_secret_literals hides the literals of a value given to a secret, not env's name", "[secret-literals]") {
  const auto secret = [](std::string_view name) { return name == "Key"; };
  using V = std::vector<std::string>;
  CHECK(scanned(R"(set Key = "abc" + "def"; set Other = "plain";)", secret) == V{"\"abc\"", "\"def\""});
  CHECK(scanned(R"(Key = env("API_KEY", "fallback-key");)", secret) == V{"\"fallback-key\""});
  CHECK(scanned(R"(if Key == "x" { log "Key = y"; } // Key = "in a comment")", secret).empty());
  CHECK(scanned("set Key = \"not closed", secret) == V{"\"not closed"});
  CHECK(scanned(R"(body.Key = "nested";)", secret) == V{"\"nested\""});
  // likely_secret_literals: declared secret fields and credential names.
  const std::string text = R"(field Pin secret; Pin = "1234-5678"; "Authorization" = "Bearer x"; Note = "n";)";
  std::vector<std::string> likely;
  for (const auto& part : likely_secret_literals(text)) likely.push_back(text.substr(part.begin, part.end - part.begin));
  CHECK(likely == V{"\"1234-5678\"", "\"Bearer x\""});
  // A request header by the name a call maps it by, when its wire name is a
  // credential's or it is declared secret.
  const std::string headers = R"(header Basic "Authorization"; header Trace "X-Trace"; header Sig "X-Sig" secret;
    header.Basic = "basic-literal"; header.Trace = "trace-plain"; header.Sig = "sig-literal";)";
  likely.clear();
  for (const auto& part : likely_secret_literals(headers))
    likely.push_back(headers.substr(part.begin, part.end - part.begin));
  CHECK(likely == V{"\"basic-literal\"", "\"sig-literal\""});
}

TEST_CASE("--dump-ast shows secret literals as their masks", "[secret-literals]") {
  Diagnostics diagnostics;
  auto program = load_program_text("dump.flow", "process P { field Key secret = \"my-secret-value-123456\"; }\n"
                                                "instance \"P-1\" of P { Key = \"inst-secret-value-abcdef\"; }\n",
                                   diagnostics);
  REQUIRE_FALSE(diagnostics.has_errors());
  const auto dump = dump_ast(program->modules.at(0), program->sources.file(0).hidden);
  CHECK_THAT(dump, Catch::Contains("string ••••3456 @1:32") && Catch::Contains("string ••••cdef @2:29"));
  CHECK_THAT(dump, !Catch::Contains("secret-value"));
}

TEST_CASE("a credential header's literal value is hidden; a template reading a secret is not", "[secret-literals]") {
  Diagnostics diagnostics;
  auto program = load_program_text("test.flow", R"(
datasource D rest {
  base_url = "http://127.0.0.1:1";
  header "X-Api-Key" = "hardcoded-api-key-value-9999";
  header "Accept" = "application/json";
  header "X-Other" secret = env("OTHER", "fallback-other-0001");
  method M GET "/" {
    request header Authorization = "Bearer hardcoded-bearer-value-8888";
    request header Trace "X-Trace" = "trace-plain";
  }
  method N GET "/n" { request header Authorization = "Bearer ${env("TOKEN")}"; }
}
)", diagnostics);
  REQUIRE_FALSE(diagnostics.has_errors());
  const auto hidden = hidden_texts(*program);
  CHECK(hidden == std::vector<std::string>{"\"Bearer hardcoded-bearer-value-8888\"", "\"fallback-other-0001\"",
                                           "\"hardcoded-api-key-value-9999\""});
}

TEST_CASE("a call's map entry for a credential part hides its literal, as the part's own would be", "[secret-literals]") {
  Diagnostics diagnostics;
  auto program = load_program_text("test.flow", R"(
datasource D rest {
  base_url = "http://127.0.0.1:1";
  method M POST "/oauth/token" {
    request header Auth "Authorization";
    request header Trace "X-Trace";
    request query { api_key; page; }
    request body form { client_secret; password; grant_type; }
  }
}
process P {
  field Token secret;
  on Go {
    create_item D.M map {
      body.client_secret = "client-secret-literal-9999"; body.password = "pass" + "word-8888";
      header.Auth = "Bearer mapped-bearer-7777"; query.api_key = env("API_KEY", "fallback-key-6666");
      body.grant_type = "client_credentials"; header.Trace = "trace-plain"; query.page = "2";
    };
    create_item D.M map { header.Auth = "Bearer ${Token}"; urlPath = "/plain-path"; };
  }
}
)", diagnostics);
  REQUIRE_FALSE(diagnostics.has_errors());
  CHECK(hidden_texts(*program) == std::vector<std::string>{"\"Bearer mapped-bearer-7777\"",
                                                           "\"client-secret-literal-9999\"", "\"fallback-key-6666\"",
                                                           "\"pass\" + \"word-8888\""});
  const auto dump = dump_ast(program->modules.at(0), program->sources.file(0).hidden);
  CHECK_THAT(dump, Catch::Contains("string ••••9999 @15:28") && Catch::Contains("string ••••7777 @16:21"));
  CHECK_THAT(dump, !Catch::Contains("literal-9999") && !Catch::Contains("mapped-bearer") &&
                       Catch::Contains("\"client_credentials\""));
}

TEST_CASE("a credential's literals inside a template, a call or a + are hidden; separators and keys are not",
          "[secret-literals]") {
  Diagnostics diagnostics;
  auto program = load_program_text("test.flow", R"(
datasource D rest {
  base_url = "http://127.0.0.1:1";
  header "Authorization" = "Basic " + base64("my-client:cs-live-HEADER-3333");
  method M POST "/oauth/token" {
    request header Auth "Authorization";
    request body form { client_secret; grant_type; }
  }
}
process P {
  field Id text;
  field Secret secret;
  field Body text;
  on Go {
    create_item D.M map {
      header.Auth = "Basic ${base64("my-client:cs-live-LITERAL-4444")}";
      body.client_secret = trim("  cs-live-TRIMMED-5555  "); body.grant_type = "client_credentials";
    };
    create_item D.M map {
      header.Auth = "Basic ${base64(Id + ":" + Secret)}";
      body.client_secret = json_get(json_parse(Body), "client_secret_key");
    };
    set Secret = lower(json_parse(Body)["secret_key"]) + "-suffix";
  }
}
)", diagnostics);
  REQUIRE_FALSE(diagnostics.has_errors());
  CHECK(hidden_texts(*program) == std::vector<std::string>{"\"  cs-live-TRIMMED-5555  \"", "\"-suffix\"",
                                                           "\"my-client:cs-live-HEADER-3333\"",
                                                           "\"my-client:cs-live-LITERAL-4444\""});
  const auto dump = dump_ast(program->modules.at(0), program->sources.file(0).hidden);
  CHECK_THAT(dump, !Catch::Contains("cs-live"));
}

TEST_CASE("a run error on a line with a literal inside a credential's template shows its mask", "[secret-literals]") {
  EngineFixture f(R"(
datasource D rest {
  base_url = "http://127.0.0.1:1";
  method M POST "/oauth/token" { request header Auth "Authorization"; }
}
process P { on Go { create_item D.M map { header.Auth = "Basic ${base64("my-client:cs-live-LITERAL-4444")}"; }; } }
)");
  const auto result = f.run("P", "Go");
  REQUIRE_FALSE(result.ok);
  INFO(result.error);
  CHECK_THAT(result.error, Catch::Contains("header.Auth = \"Basic ${base64(••••4444)}\""));
  CHECK_THAT(result.error, !Catch::Contains("cs-live"));
}

TEST_CASE("a literal given to a misspelled secret field is hidden", "[secret-literals]") {
  Diagnostics diagnostics;
  auto program = load_program_text("test.flow", R"(
process P { field ClientSecret secret; field Note text; on Go { set ClientSecrt = "cs-live-SET-1111"; } }
instance "P1" of P { ClientSecrt = "cs-live-REALSECRET-4242"; ApiPassword = "pw-live-3131"; Noet = "plain"; }
)", diagnostics);
  CHECK(hidden_texts(*program) ==
        std::vector<std::string>{"\"cs-live-REALSECRET-4242\"", "\"cs-live-SET-1111\"", "\"pw-live-3131\""});
}
