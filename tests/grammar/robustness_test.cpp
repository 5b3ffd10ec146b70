// The grammar is well-formed (no left recursion, no empty loops), and no input
// crashes or hangs the parser: every result is a Module or exactly one diagnostic.

#include <catch2/catch.hpp>

#include <random>

#include <tao/pegtl/contrib/analyze.hpp>

#include "grammar/grammar.hpp"
#include "grammar/grammar_support.hpp"

namespace {

/// Parses `text`; checks the one-module-or-one-diagnostic contract and a sane position.
void check_parses_or_reports(const std::string& text) {
  flow::SourceSet sources;
  const auto file = sources.add("fuzz.flow", text);
  flow::Diagnostics diagnostics;
  const auto module = flow::parse_module(sources, file, diagnostics);
  if (module) {
    CHECK(diagnostics.items().empty());
    flow::dump_ast(*module);  // every node kind dumps without throwing
    return;
  }
  REQUIRE(diagnostics.items().size() == 1);
  const auto& d = diagnostics.items().front();
  CHECK(d.range.file == file);
  CHECK(d.range.begin.line >= 1);
  CHECK(d.range.begin.column >= 1);
  CHECK(d.range.begin.offset <= text.size());
  CHECK(!d.message.empty());
}

std::string corpus() {
  std::string text;
  for (const char* name : {"declarations.flow", "schedules.flow"}) {
    std::ifstream in(FLOW_SOURCE_DIR "/tests/grammar/golden/" + std::string(name), std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    text += s.str() + "\n";
  }
  return text +
         "process TokenKeeper {\n"
         "  on Refresh < set AccessToken = \"\"; create_item RestService.GetRefreshAuthToken map < "
         "body.client_id = ClientId; >; save >\n"
         "  on Check { if ExpiresIn > 0 < log \"ok ${ExpiresIn}\"; > else { fail \"expired\"; } }\n"
         "}\n/* trailing comment */\n";
}

}  // namespace

TEST_CASE("the grammar has no left recursion or empty-loop problems") {
  CHECK(tao::pegtl::analyze<flow::syntax::grammar>() == 0);
  CHECK(tao::pegtl::analyze<flow::syntax::rules_input>() == 0);       // the REPL's rules
  CHECK(tao::pegtl::analyze<flow::syntax::expression_input>() == 0);  // and expressions
}

TEST_CASE("the robustness corpus itself parses") {
  CHECK(flow::test::parse_errors(corpus()) == "");
}

TEST_CASE("every prefix of a sizable text parses or reports one diagnostic") {
  // The seed scenario (~1.9 KB): all prefixes of the larger corpus would take minutes
  // in a sanitized Debug build for little extra coverage.
  std::ifstream in(FLOW_SOURCE_DIR "/tests/grammar/golden/seed.flow", std::ios::binary);
  std::ostringstream seed;
  seed << in.rdbuf();
  const std::string text = seed.str();
  REQUIRE(text.size() > 1500);
  for (std::size_t n = 0; n <= text.size(); ++n) check_parses_or_reports(text.substr(0, n));
}

TEST_CASE("deterministic random byte mutations parse or report one diagnostic") {
  const std::string text = corpus();
  std::mt19937 random(20261128);  // fixed seed: the same mutations on every run
  static constexpr char kInteresting[] = "{}<>;\"/*$\\.=()[]\n ?-+0aZ";
  for (int round = 0; round < 400; ++round) {
    std::string mutated = text;
    const int edits = 1 + static_cast<int>(random() % 4);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % mutated.size();
      const char byte = random() % 2 ? kInteresting[random() % (sizeof kInteresting - 1)]
                                     : static_cast<char>(random() % 256);
      switch (random() % 3) {
        case 0: mutated[at] = byte; break;
        case 1: mutated.erase(at, 1 + random() % 8); break;
        default: mutated.insert(at, 1, byte); break;
      }
    }
    INFO("round " << round);
    check_parses_or_reports(mutated);
  }
}

TEST_CASE("deep nesting ends in a diagnostic, not a stack overflow") {
  CHECK(flow::test::parse_errors("process P { on H { set A = " + std::string(100000, '(') + "1; } }")
            .find("error: nested too deeply") != std::string::npos);
  CHECK(flow::test::parse_errors("process P { on H { set A = " + std::string(100000, '-') + "1; } }")
            .find("error: nested too deeply") != std::string::npos);
  std::string blocks = "process P { on H { ";
  for (int i = 0; i < 20000; ++i) blocks += "if A { ";
  CHECK(flow::test::parse_errors(blocks).find("error: nested too deeply") != std::string::npos);
}

// The columns were measured when the whole file was one parse tree; parsing one
// declaration at a time must stop at the same nesting depth, in any declaration.
TEST_CASE("the nesting limit is the same for every declaration of a file") {
  const std::string minus = "process P { on H { set A = " + std::string(100000, '-') + "1; } }";
  CHECK(flow::test::parse_errors(minus).starts_with("test.flow:1:683: error: nested too deeply"));
  CHECK(flow::test::parse_errors("process Q { }\n" + minus).starts_with("test.flow:2:683: error: nested too deeply"));
  std::string blocks = "process P { on H { ";
  for (int i = 0; i < 20000; ++i) blocks += "if A { ";
  CHECK(flow::test::parse_errors(blocks).starts_with("test.flow:1:1740: error: nested too deeply"));
  CHECK(flow::test::parse_errors("import \"x\";\n" + blocks).starts_with("test.flow:2:1740: error: nested too deeply"));
}

TEST_CASE("moderate nesting is fine") {
  CHECK(flow::test::parse_errors("process P { on H { set A = " + std::string(40, '(') + "1" + std::string(40, ')') +
                                 "; } }") == "");
}

TEST_CASE("a very long operator chain is refused before it can exhaust the stack") {
  std::string sum = "1";
  for (int i = 0; i < 5000; ++i) sum += " + 1";
  CHECK(flow::test::parse_errors("process P { on H { set A = " + sum + "; } }")
            .find("error: expression too long") != std::string::npos);
}

TEST_CASE("CRLF line endings and a UTF-8 byte order mark") {
  const std::string text = "\xEF\xBB\xBFprocess P {\r\n  // note\r\n  field A text;\r\n}\r\n";
  CHECK(flow::test::parse_dump(text) ==
        "module 0\n"
        "  process P @1:4\n"
        "    field A text @3:3\n");
  CHECK(flow::test::parse_errors("process P {\r\n  field A strng;\r\n}\r\n") ==
        "test.flow:2:11: error: expected a field type (text, number, boolean, datetime, duration, secret, json, "
        "list)\n"
        "    field A strng;\n"
        "            ^\n");
}
