// A handler rule that needs several unset env() variables names them all
// (engine/exec.cpp every_unset_variable_of_rule), as a seeded instance does.
#include <cstdlib>

#include <catch2/catch.hpp>

#include "support/engine_fixture.hpp"

namespace {

// None of these is set: each test case's names are its own.
constexpr const char* kUnsetRuleProgram = R"(
datasource UnsetRuleApi rest {
  base_url = "http://127.0.0.1:9";
  method Create POST "/items" { request body json { a; b; c; } }
}
process UnsetRule {
  field A text;
  field B boolean;
  on Set { set A = env("FLOW_UNSET_RULE_1") + "-" + env("FLOW_UNSET_RULE_2"); }
  on Create {
    create_item UnsetRuleApi.Create map {
      body.a = env("FLOW_UNSET_RULE_3");
      body.b = env("FLOW_UNSET_RULE_4");
      body.c = env("FLOW_UNSET_RULE_3") + env("FLOW_UNSET_RULE_SET");
    };
  }
  on Mixed { set A = env("FLOW_UNSET_RULE_SET") + env("FLOW_UNSET_RULE_5"); }
  on Needed { set B = env("FLOW_UNSET_RULE_6") == "" or env("FLOW_UNSET_RULE_7") == ""; }
  on Validate { validate env("FLOW_UNSET_RULE_8") == "x" else "${env("FLOW_UNSET_RULE_9")}"; }
}
)";

std::string unset_rule_first_line(const flow::RunResult& result) {
  CHECK_FALSE(result.ok);
  return result.error.substr(0, result.error.find('\n'));
}

}  // namespace

TEST_CASE("a rule's failure names every unset env() variable of the rule, in source order, once each", "[rules]") {
  ::setenv("FLOW_UNSET_RULE_SET", "set", 1);
  flow::testing::EngineFixture f(kUnsetRuleProgram);
  CHECK(unset_rule_first_line(f.run("UnsetRule", "Set")) ==
        "test.flow:9:20: error: environment variables FLOW_UNSET_RULE_1, FLOW_UNSET_RULE_2 are not set");
  CHECK(unset_rule_first_line(f.run("UnsetRule", "Create")) ==
        "test.flow:12:16: error: environment variables FLOW_UNSET_RULE_3, FLOW_UNSET_RULE_4 are not set");
  CHECK(f.http.requests.empty());
  // A variable that is set is not named: the one unset is said as before.
  CHECK(unset_rule_first_line(f.run("UnsetRule", "Mixed")) ==
        "test.flow:17:51: error: environment variable FLOW_UNSET_RULE_5 is not set");
}

TEST_CASE("a rule names only the unset variables its failed stage surely needed", "[rules]") {
  flow::testing::EngineFixture f(kUnsetRuleProgram);
  // The right of `or` runs only when the left is false: it is not named.
  CHECK(unset_rule_first_line(f.run("UnsetRule", "Needed")) ==
        "test.flow:18:23: error: environment variable FLOW_UNSET_RULE_6 is not set");
  // A validate's message runs only when its condition fails.
  CHECK(unset_rule_first_line(f.run("UnsetRule", "Validate")) ==
        "test.flow:19:26: error: environment variable FLOW_UNSET_RULE_8 is not set");
}
