// Declarations (LANGUAGE.md sections 3 and 6) against reviewed golden dumps, plus
// small inline cases. Regenerate goldens with FLOW_UPDATE_GOLDEN=1 and review the diff.

#include <string>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "grammar/grammar_support.hpp"

using flow::test::golden;
using flow::test::parse_dump;
using flow::test::parse_errors;

static std::string read_golden_input(const std::string& name) {
  std::ifstream in(FLOW_SOURCE_DIR "/tests/grammar/golden/" + name, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST_CASE("import, datasource with every part kind, process with every field type and handler kind") {
  const std::string dump = parse_dump(read_golden_input("declarations.flow"));
  CHECK(dump == golden("declarations.dump", dump));
}

TEST_CASE("every schedule form of section 6") {
  const std::string dump = parse_dump(read_golden_input("schedules.flow"));
  CHECK(dump == golden("schedules.dump", dump));
}

TEST_CASE("an empty file is an empty module") {
  CHECK(parse_dump("") == "module 0\n");
  CHECK(parse_dump("  // only a comment\n/* and another */\n") == "module 0\n");
}

TEST_CASE("field: required and default together") {
  CHECK(parse_dump("process P { field N number required = 1 + 1; }") ==
        "module 0\n"
        "  process P @1:1\n"
        "    field N number required @1:13\n"
        "      binary + @1:39\n"
        "        number 1 @1:39\n"
        "        number 1 @1:43\n");
}

TEST_CASE("handlers: button, change, load; 'on change' without a field is a button named change") {
  CHECK(parse_dump("process P { on Go { } on change F { } on load { } on change { } }") ==
        "module 0\n"
        "  process P @1:1\n"
        "    on Go @1:13\n"
        "    on change F @1:23\n"
        "    on load @1:39\n"
        "    on change @1:51\n");
}

TEST_CASE("instance seed values") {
  CHECK(parse_dump("instance \"TK-1\" of TokenKeeper { ClientId = env(\"CLIENT_ID\"); }") ==
        "module 0\n"
        "  instance \"TK-1\" of TokenKeeper @1:1\n"
        "    assign ClientId @1:34\n"
        "      call env @1:45\n"
        "        string \"CLIENT_ID\" @1:49\n");
}

TEST_CASE("ranges carry the file index and byte offsets") {
  flow::SourceSet sources;
  sources.add("first.flow", "");
  const auto file = sources.add("second.flow", "\n  process P { }");
  flow::Diagnostics diagnostics;
  const auto module = flow::parse_module(sources, file, diagnostics);
  REQUIRE(module);
  CHECK(module->file == 1);
  const auto& range = module->processes.at(0).range;
  CHECK(range.file == 1);
  CHECK(range.begin == flow::SourcePos{2, 3, 3});
  CHECK(range.end == flow::SourcePos{2, 16, 16});
  CHECK(module->processes[0].name.range.begin == flow::SourcePos{2, 11, 11});
}

TEST_CASE("date-time literals record whether an offset was written") {
  flow::SourceSet sources;
  const auto file = sources.add("t.flow", "schedule \"S\" { once at 2027-01-01T09:00; expires 2027-06-30T00:00Z; }");
  flow::Diagnostics diagnostics;
  const auto module = flow::parse_module(sources, file, diagnostics);
  REQUIRE(module);
  const auto& schedule = module->schedules.at(0);
  CHECK_FALSE(std::get<flow::ast::OnceWhen>(schedule.when->node).at.has_offset);
  CHECK(schedule.expires->at->has_offset);
  CHECK_FALSE(schedule.expires->at->date_only);
}

TEST_CASE("what a call asks of a method on every run is read once, at lowering: credentials and the path") {
  flow::SourceSet sources;
  const auto file = sources.add("t.flow", R"(datasource D rest {
  header "X-Api-Key" = "k";
  header "X-Trace" secret = "t";
  header "Accept-Language" = "en";
  method M POST "/orders/{id}/lines" {
    request header Auth "Authorization";
    request header Lang "Accept-Language";
    request query { page; key_hint = "Plain"; note = "access_token"; }
    request body form { client_secret; client_id; pin secret; }
  }
  method Broken GET "/orders/{id" { }
})");
  flow::Diagnostics diagnostics;
  const auto module = flow::parse_module(sources, file, diagnostics);
  REQUIRE(module);
  const auto& datasource = module->datasources.at(0);
  std::vector<bool> headers;
  for (const auto& header : datasource.headers) headers.push_back(header.credential);
  CHECK(headers == std::vector<bool>{true, true, false});
  const auto& method = datasource.methods.at(0);
  std::vector<std::pair<std::string, bool>> parts;
  for (const auto& part : method.request) parts.emplace_back(part.name.text, part.credential);
  // By the name on the wire, else its own; or declared secret.
  const std::vector<std::pair<std::string, bool>> expected = {
      {"Auth", true}, {"Lang", false},         {"page", false},      {"key_hint", false},
      {"note", true}, {"client_secret", true}, {"client_id", false}, {"pin", true}};
  CHECK(parts == expected);
  REQUIRE(method.path_template.problem.empty());
  REQUIRE(method.path_template.pieces.size() == 3);
  CHECK(method.path_template.pieces[1].parameter);
  CHECK(method.path_template.pieces[1].text == "id");
  // A malformed path lowers with its problem: the checker reports it, a call refuses it.
  CHECK_THAT(datasource.methods.at(1).path_template.problem, Catch::Contains("unclosed '{'"));
}

TEST_CASE("angle-bracket handlers follow each other without ';'") {
  CHECK(parse_dump("process P < on H < set A = B > on G < save > >\nschedule \"S\" < at X >\nprocess Q { }") ==
        "module 0\n"
        "  process P @1:1\n"
        "    on H @1:13\n"
        "      set A @1:20\n"
        "        ident B @1:28\n"
        "    on G @1:32\n"
        "      save @1:39\n"
        "  process Q @3:1\n"
        "  schedule \"S\" @2:1\n"
        "    at @2:16\n"
        "      ident X @2:19\n"
        "    on_overlap skip, on_missed run_once\n");
}

TEST_CASE("test blocks: every step") {
  const std::string dump = parse_dump(read_golden_input("tests.flow"));
  CHECK(dump == golden("tests.dump", dump));
}

TEST_CASE("the words of test steps stay names elsewhere: `x > run` still compares") {
  // A `>` closes a block before a test step only in the step's own shape
  // (`mock A.B`, `run P.H`, `advance 5`, `env X =` ...), never before a bare word.
  for (const std::string rules : {"if Version > env(\"MIN\", \"1.0\") { set Ok = true; }", "set Ok = Count > run;",
                                  "set Ok = Count > clock;", "set Ok = Count > expect and Ok;",
                                  "set Ok = Count > test;", "set Ok = Count > status;", "set Ok = a > advance;",
                                  "if Count > body { set Ok = true; }", "if Count > body < set Ok = true; >",
                                  "set Ok = a > expect - 1;"}) {
    INFO(rules);
    CHECK(parse_errors("process P { on H { " + rules + " } }") == "");
  }
}

TEST_CASE("`> instance(...)` compares: only an instance declaration's `instance \"ID\"` closes a block") {
  // `instance` follows blocks as a declaration (`instance "ID" of P`); the
  // function call `instance("ID")` is an operand like any other.
  CHECK(parse_errors("test \"t\" { expect 1 > instance(\"P-1\").N; }") == "");
  CHECK(parse_dump("test \"t\" { expect 1 > instance(\"P-1\").N; }") ==
        "module 0\n"
        "  test \"t\" @1:1\n"
        "    expect @1:12\n"
        "      binary > @1:19\n"
        "        number 1 @1:19\n"
        "        member .N @1:23\n"
        "          call instance @1:23\n"
        "            string \"P-1\" @1:32\n");
  CHECK(parse_errors("process P { field N number; field B number; on H < set B = N > instance(\"P-1\").N > }") == "");
  CHECK(parse_errors("test \"t\" < expect 1 > 0 > instance \"I\" of P { }") == "");
  CHECK(parse_errors("test \"t\" < run P.H; expect 2 > 1 > instance \"I\" of P < >") == "");
}

TEST_CASE("angle-bracket test bodies close before every step") {
  CHECK(parse_errors("test \"t\" < mock A.B < status 500 > run P.H fails > ") == "");
  CHECK(parse_errors("test \"t\" < mock A.B < body < a = \"x\" > status 503 > expect 1 > 0 >") == "");
  CHECK(parse_errors("test \"t\" < mock A.B < text \"x\" > mock A.B fails timeout; advance 5s >") == "");
  CHECK(parse_errors("test \"t\" < run P.H; expect 2 > 1 > test \"u\" < advance 1h >") == "");
  CHECK(parse_errors("test \"t\" < mock A.B < status 200 > expect (A.B.calls == 0 or true) >") == "");
}
