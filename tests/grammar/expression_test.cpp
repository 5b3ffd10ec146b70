// Expressions: literals, precedence, postfix, strings. Each is written as
// `set X = <expr>;` on line 3 of a wrapper process, so columns start at 9.

#include <catch2/catch.hpp>

#include "grammar/grammar_support.hpp"
#include "grammar/iso_date.hpp"
#include "grammar/parser.hpp"

using flow::test::expr_dump;

TEST_CASE("precedence: * / over + -, unary minus binds tightest") {
  CHECK(expr_dump("1 + 2 * 3 - -4 / 2") ==
        "binary - @3:9\n"
        "  binary + @3:9\n"
        "    number 1 @3:9\n"
        "    binary * @3:13\n"
        "      number 2 @3:13\n"
        "      number 3 @3:17\n"
        "  binary / @3:21\n"
        "    unary - @3:21\n"
        "      number 4 @3:22\n"
        "    number 2 @3:26\n");
}

TEST_CASE("precedence: or < and < not < comparison") {
  CHECK(expr_dump("a or b and not c == d") ==
        "binary or @3:9\n"
        "  ident a @3:9\n"
        "  binary and @3:14\n"
        "    ident b @3:14\n"
        "    unary not @3:20\n"
        "      binary == @3:24\n"
        "        ident c @3:24\n"
        "        ident d @3:29\n");
}

TEST_CASE("precedence: comparison < ?? < +") {
  CHECK(expr_dump("a ?? b + c > d") ==
        "binary > @3:9\n"
        "  binary ?? @3:9\n"
        "    ident a @3:9\n"
        "    binary + @3:14\n"
        "      ident b @3:14\n"
        "      ident c @3:18\n"
        "  ident d @3:22\n");
}

TEST_CASE("every comparison operator") {
  for (const std::string op : {"==", "!=", "<", "<=", ">", ">="}) {
    CHECK(expr_dump("a " + op + " b") ==
          "binary " + op + " @3:9\n  ident a @3:9\n  ident b @3:" + std::to_string(12 + op.size()) + "\n");
  }
}

TEST_CASE("parentheses group and span their brackets") {
  CHECK(expr_dump("(1 + 2) * 3") ==
        "binary * @3:9\n"
        "  binary + @3:9\n"
        "    number 1 @3:10\n"
        "    number 2 @3:14\n"
        "  number 3 @3:19\n");
}

TEST_CASE("left associativity of - and /") {
  CHECK(expr_dump("8 - 4 - 2") ==
        "binary - @3:9\n"
        "  binary - @3:9\n"
        "    number 8 @3:9\n"
        "    number 4 @3:13\n"
        "  number 2 @3:17\n");
}

TEST_CASE("postfix: member, index, call, instance(...).Field") {
  CHECK(expr_dump("instance(\"TK-1\").AccessToken") ==
        "member .AccessToken @3:9\n"
        "  call instance @3:9\n"
        "    string \"TK-1\" @3:18\n");
  CHECK(expr_dump("body.items[0].id") ==
        "member .id @3:9\n"
        "  index @3:9\n"
        "    member .items @3:9\n"
        "      ident body @3:9\n"
        "    number 0 @3:20\n");
  CHECK(expr_dump("f(1, \"2\", g())") ==
        "call f @3:9\n"
        "  number 1 @3:11\n"
        "  string \"2\" @3:14\n"
        "  call g @3:19\n");
}

TEST_CASE("literals: numbers, booleans, null") {
  CHECK(expr_dump("12.5") == "number 12.5 @3:9\n");
  CHECK(expr_dump("true") == "true @3:9\n");
  CHECK(expr_dump("false") == "false @3:9\n");
  CHECK(expr_dump("null") == "null @3:9\n");
  CHECK(expr_dump("nullable") == "ident nullable @3:9\n");  // keywords are whole words
}

TEST_CASE("literals: numbers with a power of ten") {
  CHECK(expr_dump("1e3") == "number 1e3 @3:9\n");
  CHECK(expr_dump("2.5E-3") == "number 2.5E-3 @3:9\n");
  CHECK(expr_dump("1e+308") == "number 1e+308 @3:9\n");
  CHECK(expr_dump("2e3 * 2") == "binary * @3:9\n  number 2e3 @3:9\n  number 2 @3:15\n");
}

TEST_CASE("durations: suffixes and words, singular and plural") {
  const std::pair<const char*, const char*> cases[] = {
      {"500ms", "500ms"},          {"10s", "10000ms"},           {"55m", "3300000ms"},
      {"2h", "7200000ms"},         {"1d", "86400000ms"},         {"1w", "604800000ms"},
      {"1.5h", "5400000ms"},       {"30 seconds", "30000ms"},    {"1 second", "1000ms"},
      {"55 minutes", "3300000ms"}, {"1 minute", "60000ms"},      {"2 hours", "7200000ms"},
      {"1 hour", "3600000ms"},     {"1 day", "86400000ms"},      {"3 days", "259200000ms"},
      {"2 weeks", "1209600000ms"}, {"1 week", "604800000ms"},    {"250 milliseconds", "250ms"},
  };
  for (const auto& [text, millis] : cases) {
    CHECK(expr_dump(text) == std::string("duration ") + text + " = " + millis + " @3:9\n");
    // Command-line options (flow run --for) read durations the same way.
    const auto parsed = flow::parse_duration(text);
    REQUIRE(parsed);
    CHECK(std::to_string(parsed->count()) + "ms" == millis);
  }
}

TEST_CASE("parse_duration takes exactly one duration and nothing else") {
  for (const char* text : {"", "30", "5x", "30s ", " 30s", "s", "-5s", "30s30s", "999999999999 weeks"}) {
    INFO('\'' << text << '\'');
    CHECK_FALSE(flow::parse_duration(text));
  }
}

TEST_CASE("date-times: date, UTC, offsets, fractions") {
  CHECK(expr_dump("2027-06-30") == "datetime 2027-06-30 = 2027-06-30T00:00:00.000Z @3:9\n");
  CHECK(expr_dump("2027-06-30T00:00:00Z") == "datetime 2027-06-30T00:00:00Z = 2027-06-30T00:00:00.000Z @3:9\n");
  CHECK(expr_dump("2027-06-30T09:00:00+01:00") ==
        "datetime 2027-06-30T09:00:00+01:00 = 2027-06-30T08:00:00.000Z @3:9\n");
  CHECK(expr_dump("2027-06-30T09:00-0230") == "datetime 2027-06-30T09:00-0230 = 2027-06-30T11:30:00.000Z @3:9\n");
  CHECK(expr_dump("2027-06-30T09:00:00.25Z") ==
        "datetime 2027-06-30T09:00:00.25Z = 2027-06-30T09:00:00.250Z @3:9\n");
  CHECK(expr_dump("2028-02-29T23:59") == "datetime 2028-02-29T23:59 = 2028-02-29T23:59:00.000Z @3:9\n");
}

TEST_CASE("date-times: a literal reads as the same text does at run time (one ISO 8601 reader)") {
  for (const std::string text : {"2027-06-30", "2027-06-30T09:00", "2027-06-30T09:00:00.9999Z",
                                 "2027-06-30T09:00:00+05:30", "2027-06-30T23:30-0130", "2028-02-29T00:00:01Z"}) {
    INFO(text);
    const auto parsed = flow::parse_iso(text);
    REQUIRE(parsed);
    const auto instant = flow::ast::SysTime{parsed->local.time_since_epoch()} -
                         parsed->offset.value_or(std::chrono::minutes{0});
    CHECK_THAT(expr_dump(text), Catch::Contains(" = " + date::format("%FT%TZ", instant) + " @3:9\n"));
  }
}

TEST_CASE("datetime + duration, as in a dynamic schedule") {
  CHECK(expr_dump("CreatedAt + seconds(ExpiresIn) - 5 minutes") ==
        "binary - @3:9\n"
        "  binary + @3:9\n"
        "    ident CreatedAt @3:9\n"
        "    call seconds @3:21\n"
        "      ident ExpiresIn @3:29\n"
        "  duration 5 minutes = 300000ms @3:42\n");
}

TEST_CASE("strings: escapes are decoded") {
  CHECK(expr_dump(R"("a\"b\\c\/d\n\t\r\$e\u00e9")") == "string \"a\\\"b\\\\c/d\\n\\t\\x0d$eé\" @3:9\n");
  CHECK(expr_dump(R"("")") == "string \"\" @3:9\n");
  CHECK(expr_dump(R"("cost $5")") == "string \"cost $5\" @3:9\n");  // `$` without `{` is text
}

TEST_CASE("strings: interpolation, nested") {
  CHECK(expr_dump(R"("Bearer ${AccessToken}")") ==
        "string @3:9\n"
        "  text \"Bearer \" @3:9\n"
        "  ident AccessToken @3:19\n");
  CHECK(expr_dump(R"("${a + "in${b}"}!")") ==
        "string @3:9\n"
        "  binary + @3:12\n"
        "    ident a @3:12\n"
        "    string @3:16\n"
        "      text \"in\" @3:16\n"
        "      ident b @3:21\n"
        "  text \"!\" @3:9\n");
}

TEST_CASE("comments inside expressions") {
  CHECK(expr_dump("1 /* one */ + // two\n 2") ==
        "binary + @3:9\n"
        "  number 1 @3:9\n"
        "  number 2 @4:2\n");
}

TEST_CASE("dump_expr dumps one expression alone") {
  flow::SourceSet sources;
  const auto file = sources.add("x.flow", "process P { on H { set X = -a; } }");
  flow::Diagnostics diagnostics;
  const auto module = flow::parse_module(sources, file, diagnostics);
  REQUIRE(module);
  const auto& set = std::get<flow::ast::SetRule>(module->processes[0].handlers[0].body[0].node);
  CHECK(flow::dump_expr(set.value) == "unary - @1:28\n  ident a @1:29\n");
}

TEST_CASE("an expression's range covers its text, whatever its operands are") {
  // `flow test` quotes a failed expect by its range.
  for (const std::string text : {"true and 2 == 3", "1 == 1 and 2 == 3", "a or b == c ?? d", "x.y[0] + 2 * f(3)",
                                 "not a == b", "-(1 + 2)"}) {
    flow::SourceSet sources;
    const auto file = sources.add("test.flow", text + "\n// more text after the expression");
    flow::Diagnostics diagnostics;
    const auto expr = flow::parse_expression(sources, file, diagnostics);
    REQUIRE(expr);
    INFO(text);
    CHECK(expr->range.begin.offset == 0);
    CHECK(expr->range.end.offset == text.size());
  }
}
