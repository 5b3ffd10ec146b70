// Syntax errors: exactly one diagnostic, at the exact position, with the message
// of the failed must point (grammar/errors.hpp) or of lowering.

#include <catch2/catch.hpp>

#include "grammar/grammar_support.hpp"

using flow::test::parse_errors;

TEST_CASE("rendered syntax errors, caret included") {
  CHECK(parse_errors("process P {\n  field A strng;\n}\n") ==
        "test.flow:2:11: error: expected a field type (text, number, boolean, datetime, duration, secret, json, "
        "list)\n"
        "    field A strng;\n"
        "            ^\n");
  // A missing ';' is pointed at where it belongs, not at the next line.
  CHECK(parse_errors("process P {\n  on Go {\n    set A = 1\n    save;\n  }\n}\n") ==
        "test.flow:3:14: error: expected ';' after the rule\n"
        "      set A = 1\n"
        "               ^\n");
  CHECK(parse_errors("process P { on H { set A = ; } }") ==
        "test.flow:1:28: error: expected an expression\n"
        "  process P { on H { set A = ; } }\n"
        "                             ^\n");
  CHECK(parse_errors("/* never closed\nprocess P { }\n") ==
        "test.flow:1:1: error: unterminated block comment: no '*/' closes this '/*'\n"
        "  /* never closed\n"
        "  ^\n");
  CHECK(parse_errors("\tprocess P { on H { set A = \"abc; } }") ==
        "test.flow:1:38: error: unterminated string: expected '\"' before the end of the line\n"
        "  \tprocess P { on H { set A = \"abc; } }\n"
        "  \t                                    ^\n");
}

namespace {

/// One single-line case: the input, the 1-based column of the error, its message.
struct Case {
  const char* input;
  int column;
  const char* message;
};

std::string expected(const Case& c) {
  return "test.flow:1:" + std::to_string(c.column) + ": error: " + c.message + "\n  " + c.input + "\n  " +
         std::string(static_cast<std::size_t>(c.column - 1), ' ') + "^\n";
}

void check_all(const std::vector<Case>& cases) {
  for (const auto& c : cases) {
    INFO(c.input);
    CHECK(parse_errors(c.input) == expected(c));
  }
}

constexpr const char* kRuleOrBrace =
    "expected a rule (set, clear, create_item, update_item, delete_item, find_item, save, if, validate, fail, "
    "log, trigger, start) or '}' to close the block";
constexpr const char* kRuleOrAngle =
    "expected a rule (set, clear, create_item, update_item, delete_item, find_item, save, if, validate, fail, "
    "log, trigger, start) or '>' to close the block";

/// The values the `set` rules of the first handler of `text` assign: `text` is
/// parsed as a module with `errors` errors (at literals), and kept all the same.
std::vector<flow::ast::Expr> kept_set_values(const std::string& text, std::size_t errors) {
  flow::SourceSet sources;
  flow::Diagnostics diagnostics;
  auto module = flow::parse_module(sources, sources.add("t.flow", text), diagnostics);
  CHECK(diagnostics.items().size() == errors);
  REQUIRE(module);
  std::vector<flow::ast::Expr> values;
  for (auto& rule : module->processes.at(0).handlers.at(0).body)
    values.push_back(std::move(std::get<flow::ast::SetRule>(rule.node).value));
  return values;
}

}  // namespace

TEST_CASE("rule errors") {
  check_all({
      {"process P { on H { set A 1; } }", 26, "expected '='"},
      {"process P { on H { frobnicate; } }", 20, kRuleOrBrace},
      {"process P { on H { set A = 1;; } }", 30, kRuleOrBrace},
      {"process P { on H < save; }", 26, kRuleOrAngle},
      {"process P { on H { save; >", 26, kRuleOrBrace},
      {"process P { on H { create_item D map {}; } }", 34, "expected '.' and a method name (DATASOURCE.METHOD)"},
      {"process P { on H { create_item D.M map { body.x = 1; } } }", 56,
       "expected ';' after the rule (a call rule ends with ';', even after a block)"},
      {"process P { on H { create_item D.M into L; } }", 36, "'into' is only allowed on find_item"},
      {"process P { on H { create_item D.M map { body. = 1; }; } }", 48, "expected a name after '.'"},
      {"process P { on H { create_item D.M map { body.x 1; }; } }", 49, "expected '='"},
      {"process P { on H { create_item D.M map { 1 = 1; }; } }", 42,
       "expected an assignment (name = value;) or '}' to close the block"},
      {"process P { on H { if A { save; } else save; } }", 40, "expected 'if' or a block after 'else'"},
      {"process P { on H { if A save; } }", 25, "expected '{' (or '<') to open the block of rules"},
      {"process P { on H { validate A \"x\"; } }", 31, "expected 'else' and a message after the validate condition"},
      {"process P { on H { start Q map {}; } }", 34, "expected 'trigger' and a handler name in the start rule"},
      {"process P { on H { trigger; } }", 27, "expected a handler name"},
      {"process P { on H { clear 1; } }", 26, "expected a field name"},
      {"process P { on H { log \"x\" save; } }", 28, "expected ';' after the rule"},
  });
}

TEST_CASE("expression errors") {
  check_all({
      {"process P { on H { set A = \"a\\qb\"; } }", 31, "unknown escape sequence (use \\\" \\\\ \\/ \\n \\r \\t \\$ or \\uXXXX)"},
      {"process P { on H { set A = (1 + 2; } }", 34, "expected ')' to close the parenthesis"},
      {"process P { on H { set A = f(1 2); } }", 32, "expected ')' or ',' in the argument list"},
      {"process P { on H { set A = a[1; } }", 31, "expected ']' to close the index"},
      {"process P { on H { set A = a.; } }", 30, "expected a name after '.'"},
      {"process P { on H { set A = 1 +; } }", 31, "expected an operand after the operator"},
      {"process P { on H { set A = 1 *; } }", 31, "expected an operand after the operator"},
      {"process P { on H { set A = \"${x\"; } }", 32, "expected '}' to close the '${' interpolation"},
      {"process P { on H { set A = not; } }", 31, "expected an operand after 'not'"},
      {"process P { on H { set A = -; } }", 29, "expected an operand after '-'"},
      {"process P { on H { set A = a and; } }", 33, "expected an operand after 'and'"},
      {"process P { on H { set A = a or; } }", 32, "expected an operand after 'or'"},
      {"process P { on H { set A = a ?? ; } }", 33, "expected an operand after '?\?'"},
      {"process P { on H { set A = a == ; } }", 33, "expected an operand after the comparison"},
      {"process P { on H { set A = 2027-02-30; } }", 28, "invalid date '2027-02-30'"},
      {"process P { on H { set A = 2027-02-03T25:00; } }", 39, "invalid time '25:00'"},
      {"process P { on H { set A = 2027-02-03T10:00+24:00; } }", 44, "invalid UTC offset '+24:00'"},
      {"process P { on H { set A = 99999999999999999999d; } }", 28, "duration is too large"},
  });
}

TEST_CASE("letters after a number: the caret on them, a misspelled unit named") {
  constexpr const char* kUnknownUnit =
      "unknown unit after the number (units: ms s m h d w, or milliseconds, seconds, minutes, hours, days, weeks)";
  check_all({
      {"process P { on H { set A = 10x; } }", 30, kUnknownUnit},
      {"process P { on H { set A = 1.5e3x; } }", 33, kUnknownUnit},
      {"process P { on H { set A = 10minites; } }", 30, "unknown unit 'minites'; did you mean 'minutes'?"},
      {"process P { on H { set A = 5 minites; } }", 30, "unknown unit 'minites'; did you mean 'minutes'?"},
      {"process P { on H { set A = 1 minite; } }", 30, "unknown unit 'minite'; did you mean 'minute'?"},
      {"process P { on H { set A = 2 hrs; } }", 30, "unknown unit 'hrs'; did you mean 'hours'?"},
      {"process P { on H { if A > 5 secs { save; } } }", 29, "unknown unit 'secs'; did you mean 'seconds'?"},
      {"process P { field D duration = 5 minutse; }", 34, "unknown unit 'minutse'; did you mean 'minutes'?"},
      {"schedule \"S\" { every 5 minites; }", 24, "unknown unit 'minites'; did you mean 'minutes'?"},
      {"schedule \"S\" { every 2 monhts; }", 24, "unknown unit 'monhts'; did you mean 'months'?"},
      {"schedule \"S\" { jitter 5 minites; }", 25, "unknown unit 'minites'; did you mean 'minutes'?"},
      {"test \"t\" { advance 5 minites; }", 22, "unknown unit 'minites'; did you mean 'minutes'?"},
      // Not after a number, or nothing like a unit: the grammar's own message.
      {"process P { on H { set A = B2 minites; } }", 31, "expected ';' after the rule"},
      {"process P { on H { set A = 5 banana; } }", 30, "expected ';' after the rule"},
      {"schedule \"S\" { every 5 milliseconds; }", 24,
       "expected a unit (seconds, minutes, hours, days, weeks, months, or s m h d w)"},
  });
}

TEST_CASE("a misspelled keyword is named with the keyword it resembles, among those that may stand there") {
  check_all({
      {"process P { on H { create_itm D.M; } }", 20, (std::string(kRuleOrBrace) + "; did you mean 'create_item'?").c_str()},
      {"process P { on H { sav; } }", 20, (std::string(kRuleOrBrace) + "; did you mean 'save'?").c_str()},
      {"process P { on H { create_item D.M map { A = 1; } on_sucess { B = 1; }; } }", 51,
       "expected ';' after the rule (a call rule ends with ';', even after a block); did you mean 'on_success'?"},
      {"process P { field A numbr; }", 21,
       "expected a field type (text, number, boolean, datetime, duration, secret, json, list); did you mean 'number'?"},
      {"schedule \"S\" { triger Go; }", 16,
       "expected a schedule setting (every, cron, once, at, timezone, process, id, trigger, expires, on_overlap, "
       "on_missed, retry, jitter, first run now) or '}' to close the block; did you mean 'trigger'?"},
      {"datasorce D rest { }", 1,
       "expected a declaration (import, datasource, process, instance, schedule, test); did you mean 'datasource'?"},
      {"process P { field A text requird; }", 26, "expected ';' after the field declaration; did you mean 'required'?"},
      // Nothing close enough (a keyword list's words are alike: one edit, two
      // from 8 letters), or an example value in quotes: the rule's own message.
      {"datasource D rest { method M FETCH \"/x\" { } }", 30, "expected an HTTP verb (GET, POST, PUT, PATCH, DELETE)"},
      {"process P { on H { frobnicate; } }", 20, kRuleOrBrace},
      {"schedule \"S\" { timezone Europ; }", 25, "expected a time zone name in quotes (\"Europe/Dublin\")"},
  });
}

TEST_CASE("habits from other languages are named with how Flow writes them") {
  check_all({
      {"process P { on H { if Q = 3 { save; } } }", 25,
       "expected '{' (or '<') to open the block of rules; a comparison is written '==' ('=' assigns, in `set`)"},
      {"process P { on H { if Q > 1 && Q < 5 { save; } } }", 29,
       "expected '{' (or '<') to open the block of rules; Flow writes `and` for `&&`"},
      {"process P { on H { if Q > 1 || Q < 5 { save; } } }", 29,
       "expected '{' (or '<') to open the block of rules; Flow writes `or` for `||`"},
      {"process P { on H { set Q = 'x'; } }", 28, "expected an expression; a string is written in double quotes: \"...\""},
      {"process P { on H { Q = \"x\"; } }", 20, (std::string(kRuleOrBrace) + "; a field is assigned with `set Q = ...;`").c_str()},
      {"process P { on H { if Q > 1 { save; } elif Q < 0 { save; } } }", 39,
       (std::string(kRuleOrBrace) + "; Flow writes `else if`").c_str()},
      {"process P { on H { find_item D.M into L on_success { T = body.total; }; } }", 41,
       "expected ';' after the rule (a call rule ends with ';', even after a block); `into FIELD` comes last, after map, "
       "on_success and on_error"},
      // Not a habit: `Q == 1` at a rule's place is no assignment, and keeps the rule's own message.
      {"process P { on H { Q == 1; } }", 20, kRuleOrBrace},
  });
}

TEST_CASE("a missing ';' is pointed at the end of the line it belongs to, comments and blank lines skipped") {
  CHECK(parse_errors("process P {\n  on Go {\n    set A = 1  // one\n\n    // two\n    save;\n  }\n}\n") ==
        "test.flow:3:14: error: expected ';' after the rule\n"
        "      set A = 1  // one\n"
        "               ^\n");
  CHECK(parse_errors("process P {\n  on Go {\n    set A = \"a // b\"\n    save;\n  }\n}\n") ==
        "test.flow:3:21: error: expected ';' after the rule\n"
        "      set A = \"a // b\"\n"
        "                      ^\n");
  // On the same line the error stays where the parser stopped.
  CHECK(parse_errors("process P { on Go { set A = 1 save; } }") ==
        "test.flow:1:31: error: expected ';' after the rule\n"
        "  process P { on Go { set A = 1 save; } }\n"
        "                                ^\n");
}

TEST_CASE("declaration errors") {
  check_all({
      {"frob", 1, "expected a declaration (import, datasource, process, instance, schedule, test)"},
      {"process P { } }", 15, "expected a declaration (import, datasource, process, instance, schedule, test)"},
      {"process { }", 9, "expected a process name"},
      {"process P field A text; }", 11, "expected '{' (or '<') to open the process body"},
      {"process P { fields A text; }", 13,
       "expected 'field' or 'on' or '}' to close the block; did you mean 'field'?"},
      {"process P { field A text on H { } }", 26, "expected ';' after the field declaration"},
      {"process P { on { save; } }", 16, "expected a handler name, 'change FIELD' or 'load' after 'on'"},
      {"import \"a.flow\"", 16, "expected ';'"},
      {"import a;", 8, "expected the imported file's path in quotes"},
      {"instance TK of P { }", 10, "expected the instance id in quotes"},
      {"instance \"TK\" P { }", 15, "expected 'of' and a process name"},
      {"instance \"T${K}\" of P { }", 10, "interpolation '${...}' is not allowed here"},
      {"datasource D soap { }", 14, "unknown datasource kind 'soap' (expected rest)"},
      {"datasource D rest { timeout 10s; }", 29, "expected '=' after the setting's name (name = value;)"},
      // A misspelled keyword reads as a setting's name: the error is at it, and names it.
      {"datasource D rest { methd GetToken POST \"/oauth/token\" { } }", 21,
       "expected a setting (name = value;), 'header' or 'method'; did you mean 'method'?"},
      {"datasource D rest { headr \"X\" = \"y\"; }", 21,
       "expected a setting (name = value;), 'header' or 'method'; did you mean 'header'?"},
      {"datasource D rest { Method M GET \"/x\" { } }", 21,
       "expected a setting (name = value;), 'header' or 'method'; did you mean 'method'?"},
      {"datasource D rest { base_url = \"x\" timeout = 1; }", 36, "expected ';' after the setting"},
      {"datasource D rest { header Accept = \"x\"; }", 28, "expected a header name in quotes"},
      {"datasource D rest { 42; }", 21,
       "expected a setting (name = value;), 'header' or 'method' or '}' to close the block"},
      {"datasource D rest { method M FETCH \"/x\" { } }", 30, "expected an HTTP verb (GET, POST, PUT, PATCH, DELETE)"},
      {"datasource D rest { method M GET /x { } }", 34, "expected the method path in quotes"},
      {"datasource D rest { method M GET \"/x\" ; }", 39, "expected '{' (or '<') to open the method body"},
      {"datasource D rest { method M GET \"/x\" { send x; } }", 41, "expected 'request' or 'response' or '}' to close the block"},
      {"datasource D rest { method M GET \"/x\" { request body xml { a; } } }", 54, "expected a body format (form, json)"},
      {"datasource D rest { method M GET \"/x\" { request cookie x; } }", 49,
       "expected 'header', 'query' or 'body' after 'request'"},
      {"datasource D rest { method M GET \"/x\" { response cookie x; } }", 50,
       "expected 'header' or 'body' after 'response'"},
      {"datasource D rest { method M GET \"/x\" { response body form { a; } } }", 55,
       "expected 'json' (a response body is read as JSON)"},
      {"datasource D rest { method M GET \"/x\" { response header L; } }", 58, "expected a name or path in quotes"},
      {"datasource D rest { method M GET \"/x\" { request query { 1; } } }", 57, "expected a part name or '}' to close the block"},
      {"datasource D rest { method M GET \"/x\" { request query { a b; } } }", 59, "expected ';' after the part"},
      {"datasource D rest { method M GET \"/x\" { request query a; } }", 55, "expected '{' (or '<') to open the list of parts"},
      {"datasource D rest { method M GET \"/x\" { request body json { a; } request body form { b; } } }", 74,
       "a method declares one request body"},
      {"datasource D rest { method M GET \"/x\" { response body json { a secret; } } }", 64,
       "only a request part is declared secret; an answer's value is secret once mapped into a secret field"},
      {"datasource D rest { header \"X\" secret; }", 38, "expected '='"},
  });
}

TEST_CASE("schedule errors") {
  check_all({
      {"schedule S { }", 10, "expected the schedule name in quotes"},
      {"schedule \"S\" every 5m;", 14, "expected '{' (or '<') to open the schedule body"},
      {"schedule \"S\" { every; }", 21,
       "expected an interval (every 55 minutes) or a calendar rule (every day at 06:30, every weekday at 08:00, "
       "every monday at 09:00, every month on day 1 at 00:00, every hour at minute 5)"},
      {"schedule \"S\" { every 5; }", 23, "expected a unit (seconds, minutes, hours, days, weeks, months, or s m h d w)"},
      {"schedule \"S\" { every 5 fortnights; }", 24,
       "expected a unit (seconds, minutes, hours, days, weeks, months, or s m h d w)"},
      {"schedule \"S\" { every 0 minutes; }", 22, "the interval must be between 1 and 999999999"},
      {"schedule \"S\" { every 5m process P; }", 25, "expected ';' after the schedule setting"},
      {"schedule \"S\" { every day; }", 25, "expected 'at' and a time of day (HH:MM)"},
      {"schedule \"S\" { every day at noon; }", 29, "expected a time of day (HH:MM)"},
      {"schedule \"S\" { every day at 25:00; }", 29, "invalid time of day '25:00' (00:00 to 23:59)"},
      {"schedule \"S\" { every monday, at 9:00; }", 30, "expected a weekday (monday ... sunday)"},
      {"schedule \"S\" { every month day 1 at 00:00; }", 28, "expected 'on' (every month on day N / on first|last WEEKDAY)"},
      {"schedule \"S\" { every month on 1 at 10:00; }", 31,
       "expected 'day N' or an ordinal and a weekday (first monday, last friday)"},
      {"schedule \"S\" { every month on day x at 00:00; }", 35, "expected a day of the month (1-31)"},
      {"schedule \"S\" { every month on day 32 at 00:00; }", 35, "the day of the month must be between 1 and 31"},
      {"schedule \"S\" { every month on last day at 00:00; }", 36, "expected a weekday (monday ... sunday)"},
      {"schedule \"S\" { every month on day 1; }", 36, "expected 'at' and a time of day (HH:MM)"},
      {"schedule \"S\" { every hour at 5; }", 30, "expected 'minute' (every hour at minute N)"},
      {"schedule \"S\" { every hour at minute x; }", 37, "expected a minute (0-59)"},
      {"schedule \"S\" { every hour at minute 60; }", 37, "the minute must be between 0 and 59"},
      {"schedule \"S\" { every 5m; every 10m; }", 26,
       "a schedule has one time rule (every, cron, once or at); this is a second one"},
      {"schedule \"S\" { at X; cron \"* * * * *\"; }", 22,
       "a schedule has one time rule (every, cron, once or at); this is a second one"},
      {"schedule \"S\" { timezone \"A\"; timezone \"B\"; }", 30, "'timezone' is already set in this schedule"},
      {"schedule \"S\" { timezone Europe; }", 25, "expected a time zone name in quotes (\"Europe/Dublin\")"},
      {"schedule \"S\" { cron x; }", 21, "expected a cron expression in quotes"},
      {"schedule \"S\" { cron \"${x}\"; }", 21, "interpolation '${...}' is not allowed here"},
      {"schedule \"S\" { once 2027-01-01; }", 21, "expected 'at' and a date-time (once at 2027-01-01T09:00)"},
      {"schedule \"S\" { once at tomorrow; }", 24, "expected a date-time (2027-01-01T09:00)"},
      {"schedule \"S\" { once at 2027-13-01; }", 24, "invalid date '2027-13-01'"},
      {"schedule \"S\" { at ; }", 19, "expected an expression"},
      {"schedule \"S\" { process ; }", 24, "expected a process name"},
      {"schedule \"S\" { trigger 1; }", 24, "expected a handler name"},
      {"schedule \"S\" { expires never; }", 24, "expected a date-time or 'after N runs'"},
      {"schedule \"S\" { expires after x runs; }", 30, "expected a number of runs"},
      {"schedule \"S\" { expires after 5; }", 31, "expected 'runs'"},
      {"schedule \"S\" { on_overlap wait; }", 27, "expected an overlap policy (skip, queue)"},
      {"schedule \"S\" { on_missed later; }", 26, "expected a missed-run policy (run_once, skip)"},
      {"schedule \"S\" { retry x times; }", 22, "expected a number of retries"},
      {"schedule \"S\" { retry 3; }", 23, "expected 'times'"},
      {"schedule \"S\" { retry 101 times; }", 22, "the number of retries must be between 0 and 100"},
      {"schedule \"S\" { expires after 0 runs; }", 30, "the number of runs must be between 1 and 1000000000"},
      {"schedule \"S\" { retry 3 times backoff soon; }", 38, "expected a duration (30s, 2 minutes)"},
      {"schedule \"S\" { jitter soon; }", 23, "expected a duration (20s, 1 minute)"},
      {"schedule \"S\" { first run later; }", 26, "expected 'now' (first run now;)"},
      {"schedule \"S\" { first now; }", 22, "expected 'run now' (first run now;)"},
      {"schedule \"S\" { frob; }", 16,
       "expected a schedule setting (every, cron, once, at, timezone, process, id, trigger, expires, on_overlap, "
       "on_missed, retry, jitter, first run now) or '}' to close the block"},
  });
}

TEST_CASE("a syntax error yields exactly one diagnostic and no module") {
  flow::SourceSet sources;
  const auto file = sources.add("t.flow", "process P { field A strng; field B nope; }");
  flow::Diagnostics diagnostics;
  CHECK_FALSE(flow::parse_module(sources, file, diagnostics));
  CHECK(diagnostics.items().size() == 1);
  CHECK(diagnostics.has_errors());
}

// The file is parsed and lowered one declaration at a time (grammar/parser.cpp);
// what is reported must not depend on that.
TEST_CASE("a syntax error later in the file wins over an earlier lowering error") {
  CHECK(parse_errors("datasource D soap { }\nprocess P { field A strng; }\n") ==
        "test.flow:2:21: error: expected a field type (text, number, boolean, datetime, duration, secret, json, "
        "list)\n"
        "  process P { field A strng; }\n"
        "                      ^\n");
}

// An impossible date is no reason to stop: it is reported at the literal, and
// what follows is parsed and lowered, its errors reported too.
TEST_CASE("an impossible date is reported with the errors after it, and the module is kept") {
  CHECK(parse_errors("schedule \"S\" { once at 2027-13-01; }\nprocess P { field A strng; }\n") ==
        "test.flow:1:24: error: invalid date '2027-13-01'\n"
        "  schedule \"S\" { once at 2027-13-01; }\n"
        "                         ^\n"
        "test.flow:2:21: error: expected a field type (text, number, boolean, datetime, duration, secret, json, "
        "list)\n"
        "  process P { field A strng; }\n"
        "                      ^\n");
  CHECK(parse_errors("process P { on H { set A = 2027-02-30; set B = 2027-01-01T10:00+24:00; } }\n"
                     "schedule \"S\" { once at 2027-13-01; expires 2027-04-31; }\n") ==
        "test.flow:1:28: error: invalid date '2027-02-30'\n"
        "  process P { on H { set A = 2027-02-30; set B = 2027-01-01T10:00+24:00; } }\n"
        "                             ^\n"
        "test.flow:1:64: error: invalid UTC offset '+24:00'\n"
        "  process P { on H { set A = 2027-02-30; set B = 2027-01-01T10:00+24:00; } }\n"
        "                                                                 ^\n"
        "test.flow:2:24: error: invalid date '2027-13-01'\n"
        "  schedule \"S\" { once at 2027-13-01; expires 2027-04-31; }\n"
        "                         ^\n"
        "test.flow:2:44: error: invalid date '2027-04-31'\n"
        "  schedule \"S\" { once at 2027-13-01; expires 2027-04-31; }\n"
        "                                             ^\n");
  const auto values = kept_set_values("process P { on H { set A = 2027-02-30; } }", 1);
  CHECK_FALSE(flow::names_a_value(std::get<flow::ast::DateTimeLiteral>(values.at(0).node)));
}

// A number or duration out of range, like an impossible date, is reported at
// the literal by the one mechanism, and lowering goes on past it.
TEST_CASE("literals out of range are reported with the errors after them, and the module is kept") {
  CHECK(parse_errors("process P { on H { set A = 1e999; set B = 99999999999w; set C = 2027-02-30; } }\n"
                     "process Q { field A strng; }\n") ==
        "test.flow:1:28: error: number out of range: a number is 0 or between about 2.2e-308 and 1.8e308 in size\n"
        "  process P { on H { set A = 1e999; set B = 99999999999w; set C = 2027-02-30; } }\n"
        "                             ^\n"
        "test.flow:1:43: error: duration is too large\n"
        "  process P { on H { set A = 1e999; set B = 99999999999w; set C = 2027-02-30; } }\n"
        "                                            ^\n"
        "test.flow:1:65: error: invalid date '2027-02-30'\n"
        "  process P { on H { set A = 1e999; set B = 99999999999w; set C = 2027-02-30; } }\n"
        "                                                                  ^\n"
        "test.flow:2:21: error: expected a field type (text, number, boolean, datetime, duration, secret, json, "
        "list)\n"
        "  process Q { field A strng; }\n"
        "                      ^\n");
  const auto values = kept_set_values("process P { on H { set A = 1e-999; set B = 2 + 99999999999w; } }", 2);
  CHECK_FALSE(flow::names_a_value(std::get<flow::ast::NumberLiteral>(values.at(0).node)));
  const auto& sum = std::get<flow::ast::Binary>(values.at(1).node);
  CHECK(flow::names_a_value(std::get<flow::ast::NumberLiteral>(sum.lhs->node)));
  CHECK_FALSE(flow::names_a_value(std::get<flow::ast::DurationLiteral>(sum.rhs->node)));
}

// A schedule's number out of its range goes the same way: reported at it,
// lowering goes on, and the time rule holding it is kept, marked unknown.
TEST_CASE("a schedule's numbers out of range are reported together, and the module is kept") {
  CHECK(parse_errors("schedule \"A\" { every 0 minutes; retry 101 times; }\n"
                     "schedule \"B\" { every month on day 32 at 24:00; expires after 0 runs; }\n") ==
        "test.flow:1:22: error: the interval must be between 1 and 999999999\n"
        "  schedule \"A\" { every 0 minutes; retry 101 times; }\n"
        "                       ^\n"
        "test.flow:1:39: error: the number of retries must be between 0 and 100\n"
        "  schedule \"A\" { every 0 minutes; retry 101 times; }\n"
        "                                        ^\n"
        "test.flow:2:35: error: the day of the month must be between 1 and 31\n"
        "  schedule \"B\" { every month on day 32 at 24:00; expires after 0 runs; }\n"
        "                                    ^\n"
        "test.flow:2:41: error: invalid time of day '24:00' (00:00 to 23:59)\n"
        "  schedule \"B\" { every month on day 32 at 24:00; expires after 0 runs; }\n"
        "                                          ^\n"
        "test.flow:2:62: error: the number of runs must be between 1 and 1000000000\n"
        "  schedule \"B\" { every month on day 32 at 24:00; expires after 0 runs; }\n"
        "                                                               ^\n");
  flow::SourceSet sources;
  flow::Diagnostics diagnostics;
  const auto module = flow::parse_module(
      sources, sources.add("t.flow", "schedule \"A\" { every hour at minute 60; retry 101 times; expires after 0 runs; }"
                                     " schedule \"B\" { every hour at minute 59; }"),
      diagnostics);
  CHECK(diagnostics.items().size() == 3);
  REQUIRE(module);
  const auto& unknown = module->schedules.at(0);
  CHECK_FALSE(unknown.when->known);
  CHECK_FALSE(unknown.retry);  // every retry warning turns on the count
  CHECK_FALSE(unknown.expires);
  CHECK(module->schedules.at(1).when->known);
}

// A schedule statement written twice goes the same way: reported at it, and
// left out, so that the first one wins and nothing in the second (here a
// number out of range, an impossible date) is reported besides.
TEST_CASE("a schedule's statements written twice are reported together, the first one kept") {
  CHECK(parse_errors("schedule \"A\" { every 5m; cron \"* * * * *\"; timezone \"UTC\"; timezone \"Mars\"; }\n"
                     "schedule \"B\" { retry 2 times; every 0m; retry 101 times; once at 2027-13-01; }\n") ==
        "test.flow:1:26: error: a schedule has one time rule (every, cron, once or at); this is a second one\n"
        "  schedule \"A\" { every 5m; cron \"* * * * *\"; timezone \"UTC\"; timezone \"Mars\"; }\n"
        "                           ^\n"
        "test.flow:1:60: error: 'timezone' is already set in this schedule\n"
        "  schedule \"A\" { every 5m; cron \"* * * * *\"; timezone \"UTC\"; timezone \"Mars\"; }\n"
        "                                                             ^\n"
        "test.flow:2:37: error: the interval must be between 1 and 999999999\n"
        "  schedule \"B\" { retry 2 times; every 0m; retry 101 times; once at 2027-13-01; }\n"
        "                                      ^\n"
        "test.flow:2:41: error: 'retry' is already set in this schedule\n"
        "  schedule \"B\" { retry 2 times; every 0m; retry 101 times; once at 2027-13-01; }\n"
        "                                          ^\n"
        "test.flow:2:58: error: a schedule has one time rule (every, cron, once or at); this is a second one\n"
        "  schedule \"B\" { retry 2 times; every 0m; retry 101 times; once at 2027-13-01; }\n"
        "                                                           ^\n");
  flow::SourceSet sources;
  flow::Diagnostics diagnostics;
  const auto module = flow::parse_module(
      sources,
      sources.add("t.flow", "schedule \"A\" { every 5m; process P; at X; process Q; retry 2 times; retry 3 times; }"),
      diagnostics);
  CHECK(diagnostics.items().size() == 3);
  REQUIRE(module);
  const auto& schedule = module->schedules.at(0);
  REQUIRE(schedule.when);
  CHECK(std::holds_alternative<flow::ast::IntervalWhen>(schedule.when->node));
  REQUIRE(schedule.process);
  CHECK(schedule.process->text == "P");
  REQUIRE(schedule.retry);
  CHECK(schedule.retry->times == 2);
}

TEST_CASE("a test whose advance is out of range is reported once, not also as not above zero") {
  CHECK(parse_errors("test \"t\" { advance 99999999999w; expect 1e999 > 0; }\n") ==
        "test.flow:1:20: error: duration is too large\n"
        "  test \"t\" { advance 99999999999w; expect 1e999 > 0; }\n"
        "                     ^\n"
        "test.flow:1:41: error: number out of range: a number is 0 or between about 2.2e-308 and 1.8e308 in size\n"
        "  test \"t\" { advance 99999999999w; expect 1e999 > 0; }\n"
        "                                          ^\n");
}

TEST_CASE("typed rules with an impossible date are refused") {
  flow::SourceSet sources;
  const auto file = sources.add("repl", "set A = 2027-02-30; set B = 1;");
  flow::Diagnostics diagnostics;
  CHECK_FALSE(flow::parse_rules(sources, file, diagnostics));
  REQUIRE(diagnostics.items().size() == 1);
  CHECK(diagnostics.items().at(0).message == "invalid date '2027-02-30'");
  diagnostics = {};
  CHECK_FALSE(flow::parse_rules(sources, sources.add("repl", "set A = 1; set B = 99999999999w;"), diagnostics));
  REQUIRE(diagnostics.items().size() == 1);
  CHECK(diagnostics.items().at(0).message == "duration is too large");
}

TEST_CASE("an error after the last declaration is reported where the declarations stop") {
  CHECK(parse_errors("process P { }\n\n  frob\n").starts_with(
      "test.flow:3:3: error: expected a declaration (import, datasource, process, instance, schedule, test)\n"));
  CHECK(parse_errors("process P { }\n/* open").starts_with(
      "test.flow:2:1: error: unterminated block comment: no '*/' closes this '/*'\n"));
}

TEST_CASE("test block errors") {
  check_all({
      {"test { }", 6, "expected the test name in quotes"},
      {"test \"t\" expect true;", 10, "expected '{' (or '<') to open the test body"},
      {"test \"\" { }", 6, "a test needs a name"},
      {"test \"t\" { frob; }", 12,
       "expected a test step (mock, run, advance, clock, expect, env, instance) or '}' to close the block"},
      {"test \"t\" { env = \"x\"; }", 16, "expected the name of an environment variable"},
      {"test \"t\" { expect true run P.H; }", 24, "expected ';' after the test step"},
      {"test \"t\" { mock A { } }", 19, "expected '.' and a method name (DATASOURCE.METHOD)"},
      {"test \"t\" { mock A.B; }", 20,
       "expected '{' (or '<') to open the mocked answer, or 'fails' and a network failure"},
      {"test \"t\" { mock A.B fails nothing; }", 27,
       "expected a network failure (dns, refused, tls, timeout, too_large, malformed, network)"},
      {"test \"t\" { mock A.B { status 200; status 201; } }", 35, "a mocked answer has one status"},
      {"test \"t\" { mock A.B { body { a = 1; } text \"x\"; } }", 39, "a mocked answer has one body ('body' or 'text')"},
      {"test \"t\" { mock A.B { stat 200; } }", 23, "expected an answer part (status, header, body, text) or '}' to close the block"},
      {"test \"t\" { run P; }", 17, "expected '.' and a handler name (PROCESS.HANDLER)"},
      {"test \"t\" { run P.H on; }", 22, "expected an expression"},
      {"test \"t\" { advance; }", 19, "expected a duration (55 minutes, 2h)"},
      {"test \"t\" { advance 0s; }", 20, "advance needs a duration above zero"},
      {"test \"t\" { clock tomorrow; }", 18, "expected a date-time (2026-03-01T09:00:00Z)"},
      {"test \"t\" { expect; }", 18, "expected an expression"},
  });
}

TEST_CASE("a number's power of ten needs its digits") {
  CHECK(parse_errors("process P { on H { set A = 1e; } }") ==
        "test.flow:1:30: error: expected the digits of the power of ten after 'e' (1e6, 2.5e-3)\n"
        "  process P { on H { set A = 1e; } }\n"
        "                               ^\n");
  CHECK(parse_errors("process P { on H { set A = 2.5E-x; } }") ==
        "test.flow:1:33: error: expected the digits of the power of ten after 'e' (1e6, 2.5e-3)\n"
        "  process P { on H { set A = 2.5E-x; } }\n"
        "                                  ^\n");
}

TEST_CASE("a character pasted from a browser or a chat is named where the error stops at it") {
  constexpr const char* kFieldType =
      "expected a field type (text, number, boolean, datetime, duration, secret, json, list)";
  const std::vector<std::pair<std::string, std::string>> cases{
      {"process P { field A\xc2\xa0text; }",
       std::string("test.flow:1:20: error: ") + kFieldType +
           "; found U+00A0, a no-break space, which looks like a space: type a plain space\n"},
      {"process P { field A te\xe2\x80\x8bxt; }",
       std::string("test.flow:1:21: error: ") + kFieldType +
           "; found U+200B, an invisible character (a zero-width space or joiner): delete it\n"},
      {"process P { on H { set A = \xe2\x80\x9chi\xe2\x80\x9d; } }",
       "test.flow:1:28: error: expected an expression; found U+201C, a curly quote: a string is written in straight "
       "double quotes \"...\"\n"},
      {std::string("process P { field A\0text; }", 27),
       std::string("test.flow:1:20: error: ") + kFieldType +
           "; found a NUL byte (\\x00), which shows as nothing: delete it\n"},
      {"process P { on H { set A = 1 \xe2\x80\x93 2; } }",
       "test.flow:1:30: error: expected ';' after the rule; found U+2013, a dash: minus is written -\n"},
  };
  for (const auto& [input, first_line] : cases) {
    INFO(input);
    const auto errors = parse_errors(input);
    CHECK(errors.substr(0, errors.find('\n') + 1) == first_line);
  }
}

TEST_CASE("a raw control byte in a string is named, with the escape that writes it") {
  CHECK(parse_errors(std::string("process P {\n  field A text = \"a\0b\";\n}\n", 38)) ==
        "test.flow:2:20: error: a string holds no raw control byte but a tab; found a NUL byte (\\x00), which shows "
        "as nothing: delete it, or write it as the escape \\u0000\n"
        "    field A text = \"a\\x00b\";\n"  // the excerpt shows the byte, never raw, the caret under it
        "                     ^\n");
  // A tab is kept (the caret lines up under it in a terminal); a character of
  // several bytes before the caret takes one column.
  CHECK(parse_errors("process P {\n\tfield A text = \"\xc3\xa9\x01\";\n}\n") ==
        "test.flow:2:20: error: a string holds no raw control byte but a tab; found the control byte \\x01, which "
        "shows as nothing: delete it, or write it as the escape \\u0001\n"
        "  \tfield A text = \"\xc3\xa9\\x01\";\n"
        "  \t" + std::string(17, ' ') + "^\n");
  CHECK_THAT(parse_errors("process P { on H { log \"a\x1b[31m ${A}\"; } }"),
             Catch::StartsWith("test.flow:1:26: error: a string holds no raw control byte but a tab; found the control "
                               "byte \\x1B, which shows as nothing: delete it, or write it as the escape \\u001B\n"));
  CHECK_THAT(parse_errors("process P { on H { log \"${A}\x7f\"; } }"),
             Catch::Contains("found the control byte \\x7F, which shows as nothing: delete it, or write it as the "
                             "escape \\u007F\n"));
  // A tab may stand as it is; its escape and \u0000 read as ever.
  CHECK(parse_errors("process P { on H { log \"a\tb\\t\\u0000\"; } }").empty());
}
