// Secret literals are masked in every excerpt of their file: a run error whose
// source line holds one shows its mask, and so does a line of a test block.
#include "engine/secret_literals.hpp"

#include <algorithm>
#include <cstdlib>

#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

using namespace flow;
using namespace flow::testing;

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
  const auto& file = program->sources.file(0);
  std::vector<std::string> hidden;
  for (const auto& part : file.hidden) hidden.push_back(file.text.substr(part.begin, part.end - part.begin));
  std::sort(hidden.begin(), hidden.end());
  CHECK(hidden == std::vector<std::string>{"\"${T}-0005\"", "\"default-secret-0001\"", "\"mapped-secret-0003\"",
                                           "\"set-secret-0002\"", "\"start-secret-0004\"", "\"test-secret-0006\""});
}
