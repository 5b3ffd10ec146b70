#pragma once
// One human message per `must` point of grammar/grammar.hpp. `control` is
// must_if<errors> with RequireMessage: a must point without a message here
// fails to compile (static_assert in must_if::raise), so the table cannot fall
// behind the grammar.

#include <tao/pegtl.hpp>

#include "grammar/grammar.hpp"

namespace flow::syntax {

template <typename Rule>
inline constexpr const char* error_message = nullptr;

#define FLOW_ERROR(rule, text) \
  template <>                  \
  inline constexpr const char* error_message<rule> = text

// ------------------------------------------------------------------ lexical
FLOW_ERROR(block_comment_unclosed, "unterminated block comment: no '*/' closes this '/*'");
FLOW_ERROR(escape_code, "unknown escape sequence (use \\\" \\\\ \\/ \\n \\r \\t \\$ or \\uXXXX)");
// parser.cpp adds the byte found and its escape.
FLOW_ERROR(string_control, "a string holds no raw control byte but a tab");
FLOW_ERROR(string_end, "unterminated string: expected '\"' before the end of the line");
FLOW_ERROR(interpolation_end, "expected '}' to close the '${' interpolation");
FLOW_ERROR(semi, "expected ';'");

// -------------------------------------------------------------- expressions
FLOW_ERROR(expression, "expected an expression");
FLOW_ERROR(number_end,
           "unknown unit after the number (units: ms s m h d w, or milliseconds, seconds, minutes, hours, days, weeks)");
FLOW_ERROR(exponent_digits, "expected the digits of the power of ten after 'e' (1e6, 2.5e-3)");
FLOW_ERROR(paren_end, "expected ')' to close the parenthesis");
FLOW_ERROR(call_end, "expected ')' or ',' in the argument list");
FLOW_ERROR(member_name, "expected a name after '.'");
FLOW_ERROR(index_end, "expected ']' to close the index");
FLOW_ERROR(unary, "expected an operand after '-'");
FLOW_ERROR(inversion, "expected an operand after 'not'");
FLOW_ERROR(product_operand, "expected an operand after the operator");
FLOW_ERROR(sum_operand, "expected an operand after the operator");
// Split so that '??' followed by a quote is not read as a trigraph.
FLOW_ERROR(coalesce_operand, "expected an operand after '?" "?'");
FLOW_ERROR(comparison_operand, "expected an operand after the comparison");
FLOW_ERROR(and_operand, "expected an operand after 'and'");
FLOW_ERROR(or_operand, "expected an operand after 'or'");

// ------------------------------------------------------------------- blocks
// Both block forms close the same way; the message names what may come next.
#define FLOW_BLOCK_ERRORS(item, what)                                        \
  FLOW_ERROR(brace_end<item>, "expected " what " or '}' to close the block"); \
  FLOW_ERROR(angle_end<item>, "expected " what " or '>' to close the block")

FLOW_BLOCK_ERRORS(rule, "a rule (set, clear, create_item, update_item, delete_item, find_item, save, if, "
                        "validate, fail, log, trigger, start)");
FLOW_BLOCK_ERRORS(assignment, "an assignment (name = value;)");
FLOW_BLOCK_ERRORS(part_entry, "a part name");
FLOW_BLOCK_ERRORS(method_item, "'request' or 'response'");
#define FLOW_DATASOURCE_ITEM "a setting (name = value;), 'header' or 'method'"
FLOW_BLOCK_ERRORS(datasource_item, FLOW_DATASOURCE_ITEM);
/// What may start an item of a datasource body: said at a keyword misspelled
/// there, which reads as a setting's name (`methd GetToken POST ...`).
inline constexpr const char* kDatasourceItemExpected = "expected " FLOW_DATASOURCE_ITEM;
#undef FLOW_DATASOURCE_ITEM
FLOW_BLOCK_ERRORS(process_item, "'field' or 'on'");
FLOW_BLOCK_ERRORS(schedule_item, "a schedule setting (every, cron, once, at, timezone, process, id, trigger, "
                                 "expires, on_overlap, on_missed, retry, jitter, first run now)");
FLOW_BLOCK_ERRORS(mock_item, "an answer part (status, header, body, text)");
FLOW_BLOCK_ERRORS(test_item, "a test step (mock, run, advance, clock, expect, env, instance)");
#undef FLOW_BLOCK_ERRORS

FLOW_ERROR(rule_block, "expected '{' (or '<') to open the block of rules");
FLOW_ERROR(assignment_block, "expected '{' (or '<') to open the block of assignments");
FLOW_ERROR(part_block, "expected '{' (or '<') to open the list of parts");
FLOW_ERROR(method_body, "expected '{' (or '<') to open the method body");
FLOW_ERROR(datasource_body, "expected '{' (or '<') to open the datasource body");
FLOW_ERROR(process_body, "expected '{' (or '<') to open the process body");
FLOW_ERROR(schedule_body, "expected '{' (or '<') to open the schedule body");

// -------------------------------------------------------------------- rules
FLOW_ERROR(target_segment, "expected a name after '.'");
FLOW_ERROR(op_assign, "expected '='");
FLOW_ERROR(assignment_end, "expected ';' after the assignment");
FLOW_ERROR(rule_end, "expected ';' after the rule");
FLOW_ERROR(call_end_semi, "expected ';' after the rule (a call rule ends with ';', even after a block)");
FLOW_ERROR(field_name, "expected a field name");
FLOW_ERROR(datasource_name, "expected a datasource name");
FLOW_ERROR(method_ref_dot, "expected '.' and a method name (DATASOURCE.METHOD)");
FLOW_ERROR(method_name, "expected a method name");
FLOW_ERROR(else_body, "expected 'if' or a block after 'else'");
FLOW_ERROR(validate_else, "expected 'else' and a message after the validate condition");
FLOW_ERROR(handler_name, "expected a handler name");
FLOW_ERROR(process_name, "expected a process name");
FLOW_ERROR(start_trigger, "expected 'trigger' and a handler name in the start rule");

// -------------------------------------------------------------- datasources
FLOW_ERROR(datasource_kind, "expected the datasource kind (rest)");
FLOW_ERROR(setting_assign, "expected '=' after the setting's name (name = value;)");
FLOW_ERROR(setting_end, "expected ';' after the setting");
FLOW_ERROR(header_name, "expected a header name in quotes");
FLOW_ERROR(http_verb, "expected an HTTP verb (GET, POST, PUT, PATCH, DELETE)");
FLOW_ERROR(method_path, "expected the method path in quotes");
FLOW_ERROR(body_format, "expected a body format (form, json)");
FLOW_ERROR(json_body_format, "expected 'json' (a response body is read as JSON)");
FLOW_ERROR(part_end, "expected ';' after the part");
FLOW_ERROR(wire_name, "expected a name or path in quotes");
FLOW_ERROR(part_name, "expected a part name");
FLOW_ERROR(request_part, "expected 'header', 'query' or 'body' after 'request'");
FLOW_ERROR(response_part, "expected 'header' or 'body' after 'response'");

// ---------------------------------------------------------------- processes
FLOW_ERROR(field_type, "expected a field type (text, number, boolean, datetime, duration, secret, json, list)");
FLOW_ERROR(field_end, "expected ';' after the field declaration");
FLOW_ERROR(handler_head, "expected a handler name, 'change FIELD' or 'load' after 'on'");
FLOW_ERROR(instance_id, "expected the instance id in quotes");
FLOW_ERROR(kw_of, "expected 'of' and a process name");

// ---------------------------------------------------------------- schedules
FLOW_ERROR(schedule_name, "expected the schedule name in quotes");
FLOW_ERROR(every_spec,
           "expected an interval (every 55 minutes) or a calendar rule (every day at 06:30, every weekday at "
           "08:00, every monday at 09:00, every month on day 1 at 00:00, every hour at minute 5)");
FLOW_ERROR(interval_unit, "expected a unit (seconds, minutes, hours, days, weeks, months, or s m h d w)");
FLOW_ERROR(kw_at, "expected 'at' and a time of day (HH:MM)");
FLOW_ERROR(time_of_day, "expected a time of day (HH:MM)");
FLOW_ERROR(weekday_name, "expected a weekday (monday ... sunday)");
FLOW_ERROR(kw_on, "expected 'on' (every month on day N / on first|last WEEKDAY)");
FLOW_ERROR(month_day_spec, "expected 'day N' or an ordinal and a weekday (first monday, last friday)");
FLOW_ERROR(day_number, "expected a day of the month (1-31)");
FLOW_ERROR(kw_minute, "expected 'minute' (every hour at minute N)");
FLOW_ERROR(minute_number, "expected a minute (0-59)");
FLOW_ERROR(schedule_end, "expected ';' after the schedule setting");
FLOW_ERROR(cron_expression, "expected a cron expression in quotes");
FLOW_ERROR(once_at, "expected 'at' and a date-time (once at 2027-01-01T09:00)");
FLOW_ERROR(once_time, "expected a date-time (2027-01-01T09:00)");
FLOW_ERROR(timezone_name, "expected a time zone name in quotes (\"Europe/Dublin\")");
FLOW_ERROR(expiry_spec, "expected a date-time or 'after N runs'");
FLOW_ERROR(run_count, "expected a number of runs");
FLOW_ERROR(runs_word, "expected 'runs'");
FLOW_ERROR(overlap_policy, "expected an overlap policy (skip, queue)");
FLOW_ERROR(missed_policy, "expected a missed-run policy (run_once, skip)");
FLOW_ERROR(retry_count, "expected a number of retries");
FLOW_ERROR(times_word, "expected 'times'");
FLOW_ERROR(backoff_duration, "expected a duration (30s, 2 minutes)");
FLOW_ERROR(jitter_duration, "expected a duration (20s, 1 minute)");
FLOW_ERROR(first_run_word, "expected 'run now' (first run now;)");
FLOW_ERROR(first_run_now, "expected 'now' (first run now;)");

// -------------------------------------------------------------------- tests
FLOW_ERROR(test_name, "expected the test name in quotes");
FLOW_ERROR(test_body, "expected '{' (or '<') to open the test body");
FLOW_ERROR(test_end, "expected ';' after the test step");
FLOW_ERROR(mock_spec, "expected '{' (or '<') to open the mocked answer, or 'fails' and a network failure");
FLOW_ERROR(network_failure,
           "expected a network failure (dns, refused, tls, timeout, too_large, malformed, network)");
FLOW_ERROR(handler_ref_dot, "expected '.' and a handler name (PROCESS.HANDLER)");
FLOW_ERROR(advance_duration, "expected a duration (55 minutes, 2h)");
FLOW_ERROR(clock_time, "expected a date-time (2026-03-01T09:00:00Z)");
FLOW_ERROR(env_name, "expected the name of an environment variable");

// ---------------------------------------------------------------- top level
FLOW_ERROR(import_path, "expected the imported file's path in quotes");
FLOW_ERROR(end_of_module, "expected a declaration (import, datasource, process, instance, schedule, test)");
FLOW_ERROR(first_rule, "expected a rule (set, clear, if, validate, fail, log, save, trigger, start or a call)");
FLOW_ERROR(end_of_rules, "expected a rule (set, clear, if, validate, fail, log, save, trigger, start or a call)");
FLOW_ERROR(end_of_expression, "expected the end of the expression");

#undef FLOW_ERROR

/// The must_if error table: `message<Rule>` for every must point. Messages are
/// raised only where the grammar says `must`: many rules with a message (`op_assign`,
/// `kw_at`) are also tried optionally elsewhere, where failing is normal backtracking.
struct errors {
  template <typename Rule>
  static constexpr const char* message = error_message<Rule>;
  template <typename Rule>
  static constexpr bool raise_on_failure = false;
};

/// Control for parsing: raises parse_error with the rule's message at a failed must.
template <typename Rule>
using control = tao::pegtl::must_if<errors>::control<Rule>;

}  // namespace flow::syntax
